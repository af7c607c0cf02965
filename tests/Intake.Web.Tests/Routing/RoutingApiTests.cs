using System.Net;
using System.Text.Json;
using Intake.Core.Contracts;
using Intake.Storage.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Intake.Web.Tests.Routing;

[Collection(WebCollection.Name)]
public sealed class RoutingApiTests(WebFixture fixture)
{
    [Fact]
    public async Task A_submission_with_routing_choices_is_routed_by_them_and_unknown_or_malformed_choices_are_refused()
    {
        await using var kit = await RoutingWebKit.CreateAsync("routing_api");
        await kit.Directory.SaveAsync(RoutingList.Regions, new RoutingListItem("coast", "Coast", "沿海"), "test-admin");
        await kit.Directory.SaveAsync(RoutingList.Organisations, new RoutingListItem("org-a", "Org A", "机构A"), "test-admin");
        var conflicted = await kit.AdvocateAsync(affiliations: ["org-a"]);
        var english = await kit.AdvocateAsync(languages: ["en"]);
        var right = await kit.AdvocateAsync(languages: ["zh"], capacity: 3);
        await using var factory = fixture.Factory(kit.Settings(fixture));
        using var client = factory.CreateClient();

        var regions = JsonDocument.Parse(await client.GetStringAsync("/api/routing/regions")).RootElement;
        Assert.Equal("coast", regions[0].GetProperty("id").GetString());
        Assert.Equal("沿海", regions[0].GetProperty("names").GetProperty("zh").GetString());
        var organisations = JsonDocument.Parse(await client.GetStringAsync("/api/routing/organisations")).RootElement;
        Assert.Equal("org-a", organisations[0].GetProperty("id").GetString());

        foreach (var (routing, field) in new[]
        {
            ("""{"language":"zh","region":"mountains"}""", "routing.region"),
            ("""{"language":"zh","exclude":["org-a","org-zz"]}""", "routing.exclude[1]"),
            ("""{"language":"fr"}""", "routing.language"),
            ("""{"language":"zh","note":"free text"}""", "routing"),
            ("""["zh"]""", "routing"),
            ("""{"exclude":"org-a"}""", "routing.exclude"),
            ("""{"region":"Not An Id"}""", "routing.region"),
        })
        {
            var refused = await kit.SubmitAsync(client, "refused testimony", routing);
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
            var problem = JsonDocument.Parse(await refused.Content.ReadAsStringAsync()).RootElement;
            Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"{routing}: {problem}");
        }
        Assert.Equal(0, await kit.CasesAsync());

        var accepted = await kit.SubmitAsync(client, "routed testimony", """{"language":"zh","region":"coast","exclude":["org-a"]}""");
        Assert.Equal(HttpStatusCode.Created, accepted.StatusCode);
        var noHints = await kit.SubmitAsync(client, "testimony without hints");
        Assert.Equal(HttpStatusCode.Created, noHints.StatusCode);

