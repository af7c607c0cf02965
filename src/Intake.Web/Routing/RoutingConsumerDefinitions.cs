using MassTransit;

namespace Intake.Web.Routing;

/// <summary>
/// Retry policy shared by the routing consumers: immediate retries with growing intervals (Debian's
/// RabbitMQ has no delayed-message plugin, so there is no delayed redelivery), then the endpoint's
/// error queue (<c>&lt;queue&gt;_error</c>), where <see cref="RoutingFaultConsumer"/> makes it visible.
/// A message that can never succeed skips the retries. What retries cannot fix, the reconciler does.
/// </summary>
internal static class RoutingRetry
{
    /// <summary>
    /// Messages in flight per routing endpoint and process. Each routing write waits for a ledger
    /// batch, so throughput is about this many divided by the batch time; the batched writer turns
    /// more concurrent routes into bigger batches rather than more commits (docs/benchmarks.md).
    /// </summary>
    public const int Concurrency = 64;

    public static void Configure(IReceiveEndpointConfigurator endpoint)
    {
        if (endpoint is IRabbitMqReceiveEndpointConfigurator rabbit)
        {
            rabbit.PrefetchCount = Concurrency;
        }
        endpoint.ConcurrentMessageLimit = Concurrency;
        endpoint.UseMessageRetry(retry =>
        {
            retry.Intervals(100, 500, 1000, 2000, 5000);
            retry.Ignore<PoisonRoutingMessageException>();
        });
    }
}

public sealed class RouteTestimonyConsumerDefinition : ConsumerDefinition<RouteTestimonyConsumer>
{
    public RouteTestimonyConsumerDefinition() => EndpointName = "routing-testimony-submitted";

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<RouteTestimonyConsumer> consumerConfigurator, IRegistrationContext context) =>
        RoutingRetry.Configure(endpointConfigurator);
}

public sealed class NotifyAssigneeConsumerDefinition : ConsumerDefinition<NotifyAssigneeConsumer>
{
    public NotifyAssigneeConsumerDefinition() => EndpointName = "routing-case-assigned";

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<NotifyAssigneeConsumer> consumerConfigurator, IRegistrationContext context) =>
        RoutingRetry.Configure(endpointConfigurator);
}

public sealed class NotifyFollowUpConsumerDefinition : ConsumerDefinition<NotifyFollowUpConsumer>
{
    public NotifyFollowUpConsumerDefinition() => EndpointName = "routing-follow-up-received";

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<NotifyFollowUpConsumer> consumerConfigurator, IRegistrationContext context) =>
        RoutingRetry.Configure(endpointConfigurator);
}

public sealed class RoutingFaultConsumerDefinition : ConsumerDefinition<RoutingFaultConsumer>
{
    public RoutingFaultConsumerDefinition() => EndpointName = "routing-faults";

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<RoutingFaultConsumer> consumerConfigurator, IRegistrationContext context) =>
        endpointConfigurator.UseMessageRetry(retry => retry.Intervals(100, 1000, 5000));
}
