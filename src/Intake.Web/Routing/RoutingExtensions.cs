using Intake.Storage.Routing;
using Intake.Web.Hosting;
using MassTransit;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Intake.Web.Routing;

/// <summary>Routing: rules, assignment, the reconciler and notices (docs/routing.md).</summary>
public static class RoutingExtensions
{
    public static IHostApplicationBuilder AddIntakeRouting(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<RoutingOptions>()
            .Bind(builder.Configuration.GetSection(RoutingOptions.Section))
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<RoutingOptions>, RoutingOptionsValidator>();
        builder.Services.AddSingleton<RoutingDirectory>();
        builder.Services.AddSingleton<AssignmentStore>();
        builder.Services.AddSingleton<CaseRouter>();
        builder.Services.AddSingleton<StaffNotifications>();
        builder.Services.AddSingleton<INoticeMailer, SmtpNoticeMailer>();
        if (HostRoles.RunsBackgroundWork(builder.Configuration))
        {
            builder.Services.AddSingleton<RoutingReconciler>();
            builder.Services.AddHostedService(sp => sp.GetRequiredService<RoutingReconciler>());
        }
        return builder;
    }

    /// <summary>The consumers, registered by the messaging set-up on processes that consume (worker role).</summary>
    public static void AddIntakeRoutingConsumers(this IBusRegistrationConfigurator bus)
    {
        bus.AddConsumer<RouteTestimonyConsumer, RouteTestimonyConsumerDefinition>();
        bus.AddConsumer<NotifyAssigneeConsumer, NotifyAssigneeConsumerDefinition>();
        bus.AddConsumer<NotifyFollowUpConsumer, NotifyFollowUpConsumerDefinition>();
        bus.AddConsumer<RoutingFaultConsumer, RoutingFaultConsumerDefinition>();
    }

    /// <summary>The lists a survivor picks from: <c>GET /api/routing/regions</c> and <c>GET /api/routing/organisations</c> (ids and names only).</summary>
    public static IEndpointRouteBuilder MapIntakeRouting(this IEndpointRouteBuilder endpoints)
    {
        var api = endpoints.MapGroup("/api/routing");
        api.MapGet("/regions", (RoutingDirectory directory, CancellationToken ct) => ListAsync(directory, RoutingList.Regions, ct));
        api.MapGet("/organisations", (RoutingDirectory directory, CancellationToken ct) => ListAsync(directory, RoutingList.Organisations, ct));
        return endpoints;
    }

    public sealed record ListItemResponse(string Id, Submissions.SubmissionEndpoints.ChannelNames Names);

    private static async Task<Ok<List<ListItemResponse>>> ListAsync(RoutingDirectory directory, RoutingList list, CancellationToken cancellationToken) =>
        TypedResults.Ok((await directory.ListAsync(list, activeOnly: true, cancellationToken))
            .Select(i => new ListItemResponse(i.Id, new Submissions.SubmissionEndpoints.ChannelNames(i.NameEn, i.NameZh))).ToList());
}
