using System.Net;
using System.Text;
using System.Text.Json;
using Intake.Core.Crypto;
using Intake.Core.Ledger;
using Npgsql;

namespace Intake.Web.Tests.Submissions;

/// <summary>The survivor's return visit, authorised only by what her receipt derives.</summary>
[Collection(WebCollection.Name)]
public sealed class CaseApiTests(WebFixture fixture)
{
    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private static async Task<(SubmissionKit Kit, SubmissionKit.Sealed Submission, long Entry)> SubmitAsync(
        Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactory<Program> factory, HttpClient client, string marker)
    {
        var kit = await SubmissionKit.CreateChannelAsync(factory.Services);
        var submission = await kit.SealAsync($"testimony {marker}", $"attachment {marker}");
        var uploads = new List<Guid>();
        foreach (var stream in submission.Streams)
        {
            uploads.Add(await SubmissionKit.UploadAsync(client, stream));
        }
        var response = await kit.SubmitAsync(client, SubmissionKit.RequestJson(submission, uploads, pow: await SubmissionKit.ProofOfWorkAsync(client)));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (kit, submission, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("entry").GetInt64());
    }

    private static string LookupBody(SubmissionKit.Sealed submission, string extra = "") =>
        $"{{\"lookupId\":\"{Base64UrlStrict.Encode(submission.LookupId)}\"{extra}}}";

