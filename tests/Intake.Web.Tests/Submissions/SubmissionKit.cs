using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Intake.Core.Crypto;
using Intake.Storage.Cases;
using Microsoft.Extensions.DependencyInjection;

namespace Intake.Web.Tests.Submissions;

/// <summary>A survivor's browser, done in .NET: seals a submission and drives the HTTP API.</summary>
public sealed class SubmissionKit
{
    public sealed record Advocate(byte[] PrivateKey, byte[] PublicKey);

    public sealed record Sealed(
        Envelope Envelope, byte[] HeaderHash, byte[] ContentKey, IReadOnlyList<byte[]> Streams,
        SurvivorReceipt Receipt, byte[] LookupId, byte[] Vault);

    public string Channel { get; }
    public IReadOnlyList<Advocate> Advocates { get; }

    private SubmissionKit(string channel, IReadOnlyList<Advocate> advocates)
    {
        Channel = channel;
        Advocates = advocates;
    }

    public static async Task<SubmissionKit> CreateChannelAsync(IServiceProvider services, int advocates = 2)
    {
        var directory = services.GetRequiredService<ChannelDirectory>();
        var channel = $"t-{Guid.NewGuid():N}"[..20];
        await directory.AddChannelAsync(new Channel(channel, "Test channel", "测试渠道"), "test");
        var keys = new List<Advocate>();
        for (var i = 0; i < advocates; i++)
        {
            var (privateKey, publicKey) = HpkeSuite.GenerateKeyPair();
            await directory.AddKeyAsync(channel, publicKey, "test");
            keys.Add(new Advocate(privateKey, publicKey));
        }
        return new SubmissionKit(channel, keys);
    }

    public async Task<Sealed> SealAsync(params string[] contents)
    {
        var contentKey = EnvelopeSealer.GenerateContentKey();
        var (replyPrivate, replyPublic) = HpkeSuite.GenerateKeyPair();
        var bytes = contents.Select(Encoding.UTF8.GetBytes).ToList();
        var headers = bytes.Select((b, i) => StreamHeader.Create(i == 0 ? StreamPurpose.Body : StreamPurpose.Attachment, b.Length)).ToList();
        var envelope = EnvelopeSealer.Seal(EnvelopeKind.Submission, Channel, null, replyPublic,
            Advocates.Select(a => (ReadOnlyMemory<byte>)a.PublicKey).ToList(), headers, contentKey);
        var headerHash = envelope.Header.ComputeHash();
        var streams = new List<byte[]>();
        for (var i = 0; i < bytes.Count; i++)
        {
            using var output = new MemoryStream();
            await ContentStreamSealer.SealAsync(contentKey, headerHash, headers[i], new MemoryStream(bytes[i]), bytes[i].Length, output);
            streams.Add(output.ToArray());
        }
        var receipt = SurvivorReceipt.Generate();
        using var secrets = ReceiptSecrets.Derive(receipt);
        var vault = ReceiptVault.Seal(secrets.VaultKey, replyPrivate, contentKey);
        return new Sealed(envelope, headerHash, contentKey, streams, receipt, (byte[])secrets.LookupId.Clone(), vault);
    }

    public static async Task<Guid> UploadAsync(HttpClient client, byte[] stream, int partLength = 40_000)
    {
        var created = await client.PostAsJsonAsync("/api/uploads", new { header = Base64UrlStrict.Encode(stream.AsSpan(0, StreamHeader.Length)) });
        created.EnsureSuccessStatusCode();
        var id = JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetGuid();
        for (int offset = 0, part = 0; offset < stream.Length; offset += partLength, part++)
        {
            var piece = stream.AsSpan(offset, Math.Min(partLength, stream.Length - offset)).ToArray();
            (await client.PutAsync($"/api/uploads/{id}/parts/{part}", new ByteArrayContent(piece))).EnsureSuccessStatusCode();
        }
        return id;
    }

    public static string RequestJson(Sealed submission, IEnumerable<Guid> uploads, string? envelopeJson = null, string? pow = null) =>
        $"{{\"envelope\":{envelopeJson ?? submission.Envelope.ToJson()},\"uploads\":[{string.Join(",", uploads.Select(u => $"\"{u}\""))}]," +
        $"\"lookupId\":\"{Base64UrlStrict.Encode(submission.LookupId)}\",\"vault\":\"{Base64UrlStrict.Encode(submission.Vault)}\"" +
        (pow is null ? "}" : $",\"proofOfWork\":{pow}}}");

    /// <summary>Asks for a challenge and solves it, as the survivor's browser does.</summary>
    public static async Task<string> ProofOfWorkAsync(HttpClient client)
    {
        var challenge = JsonDocument.Parse(await client.GetStringAsync("/api/pow")).RootElement;
        var text = challenge.GetProperty("challenge").GetString()!;
        var nonce = Web.Submissions.ProofOfWork.Solve(text, challenge.GetProperty("difficulty").GetInt32());
        return $"{{\"challenge\":\"{text}\",\"nonce\":\"{nonce}\"}}";
    }

    public Task<HttpResponseMessage> SubmitAsync(HttpClient client, string json) =>
        client.PostAsync($"/api/channels/{Channel}/submissions", new StringContent(json, Encoding.UTF8, "application/json"));
}
