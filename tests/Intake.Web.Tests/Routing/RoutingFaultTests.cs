using System.Net;
using System.Security.Cryptography;
using Intake.Core.Crypto;
using Intake.Storage.Cases;
using Intake.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Intake.Web.Tests.Routing;

/// <summary>Routing against the real RabbitMQ when things go wrong: the broker away, a lost publish.</summary>
[Collection(WebCollection.Name)]
public sealed class RoutingFaultTests(WebFixture fixture)
{
    [Fact]
    public async Task Submissions_arriving_while_RabbitMQ_is_cut_off_are_accepted_and_routed_once_it_is_back()
    {
        await using var kit = await RoutingWebKit.CreateAsync("routing_outage");
        await kit.AdvocateAsync();
        await kit.AdvocateAsync();
        await using var proxy = new TcpProxy(TestServices.RabbitHost, TestServices.RabbitPort);
        await using var factory = fixture.Factory(kit.Settings(fixture, rabbitPort: proxy.Port));
        using var client = factory.CreateClient();
        await HealthTests.WaitForHealthAsync(client, HttpStatusCode.OK, TimeSpan.FromSeconds(30));
        var prepared = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            prepared.Add(await kit.PrepareAsync(client, $"testimony during the outage {i}"));
        }

        proxy.Cut();
        var responses = await Task.WhenAll(prepared.Select(json => client.PostAsync($"/api/channels/{kit.Channel}/submissions",
            new StringContent(json, System.Text.Encoding.UTF8, "application/json"))));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.Created, r.StatusCode));
        Assert.Equal(4, await kit.CasesAsync());
        Assert.Equal(0, await kit.AssignedCasesAsync()); // nobody can consume while the broker is away

        proxy.Restore();
        await RoutingWebKit.EventuallyAsync(async () => await kit.AssignedCasesAsync() == 4, TimeSpan.FromSeconds(90),
            async () => $"{await kit.AssignedCasesAsync()} of 4 cases routed after RabbitMQ came back");
        Assert.Equal(0, await kit.DoublyAssignedAsync());
        Assert.Equal(4, await kit.ScalarAsync("SELECT count(*) FROM intake.ledger_entries WHERE kind = 6"));
    }

    [Fact]
    public async Task A_case_committed_without_its_announcement_is_routed_by_the_reconciler()
    {
        await using var kit = await RoutingWebKit.CreateAsync("routing_lost_publish");
        var advocate = await kit.AdvocateAsync();
        await using var factory = fixture.Factory(kit.Settings(fixture));
        using var client = factory.CreateClient();
        await HealthTests.WaitForHealthAsync(client, HttpStatusCode.OK, TimeSpan.FromSeconds(30));

        // What a crash between commit and publish leaves behind: the case, and no message.
        var caseId = await CommitWithoutPublishingAsync(factory.Services, kit);

        await RoutingWebKit.EventuallyAsync(async () => await kit.AssignedCasesAsync() == 1, TimeSpan.FromSeconds(60),
            () => Task.FromResult("the reconciler did not route the unannounced case"));
        Assert.Equal(1, await kit.ScalarAsync("SELECT count(*) FROM intake.case_assignments WHERE case_id = @c AND advocate_id = @a",
            ("c", caseId), ("a", advocate)));
    }

    [Fact]
    public async Task Nobody_eligible_waits_visibly_and_the_reconciler_routes_it_when_an_advocate_frees_capacity()
    {
        await using var kit = await RoutingWebKit.CreateAsync("routing_wait_retry");
        var advocate = await kit.AdvocateAsync(capacity: 0);
        await using var factory = fixture.Factory(kit.Settings(fixture));
        using var client = factory.CreateClient();
        Assert.Equal(HttpStatusCode.Created, (await kit.SubmitAsync(client, "a testimony that must wait")).StatusCode);

        var directory = factory.Services.GetRequiredService<Storage.Routing.RoutingDirectory>();
        await RoutingWebKit.EventuallyAsync(async () => (await directory.WaitingQueueAsync()).Count == 1, TimeSpan.FromSeconds(60),
            () => Task.FromResult("the case did not reach the waiting queue"));
        Assert.Equal("capacity", (await directory.WaitingQueueAsync())[0].Reason);
        Assert.Contains(await factory.Services.GetRequiredService<Storage.Routing.StaffNotifications>().ForAdminsAsync(), n => n.Kind == "case_waiting");

        await kit.Directory.SaveProfileAsync(new Storage.Routing.AdvocateProfile(advocate, true, 1, [kit.Channel], ["zh", "en"], [], []), "test-admin");

        await RoutingWebKit.EventuallyAsync(async () => await kit.AssignedCasesAsync() == 1, TimeSpan.FromSeconds(60),
            () => Task.FromResult("the waiting case was not retried"));
        Assert.Empty(await directory.WaitingQueueAsync());
    }

    internal static async Task<Guid> CommitWithoutPublishingAsync(IServiceProvider services, RoutingWebKit kit)
    {
        var uploads = services.GetRequiredService<UploadStore>();
        var content = RandomNumberGenerator.GetBytes(300);
        var contentKey = EnvelopeSealer.GenerateContentKey();
        var (_, reply) = HpkeSuite.GenerateKeyPair();
        var header = StreamHeader.Create(StreamPurpose.Body, content.Length);
        var envelope = EnvelopeSealer.Seal(EnvelopeKind.Submission, kit.Channel, null, reply, [kit.ChannelKey], [header], contentKey);
        using var sealedStream = new MemoryStream();
        await ContentStreamSealer.SealAsync(contentKey, envelope.Header.ComputeHash(), header, new MemoryStream(content), content.Length, sealedStream);
        var bytes = sealedStream.ToArray();
        var upload = await uploads.CreateAsync(bytes[..30], long.MaxValue);
        await uploads.AppendPartAsync(upload.Id, 0, bytes);
        var accepted = await services.GetRequiredService<SubmissionStore>().AcceptAsync(
            new SubmissionRequest(envelope, [upload.Id], RandomNumberGenerator.GetBytes(32), [7]));
        return accepted.CaseId;
    }
}