    [Fact]
    public async Task With_her_receipt_she_sees_her_case_opens_her_vault_adds_a_follow_up_and_gets_a_verifiable_proof()
    {
        await using var factory = fixture.Factory();
        using var client = factory.CreateClient();
        var (_, submission, entry) = await SubmitAsync(factory, client, "return-visit");

        var lookup = await client.PostAsync("/api/cases/lookup", Json(LookupBody(submission)));
        Assert.Equal(HttpStatusCode.OK, lookup.StatusCode);
        var found = JsonDocument.Parse(await lookup.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("new", found.GetProperty("status").GetString());
        Assert.Equal(entry, found.GetProperty("submission").GetProperty("entry").GetInt64());
        using var secrets = ReceiptSecrets.Derive(submission.Receipt);
        var (_, contentKey) = ReceiptVault.Open(secrets.VaultKey, Base64UrlStrict.TryDecode(found.GetProperty("vault").GetString())!);
        Assert.Equal(submission.ContentKey, contentKey);

        // A follow-up: a new stream under her content key, bound to her submission's header hash.
        var text = Encoding.UTF8.GetBytes("I remembered something else.");
        var header = StreamHeader.Create(StreamPurpose.FollowUp, text.Length);
        using var sealedStream = new MemoryStream();
        await ContentStreamSealer.SealAsync(contentKey, submission.HeaderHash, header, new MemoryStream(text), text.Length, sealedStream);
        var upload = await SubmissionKit.UploadAsync(client, sealedStream.ToArray());
        var followUp = await client.PostAsync("/api/cases/follow-ups", Json(LookupBody(submission, $",\"upload\":\"{upload}\"")));
        Assert.Equal(HttpStatusCode.Created, followUp.StatusCode);
        var after = JsonDocument.Parse(await (await client.PostAsync("/api/cases/lookup", Json(LookupBody(submission)))).Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(Base64UrlStrict.Encode(header.Encode()), Assert.Single(after.GetProperty("followUps").EnumerateArray()).GetProperty("stream").GetString());

        var proof = await client.PostAsync("/api/cases/proof", Json(LookupBody(submission)));
        Assert.Equal(HttpStatusCode.OK, proof.StatusCode);
        Assert.Contains("attachment", proof.Content.Headers.ContentDisposition?.DispositionType, StringComparison.Ordinal);
        var bundle = ProofBundle.Parse(await proof.Content.ReadAsStringAsync());
        Assert.Equal(entry, bundle.LeafIndex);
        var leaf = LedgerLeaf.FromLeafInput(Convert.FromBase64String(bundle.LeafInput));
        Assert.Equal(LedgerEntryKind.Submission, leaf.Kind);
        var inclusion = bundle.InclusionProof.Select(Convert.FromBase64String).ToList();
        var verifier = new NoteVerifier([ProofBundleKeys.VerifierKey(bundle.KeyName, ProofBundleKeys.PublicKeyFromPem(bundle.PublicKey))]);
        var checkpoint = CheckpointBody.Parse(verifier.Verify(bundle.Checkpoint).Body);
        Assert.True(MerkleVerifier.VerifyInclusion(entry, checkpoint.TreeSize, leaf.LeafHash(), inclusion, checkpoint.RootHash.Span));
    }

    [Fact]
    public async Task Withdrawal_needs_confirmation_then_removes_every_byte_of_the_case_and_the_receipt_leads_nowhere()
    {
        await using var factory = fixture.Factory();
        using var client = factory.CreateClient();
        var marker = $"withdraw-{Guid.NewGuid():N}";
        var (_, submission, entry) = await SubmitAsync(factory, client, marker);

        var unconfirmed = await client.PostAsync("/api/cases/withdraw", Json(LookupBody(submission)));
        Assert.Equal(HttpStatusCode.BadRequest, unconfirmed.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync("/api/cases/lookup", Json(LookupBody(submission)))).StatusCode);

        var withdrawn = await client.PostAsync("/api/cases/withdraw", Json(LookupBody(submission, ",\"confirm\":true")));
        Assert.Equal(HttpStatusCode.OK, withdrawn.StatusCode);

        Assert.Equal(HttpStatusCode.NotFound, (await client.PostAsync("/api/cases/lookup", Json(LookupBody(submission)))).StatusCode);
        await using var source = NpgsqlDataSource.Create(fixture.Database.Superuser);
        await using var check = source.CreateCommand("""
            SELECT (SELECT count(*) FROM intake.ledger_payloads WHERE seq = @seq),
                   (SELECT count(*) FROM intake.ledger_wrapped_keys WHERE seq = @seq),
                   (SELECT count(*) FROM intake.cases WHERE lookup_id = @lookup),
                   (SELECT count(*) FROM intake.ledger_entries WHERE purged_seq = @seq),
                   (SELECT count(*) FROM intake.ledger_entries WHERE seq = @seq)
            """);
        check.Parameters.AddWithValue("seq", entry);
        check.Parameters.AddWithValue("lookup", submission.LookupId);
        await using (var reader = await check.ExecuteReaderAsync())
        {
            await reader.ReadAsync();
            Assert.Equal(0L, reader.GetInt64(0)); // ciphertext gone
            Assert.Equal(0L, reader.GetInt64(1)); // every wrapped key gone
            Assert.Equal(0L, reader.GetInt64(2)); // the receipt's lookup id gone
            Assert.Equal(1L, reader.GetInt64(3)); // one tombstone
            Assert.Equal(1L, reader.GetInt64(4)); // the leaf stays
        }
        // Nothing that would open the case is left: the streams' bytes, the vault, the sealed keys.
        var dump = await fixture.Database.DumpAsync();
        Assert.Contains("ledger_entries", dump, StringComparison.Ordinal);
        foreach (var secret in submission.Streams.Select(s => s[40..72]).Append(submission.Vault[^32..]).Append(submission.LookupId)
                     .Concat(submission.Envelope.Recipients.Select(r => r.SealedKey.ToArray())))
        {
            Assert.DoesNotContain(Convert.ToHexStringLower(secret), dump, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("{\"lookupId\":\"AAAA\"}", HttpStatusCode.BadRequest)]
    [InlineData("{}", HttpStatusCode.BadRequest)]
    [InlineData("not json", HttpStatusCode.BadRequest)]
    [InlineData("{\"lookupId\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\",\"receipt\":\"x\"}", HttpStatusCode.BadRequest)]
    [InlineData("{\"lookupId\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\"}", HttpStatusCode.NotFound)]
    public async Task A_bad_or_wrong_lookup_gets_a_clear_answer(string body, HttpStatusCode expected)
    {
        await using var factory = fixture.Factory();
        using var client = factory.CreateClient();

        var response = await client.PostAsync("/api/cases/lookup", Json(body));

        Assert.Equal(expected, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Wrong_receipts_are_throttled_and_the_right_one_is_refused_meanwhile_too()
    {
        var settings = fixture.Settings();
        settings["RateLimits:FailedLookupsPerConnection"] = "3";
        await using var factory = fixture.Factory(settings);
        using var client = factory.CreateClient();
        var (_, submission, _) = await SubmitAsync(factory, client, "throttle");
        var wrong = Json("{\"lookupId\":\"" + Base64UrlStrict.Encode(new byte[32]) + "\"}");

        var answers = new List<HttpStatusCode>();
        for (var i = 0; i < 5; i++)
        {
            answers.Add((await client.PostAsync("/api/cases/lookup", Json("{\"lookupId\":\"" + Base64UrlStrict.Encode(new byte[32]) + "\"}"))).StatusCode);
        }

        Assert.Equal([HttpStatusCode.NotFound, HttpStatusCode.NotFound, HttpStatusCode.NotFound, HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests], answers);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await client.PostAsync("/api/cases/lookup", Json(LookupBody(submission)))).StatusCode);
        wrong.Dispose();
    }
}
