using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Intake.Core.Crypto;
using Intake.Core.Ledger;
using Intake.Storage.Ledger;
using Intake.Web.Ledger;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Intake.Web.Tests;

/// <summary>The public transparency endpoints, checked the way an outside verifier would.</summary>
[Collection(WebCollection.Name)]
public sealed class LedgerEndpointTests(WebFixture fixture)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private static async Task<List<AppendedEntry>> AppendAsync(WebApplicationFactory<Program> factory, int count)
    {
        var writer = factory.Services.GetRequiredService<LedgerWriter>();
        var entries = new List<AppendedEntry>();
        for (var i = 0; i < count; i++)
        {
            entries.Add(await writer.AppendAsync(new LedgerAppend(LedgerEntryKind.Submission, Guid.NewGuid(), RandomNumberGenerator.GetBytes(64))));
        }
        return entries;
    }

    private static async Task<NoteVerifier> VerifierFromKeyEndpointAsync(HttpClient client)
    {
        var text = await client.GetStringAsync("/ledger/key");
        var spki = ProofBundleKeys.PublicKeyFromPem(text[text.IndexOf("-----BEGIN", StringComparison.Ordinal)..]);
        return new NoteVerifier([ProofBundleKeys.VerifierKey("intake-test", spki)]);
    }

    [Fact]
    public async Task The_signed_checkpoint_verifies_with_the_published_key_and_proves_every_entry()
    {
        await using var factory = fixture.Factory();
        using var client = factory.CreateClient();
        var entries = await AppendAsync(factory, 11);
        await factory.Services.GetRequiredService<LedgerCheckpointer>().CheckpointAsync();

        var note = await client.GetStringAsync("/ledger/checkpoint");
        var (body, signedBy) = (await VerifierFromKeyEndpointAsync(client)).Verify(note);
        var checkpoint = CheckpointBody.Parse(body);

        Assert.Equal(["intake-test"], signedBy);
        Assert.Equal("intake-test", checkpoint.Origin);
        foreach (var entry in entries.Where(e => e.Sequence < checkpoint.TreeSize))
        {
            var proof = (await client.GetFromJsonAsync<InclusionProofResponse>($"/ledger/proofs/inclusion/{entry.Sequence}", Json))!;
            Assert.Equal(checkpoint.TreeSize, proof.TreeSize);
            Assert.Equal(Convert.ToBase64String(entry.LeafHash), proof.LeafHash);
            Assert.True(MerkleVerifier.VerifyInclusion(entry.Sequence, proof.TreeSize, entry.LeafHash,
                proof.Proof.Select(Convert.FromBase64String).ToList(), checkpoint.RootHash.Span), $"entry {entry.Sequence}");
        }
    }

    [Fact]
    public async Task A_later_checkpoint_is_consistent_with_an_earlier_one()
    {
        await using var factory = fixture.Factory();
        using var client = factory.CreateClient();
        var checkpointer = factory.Services.GetRequiredService<LedgerCheckpointer>();
        await AppendAsync(factory, 5);
        var first = CheckpointBody.Parse((await VerifierFromKeyEndpointAsync(client)).Verify((await checkpointer.CheckpointAsync()).Note).Body);
        await AppendAsync(factory, 9);
        await checkpointer.CheckpointAsync();
        var second = CheckpointBody.Parse((await VerifierFromKeyEndpointAsync(client)).Verify(await client.GetStringAsync("/ledger/checkpoint")).Body);

        var proof = (await client.GetFromJsonAsync<ConsistencyProofResponse>($"/ledger/proofs/consistency?from={first.TreeSize}&to={second.TreeSize}", Json))!;

        Assert.True(second.TreeSize > first.TreeSize);
        Assert.True(MerkleVerifier.VerifyConsistency(first.TreeSize, second.TreeSize, first.RootHash.Span, second.RootHash.Span,
            proof.Proof.Select(Convert.FromBase64String).ToList()));
    }

    private static async Task<(Intake.Testing.TestDatabase Database, Dictionary<string, string> Settings)> FreshLedgerAsync(WebFixture fixture, string purpose)
    {
        var database = await Intake.Testing.TestDatabase.CreateAsync(purpose);
        await new Intake.Storage.MigrationRunner(database.Migrator, Microsoft.Extensions.Logging.Abstractions.NullLogger<Intake.Storage.MigrationRunner>.Instance)
            .MigrateAsync(Intake.Storage.Migration.All);
        var settings = fixture.Settings();
        settings["Database:App"] = database.App;
        settings["Database:Purger"] = database.Purger;
        return (database, settings);
    }

    [Fact]
    public async Task Before_the_first_checkpoint_the_endpoints_say_so_with_problem_details()
    {
        var (database, settings) = await FreshLedgerAsync(fixture, "web_ledger_none");
        await using var _ = database;
        settings["Intake:Role"] = "Web"; // no worker, so nothing signs on its own
        await using var factory = fixture.Factory(settings);
        using var client = factory.CreateClient();
        await AppendAsync(factory, 2);

        foreach (var url in new[] { "/ledger/checkpoint", "/ledger/proofs/inclusion/0" })
        {
            var response = await client.GetAsync(url);
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }
    }

    [Fact]
    public async Task A_worker_signs_a_checkpoint_on_schedule_once_the_log_grows()
    {
        var (database, settings) = await FreshLedgerAsync(fixture, "web_ledger_schedule");
        await using var _ = database;
        settings["Ledger:CheckpointInterval"] = "00:00:01";
        await using var factory = fixture.Factory(settings);
        using var client = factory.CreateClient();
        await AppendAsync(factory, 3);

        var deadline = DateTime.UtcNow.AddSeconds(20);
        CheckpointBody? checkpoint = null;
        while (DateTime.UtcNow < deadline && checkpoint?.TreeSize != 3)
        {
            await Task.Delay(250);
            var response = await client.GetAsync("/ledger/checkpoint");
            if (response.IsSuccessStatusCode)
            {
                checkpoint = CheckpointBody.Parse((await VerifierFromKeyEndpointAsync(client)).Verify(await response.Content.ReadAsStringAsync()).Body);
            }
        }

        Assert.Equal(3, checkpoint?.TreeSize);
    }

    [Theory]
    [InlineData("/ledger/proofs/inclusion/0?treeSize=0", HttpStatusCode.BadRequest)]
    [InlineData("/ledger/proofs/inclusion/-1?treeSize=1", HttpStatusCode.BadRequest)]
    [InlineData("/ledger/proofs/inclusion/0?treeSize=999999999", HttpStatusCode.BadRequest)]
    [InlineData("/ledger/proofs/inclusion/5?treeSize=3", HttpStatusCode.NotFound)]
    [InlineData("/ledger/proofs/inclusion/0?treeSize=abc", HttpStatusCode.BadRequest)]
    [InlineData("/ledger/proofs/consistency?from=3&to=2", HttpStatusCode.BadRequest)]
    [InlineData("/ledger/proofs/consistency?from=0&to=2", HttpStatusCode.BadRequest)]
    [InlineData("/ledger/proofs/consistency?from=1", HttpStatusCode.BadRequest)]
    [InlineData("/ledger/proofs/consistency?from=1&to=999999999", HttpStatusCode.BadRequest)]
    public async Task Bad_proof_requests_get_a_problem_details_answer(string url, HttpStatusCode expected)
    {
        await using var factory = fixture.Factory();
        using var client = factory.CreateClient();
        await AppendAsync(factory, 4);

        var response = await client.GetAsync(url);

        Assert.Equal(expected, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal((int)expected, problem.GetProperty("status").GetInt32());
    }
}
