using Intake.Core.Contracts;
using MassTransit;

namespace Intake.Web.Messaging;

/// <summary>Answers <see cref="BusProbe"/>: the smallest real proof that routing works end to end.</summary>
public sealed class BusProbeConsumer : IConsumer<BusProbe>
{
    public Task Consume(ConsumeContext<BusProbe> context) =>
        context.RespondAsync(new BusProbeAnswered(context.Message.ProbeId));
}

public sealed class BusProbeConsumerDefinition : ConsumerDefinition<BusProbeConsumer>
{
    protected override void ConfigureConsumer(
        IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<BusProbeConsumer> consumerConfigurator,
        IRegistrationContext context)
    {
        // Immediate retries with growing intervals; Debian's RabbitMQ has no delayed-message
        // plugin, so there is no delayed redelivery. What still fails lands in the error queue.
        endpointConfigurator.UseMessageRetry(retry => retry.Intervals(100, 500, 2000));
    }
}