        await RoutingWebKit.EventuallyAsync(async () => await kit.AssignedCasesAsync() == 2, TimeSpan.FromSeconds(60),
            async () => $"{await kit.AssignedCasesAsync()} of 2 cases assigned");
        Assert.Equal(1, await kit.ScalarAsync(
            "SELECT count(*) FROM intake.case_assignments a JOIN intake.case_routing r ON r.case_id = a.case_id WHERE a.advocate_id = @a AND r.region_id = 'coast'",
            ("a", right)));
        Assert.Equal(0, await kit.ScalarAsync("SELECT count(*) FROM intake.case_assignments a JOIN intake.case_routing r ON r.case_id = a.case_id WHERE a.advocate_id = ANY(@a)",
            ("a", new[] { conflicted, english })));
        await RoutingWebKit.EventuallyAsync(async () => (await new StaffNotifications(kit.App, TimeProvider.System).ForAdvocateAsync(right)).Count >= 1,
            TimeSpan.FromSeconds(30), () => Task.FromResult("the assigned advocate got no notice"));
    }

    [Fact]
    public async Task Duplicate_delivery_of_one_submission_yields_one_assignment_and_one_notice()
    {
        await using var kit = await RoutingWebKit.CreateAsync("routing_dupes");
        var advocates = new[] { await kit.AdvocateAsync(), await kit.AdvocateAsync(), await kit.AdvocateAsync() };
        await using var factory = fixture.Factory(kit.Settings(fixture));
        using var client = factory.CreateClient();
        Assert.Equal(HttpStatusCode.Created, (await kit.SubmitAsync(client, "one testimony")).StatusCode);
        var caseId = (await kit.ScalarAsync("SELECT count(*) FROM intake.cases")) == 1
            ? await SingleCaseAsync(kit)
            : throw new InvalidOperationException("expected one case");

        var bus = factory.Services.GetRequiredService<MassTransit.IBus>();
        var consumed = new ConsumedCounter<TestimonySubmitted>();
        var notified = new ConsumedCounter<CaseAssigned>();
        using var observing = bus.ConnectConsumeObserver(consumed);
        using var observingNotices = bus.ConnectConsumeObserver(notified);
        await RoutingWebKit.EventuallyAsync(async () => await kit.AssignedCasesAsync() == 1, TimeSpan.FromSeconds(60), () => Task.FromResult("not routed"));

        await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => bus.Publish(new TestimonySubmitted(caseId, kit.Channel))));

        // Each duplicate announces the one assignment again; its notice is written once.
        await RoutingWebKit.EventuallyAsync(() => Task.FromResult(consumed.Count >= 20 && notified.Count >= 20), TimeSpan.FromSeconds(60),
            () => Task.FromResult($"{consumed.Count} of 20 duplicates and {notified.Count} of their announcements consumed"));
        Assert.Equal(1, await kit.ScalarAsync("SELECT count(*) FROM intake.case_assignments WHERE case_id = @c", ("c", caseId)));
        Assert.Equal(1, await kit.ScalarAsync("SELECT count(*) FROM intake.ledger_entries WHERE kind = 6 AND case_id = @c", ("c", caseId)));
        Assert.Equal(1, await kit.ScalarAsync("SELECT count(*) FROM intake.staff_notifications WHERE kind = 'case_assigned' AND case_id = @c", ("c", caseId)));
        Assert.Equal(0, await kit.DoublyAssignedAsync());
        Assert.Equal(1, await kit.ScalarAsync("SELECT count(*) FROM intake.case_assignments WHERE advocate_id = ANY(@a)", ("a", advocates)));
    }

    [Fact]
    public async Task A_poison_message_ends_in_the_error_queue_and_admins_see_it_counted()
    {
        await using var kit = await RoutingWebKit.CreateAsync("routing_poison");
        await using var factory = fixture.Factory(kit.Settings(fixture));
        using var client = factory.CreateClient();
        await HealthTests.WaitForHealthAsync(client, HttpStatusCode.OK, TimeSpan.FromSeconds(30));
        var bus = factory.Services.GetRequiredService<MassTransit.IBus>();

        await bus.Publish(new TestimonySubmitted(Guid.Empty, "no such channel!"));

        await RoutingWebKit.EventuallyAsync(async () => await ErrorQueueDepthAsync(kit) >= 1, TimeSpan.FromSeconds(60),
            () => Task.FromResult("nothing reached routing-testimony-submitted_error"));
        var directory = factory.Services.GetRequiredService<RoutingDirectory>();
        await RoutingWebKit.EventuallyAsync(async () => await directory.UnresolvedFaultCountAsync() == 1, TimeSpan.FromSeconds(30),
            () => Task.FromResult("the fault was not recorded for admins"));
        var fault = Assert.Single(await directory.FaultsAsync());
        Assert.Equal(nameof(TestimonySubmitted), fault.MessageType);
        Assert.Contains("PoisonRoutingMessageException", fault.ExceptionType, StringComparison.Ordinal);
        Assert.Contains(await factory.Services.GetRequiredService<StaffNotifications>().ForAdminsAsync(), n => n.Kind == "routing_fault");
        var queue = JsonDocument.Parse(await kit.VirtualHost.GetJsonAsync("api/queues/{vhost}/routing-testimony-submitted")).RootElement;
        Assert.Equal("quorum", queue.GetProperty("type").GetString());
    }

    /// <summary>Counts messages of one type that a consumer finished (successfully or not) in this process.</summary>
    internal sealed class ConsumedCounter<TMessage> : MassTransit.IConsumeObserver where TMessage : class
    {
        private int _count;

        public int Count => Volatile.Read(ref _count);

        public Task PreConsume<T>(MassTransit.ConsumeContext<T> context) where T : class => Task.CompletedTask;

        public Task PostConsume<T>(MassTransit.ConsumeContext<T> context) where T : class
        {
            if (typeof(T) == typeof(TMessage))
            {
                Interlocked.Increment(ref _count);
            }
            return Task.CompletedTask;
        }

        public Task ConsumeFault<T>(MassTransit.ConsumeContext<T> context, Exception exception) where T : class => Task.CompletedTask;
    }

    internal static async Task<long> ErrorQueueDepthAsync(RoutingWebKit kit)
    {
        try
        {
            var queue = JsonDocument.Parse(await kit.VirtualHost.GetJsonAsync("api/queues/{vhost}/routing-testimony-submitted_error")).RootElement;
            return queue.TryGetProperty("messages", out var messages) ? messages.GetInt64() : 0;
        }
        catch (HttpRequestException)
        {
            return 0; // not declared yet
        }
    }

    private static async Task<Guid> SingleCaseAsync(RoutingWebKit kit)
    {
        await using var command = kit.App.CreateCommand("SELECT id FROM intake.cases");
        return (Guid)(await command.ExecuteScalarAsync())!;
    }
}
