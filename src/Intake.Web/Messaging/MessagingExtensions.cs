using Intake.Web.Hosting;
using MassTransit;
using Microsoft.Extensions.Options;

namespace Intake.Web.Messaging;

/// <summary>MassTransit over RabbitMQ: quorum queues, publisher confirms, kebab-case endpoints.</summary>
public static class MessagingExtensions
{
    public static IHostApplicationBuilder AddIntakeMessaging(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<RabbitMqOptions>()
            .Bind(builder.Configuration.GetSection(RabbitMqOptions.Section))
            .ValidateDataAnnotations()
            .ValidateOnStart();

        var runsConsumers = HostRoles.RunsBackgroundWork(builder.Configuration);

        builder.Services.AddMassTransit(bus =>
        {
            bus.SetKebabCaseEndpointNameFormatter();
            // MassTransit reports usage to its vendor over the internet by default. Intake makes no
            // outbound call that an observer could tie to a deployment.
            bus.DisableUsageTelemetry();
            if (runsConsumers)
            {
                bus.AddConsumer<BusProbeConsumer, BusProbeConsumerDefinition>();
                Routing.RoutingExtensions.AddIntakeRoutingConsumers(bus);
            }
            // Durable, replicated queues for every consumer endpoint; survives a broker node loss in a cluster.
            bus.AddConfigureEndpointsCallback((_, _, endpoint) =>
            {
                if (endpoint is IRabbitMqReceiveEndpointConfigurator rabbit)
                {
                    rabbit.SetQuorumQueue();
                }
            });
            bus.UsingRabbitMq((context, rabbit) =>
            {
                var options = context.GetRequiredService<IOptions<RabbitMqOptions>>().Value;
                var nodes = options.Nodes;
                rabbit.Host(nodes[0], (ushort)options.Port, options.VirtualHost, host =>
                {
                    host.Username(options.Username);
                    host.Password(options.Password);
                    host.PublisherConfirmation = true;
                    host.ConnectionName("intake");
                    if (nodes.Count > 1)
                    {
                        // A cluster: connect to any node, and to another when the connection drops.
                        host.UseCluster(cluster =>
                        {
                            foreach (var node in nodes)
                            {
                                cluster.Node($"{node}:{options.Port}");
                            }
                        });
                    }
                });
                rabbit.ConfigureEndpoints(context);
            });
        });
        builder.Services.Configure<MassTransitHostOptions>(options =>
        {
            // Start-up checks already proved the broker answers; don't block start on the bus.
            options.WaitUntilStarted = false;
            options.StopTimeout = TimeSpan.FromSeconds(30);
        });
        return builder;
    }
}
