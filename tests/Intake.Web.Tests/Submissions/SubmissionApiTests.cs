using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Intake.Core.Crypto;
using Intake.Core.Ledger;
using Intake.Storage.Ledger;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Intake.Web.Tests.Submissions;

[Collection(WebCollection.Name)]
public sealed class SubmissionApiTests(WebFixture fixture)
{
    private async Task<(long Entries, long Cases, long Claimed)> CountsAsync()
    {
        await using var source = NpgsqlDataSource.Create(fixture.Database.Superuser);
        await using var command = source.CreateCommand(
            "SELECT (SELECT count(*) FROM intake.ledger_entries), (SELECT count(*) FROM intake.cases), (SELECT count(*) FROM intake.uploads WHERE case_id IS NOT NULL)");
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2));
    }

    [Fact]
    public async Task A_sealed_submission_is_committed_to_the_ledger_and_only_its_advocates_can_open_it()
    {
        await using var factory = fixture.Factory();
        using var client = factory.CreateClient();
        var kit = await SubmissionKit.CreateChannelAsync(factory.Services);
        var attachment = string.Concat(Enumerable.Repeat("chat export line\n", 9000)); // several 64 KiB chunks
        var sealedSubmission = await kit.SealAsync("What happened, in her words.", attachment);
        var uploads = new List<Guid>();
        foreach (var stream in sealedSubmission.Streams)
        {
            uploads.Add(await SubmissionKit.UploadAsync(client, stream));
        }

        var response = await kit.SubmitAsync(client, SubmissionKit.RequestJson(sealedSubmission, uploads, pow: await SubmissionKit.ProofOfWorkAsync(client)));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        var sequence = body.GetProperty("entry").GetInt64();
        Assert.Equal(Base64UrlStrict.Encode(sealedSubmission.HeaderHash), body.GetProperty("headerHash").GetString());

        // What an advocate's browser gets from the server is enough to open it, and only with her key.
        var reader = factory.Services.GetRequiredService<LedgerReader>();
        var leaf = (await reader.GetLeafAsync(sequence))!;
        Assert.Equal(LedgerEntryKind.Submission, leaf.Kind);
        Assert.Equal(Base64UrlStrict.Encode(leaf.LeafHash()), body.GetProperty("leafHash").GetString());
        var stored = await Survivor.StoredCase.FindAsync(fixture.Database.App, sealedSubmission.LookupId);
        Assert.NotNull(stored);
        Assert.Equal(sealedSubmission.HeaderHash, stored.Envelope.Header.ComputeHash());
        foreach (var advocate in kit.Advocates)
        {
            Assert.Equal(sealedSubmission.ContentKey, EnvelopeOpener.OpenContentKey(stored.Envelope, advocate.PrivateKey));
        }
        var (_, stranger) = HpkeSuite.GenerateKeyPair();
        Assert.ThrowsAny<CryptographicException>(() => EnvelopeOpener.OpenContentKey(stored.Envelope, stranger));

        var opened = await stored.OpenStreamAsync(sealedSubmission.ContentKey, sealedSubmission.HeaderHash, stored.Envelope.Header.Streams[1]);
        Assert.Equal(attachment, Encoding.UTF8.GetString(opened));
    }

    [Fact]
    public async Task An_upload_resumes_after_a_dropped_connection_and_refuses_parts_out_of_order_or_changed()
    {
        await using var factory = fixture.Factory();
        using var client = factory.CreateClient();
        var kit = await SubmissionKit.CreateChannelAsync(factory.Services, advocates: 1);
        var stream = (await kit.SealAsync(new string('x', 150_000))).Streams[0];
        var created = await client.PostAsync("/api/uploads", JsonContent(new { header = Base64UrlStrict.Encode(stream.AsSpan(0, 30)) }));
        var id = JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetGuid();
        var part0 = stream[..100_000];
        var part1 = stream[100_000..];

        Assert.Equal(HttpStatusCode.OK, (await client.PutAsync($"/api/uploads/{id}/parts/0", new ByteArrayContent(part0))).StatusCode);
        // The answer was lost; the browser sends part 0 again, then asks where to go on.
        Assert.Equal(HttpStatusCode.OK, (await client.PutAsync($"/api/uploads/{id}/parts/0", new ByteArrayContent(part0))).StatusCode);
        var status = JsonDocument.Parse(await client.GetStringAsync($"/api/uploads/{id}")).RootElement;
        Assert.Equal(1, status.GetProperty("nextPart").GetInt32());
        Assert.Equal(HttpStatusCode.Conflict, (await client.PutAsync($"/api/uploads/{id}/parts/0", new ByteArrayContent(part1))).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await client.PutAsync($"/api/uploads/{id}/parts/2", new ByteArrayContent(part1))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.PutAsync($"/api/uploads/{id}/parts/1", new ByteArrayContent(part1))).StatusCode);

        status = JsonDocument.Parse(await client.GetStringAsync($"/api/uploads/{id}")).RootElement;
        Assert.True(status.GetProperty("complete").GetBoolean());
        Assert.Equal(stream.Length, status.GetProperty("receivedLength").GetInt64());
    }

    private static StringContent JsonContent(object value) => new(JsonSerializer.Serialize(value), Encoding.UTF8, "application/json");

    public static TheoryData<string, HttpStatusCode> BadSubmissions => new()
    {
        { "oversize body", HttpStatusCode.RequestEntityTooLarge },
        { "not json", HttpStatusCode.BadRequest },
        { "truncated envelope", HttpStatusCode.BadRequest },
        { "unknown key id", HttpStatusCode.BadRequest },
        { "other channel in envelope", HttpStatusCode.BadRequest },
        { "unknown channel", HttpStatusCode.NotFound },
        { "incomplete upload", HttpStatusCode.BadRequest },
        { "uploads in the wrong order", HttpStatusCode.BadRequest },
        { "unknown upload", HttpStatusCode.BadRequest },
        { "missing vault", HttpStatusCode.BadRequest },
        { "extra member", HttpStatusCode.BadRequest },
        { "no proof of work", HttpStatusCode.BadRequest },
        { "wrong proof of work", HttpStatusCode.BadRequest },
        { "forged challenge", HttpStatusCode.BadRequest },
        { "reused proof of work", HttpStatusCode.BadRequest },
        { "receipt already used", HttpStatusCode.Conflict },
        { "upload already used", HttpStatusCode.Conflict },
        { "period of her own of zero days", HttpStatusCode.BadRequest },
        { "period of her own too long", HttpStatusCode.BadRequest },
        { "period of her own not a number", HttpStatusCode.BadRequest },
    };

    [Theory]
    [MemberData(nameof(BadSubmissions))]
    public async Task A_bad_submission_gets_a_clear_4xx_and_nothing_of_it_is_stored(string name, HttpStatusCode expected)
    {
        await using var factory = fixture.Factory();
        using var client = factory.CreateClient();
        var kit = await SubmissionKit.CreateChannelAsync(factory.Services);
        async Task<string> Json(SubmissionKit.Sealed submission, IEnumerable<Guid> ids, string? envelope = null) =>
            SubmissionKit.RequestJson(submission, ids, envelope, await SubmissionKit.ProofOfWorkAsync(client));
        var good = await kit.SealAsync("body", "attachment");
        var uploads = new List<Guid> { await SubmissionKit.UploadAsync(client, good.Streams[0]), await SubmissionKit.UploadAsync(client, good.Streams[1]) };
        var json = await Json(good, uploads);
        var channel = kit.Channel;
        switch (name)
        {
            case "oversize body": json = json.Replace("\"vault\":\"", "\"vault\":\"" + new string('A', 70_000), StringComparison.Ordinal); break;
            case "not json": json = "{\"envelope\": [1, 2"; break;
            case "truncated envelope": json = await Json(good, uploads, good.Envelope.ToJson()[..^40] + "\"}"); break;
            case "unknown key id":
                var other = await SubmissionKit.CreateChannelAsync(factory.Services, advocates: 1);
                var foreign = await other.SealAsync("body", "attachment");
                json = await Json(good, uploads, foreign.Envelope.ToJson().Replace(other.Channel, kit.Channel, StringComparison.Ordinal));
                break;
            case "other channel in envelope":
                var elsewhere = await SubmissionKit.CreateChannelAsync(factory.Services, advocates: 1);
                channel = elsewhere.Channel;
                break;
            case "unknown channel": channel = "no-such-channel"; break;
            case "incomplete upload":
                var partial = await client.PostAsync("/api/uploads", JsonContent(new { header = Base64UrlStrict.Encode(good.Streams[1].AsSpan(0, 30)) }));
                var partialId = JsonDocument.Parse(await partial.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetGuid();
                await client.PutAsync($"/api/uploads/{partialId}/parts/0", new ByteArrayContent(good.Streams[1][..100]));
                json = await Json(good, [uploads[0], partialId]);
                break;
            case "uploads in the wrong order": json = await Json(good, [uploads[1], uploads[0]]); break;
            case "unknown upload": json = await Json(good, [uploads[0], Guid.NewGuid()]); break;
            case "missing vault": json = json.Replace($",\"vault\":\"{Base64UrlStrict.Encode(good.Vault)}\"", "", StringComparison.Ordinal); break;
            case "no proof of work": json = SubmissionKit.RequestJson(good, uploads); break;
            case "wrong proof of work":
                var issued = JsonDocument.Parse(await client.GetStringAsync("/api/pow")).RootElement.GetProperty("challenge").GetString()!;
                var wrong = Enumerable.Range(0, 100).Select(n => n.ToString(System.Globalization.CultureInfo.InvariantCulture))
                    .First(n => Web.Submissions.ProofOfWork.LeadingZeroBits(SHA256.HashData(Encoding.UTF8.GetBytes($"{issued}:{n}"))) < 16);
                json = SubmissionKit.RequestJson(good, uploads, pow: $"{{\"challenge\":\"{issued}\",\"nonce\":\"{wrong}\"}}");
                break;
            case "forged challenge": json = SubmissionKit.RequestJson(good, uploads, pow: "{\"challenge\":\"" + new string('A', 54) + "\",\"nonce\":\"1\"}"); break;
            case "reused proof of work":
                var spent = await SubmissionKit.ProofOfWorkAsync(client);
                var first = await kit.SealAsync("body", "attachment");
                var firstUploads = new List<Guid> { await SubmissionKit.UploadAsync(client, first.Streams[0]), await SubmissionKit.UploadAsync(client, first.Streams[1]) };
                Assert.Equal(HttpStatusCode.Created, (await kit.SubmitAsync(client, SubmissionKit.RequestJson(first, firstUploads, pow: spent))).StatusCode);
                json = SubmissionKit.RequestJson(good, uploads, pow: spent);
                break;
            case "extra member": json = json[..^1] + ",\"ip\":\"1.2.3.4\"}"; break;
            case "period of her own of zero days": json = json[..^1] + ",\"keepDays\":0}"; break;
            case "period of her own too long": json = json[..^1] + ",\"keepDays\":3651}"; break;
            case "period of her own not a number": json = json[..^1] + ",\"keepDays\":\"30\"}"; break;
            case "receipt already used":
                Assert.Equal(HttpStatusCode.Created, (await kit.SubmitAsync(client, json)).StatusCode);
                var again = await kit.SealAsync("body", "attachment");
                var againUploads = new List<Guid> { await SubmissionKit.UploadAsync(client, again.Streams[0]), await SubmissionKit.UploadAsync(client, again.Streams[1]) };
                json = await Json(again with { LookupId = good.LookupId }, againUploads);
                break;
            case "upload already used":
                Assert.Equal(HttpStatusCode.Created, (await kit.SubmitAsync(client, json)).StatusCode);
                var second = await kit.SealAsync("body", "attachment");
                json = await Json(second with { Envelope = good.Envelope }, uploads);
                break;
        }
        var before = await CountsAsync();

        var response = await client.PostAsync($"/api/channels/{channel}/submissions", new StringContent(json, Encoding.UTF8, "application/json"));

        Assert.Equal(expected, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("title").GetString()));
        Assert.Equal(before, await CountsAsync());
    }

    [Fact]
    public async Task Ten_thousand_mutated_envelopes_never_cause_a_server_error()
    {
        await using var factory = fixture.Factory();
        using var client = factory.CreateClient();
        var kit = await SubmissionKit.CreateChannelAsync(factory.Services);
        var good = await kit.SealAsync("body");
        var upload = await SubmissionKit.UploadAsync(client, good.Streams[0]);
        var envelope = good.Envelope.ToJson();
        var random = new Random(20261121);
        var statuses = new Dictionary<HttpStatusCode, int>();

        for (var i = 0; i < 10_000; i++)
        {
            var mutated = Mutate(envelope, random);
            var json = random.Next(10) == 0
                ? Mutate(SubmissionKit.RequestJson(good, [upload], envelope), random)
                : SubmissionKit.RequestJson(good, [upload], mutated);
            var response = await kit.SubmitAsync(client, json);
            statuses[response.StatusCode] = statuses.GetValueOrDefault(response.StatusCode) + 1;
            Assert.True((int)response.StatusCode < 500, $"mutation {i} got {(int)response.StatusCode}: {json}");
        }

        Assert.True(statuses.GetValueOrDefault(HttpStatusCode.BadRequest) > 9_000, string.Join(", ", statuses));
    }

    // Byte-level and structure-level damage: flips, cuts, insertions, deletions, type swaps.
    private static string Mutate(string json, Random random)
    {
        var chars = json.ToCharArray().ToList();
        switch (random.Next(7))
        {
            case 0:
                var at = random.Next(chars.Count);
                chars[at] = (char)(chars[at] ^ (1 << random.Next(7)));
                break;
            case 1:
                chars = chars.Take(random.Next(chars.Count)).ToList();
                break;
            case 2:
                chars.InsertRange(random.Next(chars.Count), "\",{}[]:0-e\\u0000\u4e2d\ud83d\ude00null1e999"[random.Next(20)..][..random.Next(1, 5)]);
                break;
            case 3:
                var start = random.Next(chars.Count);
                chars.RemoveRange(start, Math.Min(random.Next(1, 40), chars.Count - start));
                break;
            case 4:
                return json.Replace("\"v\":1", random.Next(2) == 0 ? "\"v\":\"1\"" : "\"v\":1.0", StringComparison.Ordinal);
            case 5:
                return json.Replace("\"recipients\":[", "\"recipients\":[" + string.Concat(Enumerable.Repeat("{\"kid\":\"AAAAAAAAAAAAAAAAAAAAAA\",\"enc\":\"x\",\"sealedKey\":\"y\"},", random.Next(1, 40))), StringComparison.Ordinal);
            default:
                var index = random.Next(chars.Count);
                chars.InsertRange(index, new string(chars[index], random.Next(1, 2000)));
                break;
        }
        return new string(chars.ToArray());
    }
}
