using System.Buffers.Text;
using System.Security.Cryptography;
using Intake.Core.Crypto;

namespace Intake.Web.Tests.Crypto;

/// <summary>Intake.Core seals, wraps and signs; the browser opens, unwraps and verifies, and rejects tampering.</summary>
[Collection(WebCollection.Name)]
public sealed class DotNetToBrowserTests(CryptoPage page) : IClassFixture<CryptoPage>
{
    private const int SealedChunk = StreamHeader.ChunkLength + StreamHeader.TagLength;

    [Fact]
    public async Task Submission_sealed_in_dotnet_opens_in_the_browser_for_every_advocate()
    {
        var advocates = new[] { HpkeSuite.GenerateKeyPair(), HpkeSuite.GenerateKeyPair() };
        var survivor = HpkeSuite.GenerateKeyPair();
        byte[][] contents = [RandomNumberGenerator.GetBytes(200_000), RandomNumberGenerator.GetBytes(65_537), [], RandomNumberGenerator.GetBytes(1)];
        var (envelope, contentKey, streams) = await SealInDotNetAsync("campus-beijing", survivor.PublicKey, advocates.Select(a => a.PublicKey), contents);

        foreach (var advocate in advocates)
        {
            var opened = await page.CallAsync<CaseOpenResult>("openCase", envelope.ToJson(), Vectors.B64(advocate.PrivateKey), streams.Select(Vectors.B64).ToArray());
            Assert.True(opened.Ok, opened.Code);
            Assert.Equal(contents, opened.Contents!.Select(Convert.FromBase64String));

            var key = await page.CallAsync<EnvelopeOpenResult>("openEnvelope", envelope.ToJson(), Vectors.B64(advocate.PrivateKey));
            Assert.Equal(contentKey, Convert.FromBase64String(key.ContentKey!));
            Assert.Equal(envelope.Header.ComputeHash(), Convert.FromBase64String(key.HeaderHash!));
        }
    }

    [Theory]
    [InlineData("channel", "authentication")]
    [InlineData("stream-order", "authentication")]
    [InlineData("not-a-recipient", "not-a-recipient")]
    public async Task Browser_refuses_a_dotnet_envelope_that_was_moved_reordered_or_is_not_for_this_key(string change, string code)
    {
        var advocate = HpkeSuite.GenerateKeyPair();
        var (envelope, _, _) = await SealInDotNetAsync("campus-a", HpkeSuite.GenerateKeyPair().PublicKey, [advocate.PublicKey], [[1, 2, 3], [4], [5]]);
        var json = envelope.ToJson();
        var key = advocate.PrivateKey;
        switch (change)
        {
            case "channel":
                json = json.Replace("\"campus-a\"", "\"campus-b\"", StringComparison.Ordinal);
                break;
            case "stream-order":
                var streams = envelope.Header.Streams.Select(s => Base64Url.EncodeToString(s.Encode())).ToArray();
                json = json.Replace($"\"{streams[1]}\",\"{streams[2]}\"", $"\"{streams[2]}\",\"{streams[1]}\"", StringComparison.Ordinal);
                break;
            default:
                key = HpkeSuite.GenerateKeyPair().PrivateKey;
                break;
        }
        Assert.NotEqual(change == "not-a-recipient", json != envelope.ToJson());

        var opened = await page.CallAsync<EnvelopeOpenResult>("openEnvelope", json, Vectors.B64(key));
        Assert.Equal((false, code), (opened.Ok, opened.Code));
    }

    [Theory]
    [InlineData("none", null)]
    [InlineData("flip-byte-in-middle-chunk", "authentication")]
    [InlineData("flip-byte-in-final-tag", "authentication")]
    [InlineData("drop-final-chunk", "truncated")]
    [InlineData("cut-last-byte", "truncated")]
    [InlineData("reorder-chunks", "authentication")]
    [InlineData("duplicate-chunk", "authentication")]
    [InlineData("middle-chunk-presented-as-final", "authentication")]
    [InlineData("append-byte", "trailing-data")]
    [InlineData("other-envelope-header-hash", "authentication")]
    [InlineData("other-stream-than-listed", "header-mismatch")]
    public async Task Browser_open_rejects_each_tampering_of_a_dotnet_sealed_stream(string tampering, string? code)
    {
        var contentKey = EnvelopeSealer.GenerateContentKey();
        var headerHash = RandomNumberGenerator.GetBytes(32);
        var content = RandomNumberGenerator.GetBytes(150_000);
        var header = StreamHeader.Create(StreamPurpose.Body, content.Length);
        Assert.Equal(3, header.ChunkCount);
        var wire = await SealStreamAsync(contentKey, headerHash, header, content);
        var expected = header;

        byte[] Chunk(int i) => wire.Skip(StreamHeader.Length + (i * SealedChunk)).Take(i < 2 ? SealedChunk : wire.Length).ToArray();
        byte[] head = wire[..StreamHeader.Length];
        switch (tampering)
        {
            case "flip-byte-in-middle-chunk":
                wire[StreamHeader.Length + SealedChunk + 1000] ^= 0x01;
                break;
            case "flip-byte-in-final-tag":
                wire[^1] ^= 0x80;
                break;
            case "drop-final-chunk":
                wire = [.. head, .. Chunk(0), .. Chunk(1)];
                break;
            case "cut-last-byte":
                wire = wire[..^1];
                break;
            case "reorder-chunks":
                wire = [.. head, .. Chunk(1), .. Chunk(0), .. Chunk(2)];
                break;
            case "duplicate-chunk":
                wire = [.. head, .. Chunk(0), .. Chunk(0), .. Chunk(2)];
                break;
            case "middle-chunk-presented-as-final":
                // Rewrite P to 131,072 (a valid bucket of exactly two chunks) and drop the real final chunk.
                var shortened = head.ToArray();
                System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(shortened.AsSpan(22), 131_072);
                wire = [.. shortened, .. Chunk(0), .. Chunk(1)];
                expected = StreamHeader.TryDecode(shortened, out _)!;
                break;
            case "append-byte":
                wire = [.. wire, 0];
                break;
            case "other-envelope-header-hash":
                headerHash = RandomNumberGenerator.GetBytes(32);
                break;
            case "other-stream-than-listed":
                expected = StreamHeader.Create(StreamPurpose.Body, content.Length);
                break;
        }

        // Fed in odd-sized pieces, so reads straddle chunk boundaries.
        var opened = await page.CallAsync<OpenStreamResult>(
            "openStream", Vectors.B64(contentKey), Vectors.B64(headerHash), Vectors.B64(expected.Encode()), Vectors.B64(wire), 7_777);
        if (code is null)
        {
            Assert.True(opened.Ok, opened.Code);
            Assert.Equal(content, Convert.FromBase64String(opened.Content!));
        }
        else
        {
            Assert.Equal((false, code), (opened.Ok, opened.Code));
            Assert.Null(opened.Content);
        }
    }

    [Fact]
    public async Task Advocate_key_wrapped_in_dotnet_unwraps_in_the_browser_only_with_the_passphrase()
    {
        var (privateKey, _) = HpkeSuite.GenerateKeyPair();
        var record = AdvocateKeyWrap.Wrap(privateKey, "ein langes Passwort für die Beratungsstelle").ToJson();

        var unwrapped = await page.CallAsync<UnwrapResult>("unwrapAdvocateKey", record, "ein langes Passwort für die Beratungsstelle");
        Assert.True(unwrapped.Ok, unwrapped.Code);
        Assert.Equal(privateKey, Convert.FromBase64String(unwrapped.PrivateKey!));

        var wrong = await page.CallAsync<UnwrapResult>("unwrapAdvocateKey", record, "ein langes Passwort fur die Beratungsstelle");
        Assert.Equal((false, "wrong-passphrase-or-tampered"), (wrong.Ok, wrong.Code));
    }

    [Fact]
    public async Task Receipt_and_vault_from_dotnet_open_in_the_browser_from_the_typed_receipt()
    {
        var receipt = SurvivorReceipt.Generate();
        using var secrets = ReceiptSecrets.Derive(receipt);
        var replyKey = HpkeSuite.GenerateKeyPair();
        var contentKey = EnvelopeSealer.GenerateContentKey();
        var vault = ReceiptVault.Seal(secrets.VaultKey, replyKey.PrivateKey, contentKey);

        // Typed in lowercase, with spaces instead of hyphens.
        var typed = receipt.ToString().ToLowerInvariant().Replace('-', ' ');
        var opened = await page.CallAsync<ReceiptOpenResult>("openReceipt", typed, Base64Url.EncodeToString(vault));
        Assert.True(opened.Ok, opened.Code);
        Assert.Equal(Base64Url.EncodeToString(secrets.LookupId), opened.LookupIdB64u);
        Assert.Equal(replyKey.PrivateKey, Convert.FromBase64String(opened.ReplyPrivateKey!));
        Assert.Equal(contentKey, Convert.FromBase64String(opened.ContentKey!));

        var otherReceipt = SurvivorReceipt.Generate().ToString();
        var refused = await page.CallAsync<ReceiptOpenResult>("openReceipt", otherReceipt, Base64Url.EncodeToString(vault));
        Assert.Equal((false, "vault"), (refused.Ok, refused.Code));
    }

    [Fact]
    public async Task Checkpoint_signed_in_dotnet_verifies_in_the_browser_and_a_modified_one_is_rejected()
    {
        using var signer = new NoteSigner("intake.example.org/ledger", ECDsa.Create(ECCurve.NamedCurves.nistP256));
        using var stranger = new NoteSigner("intake.example.org/ledger", ECDsa.Create(ECCurve.NamedCurves.nistP256));
        var body = new CheckpointBody("intake.example.org/ledger", 42_017, RandomNumberGenerator.GetBytes(32), new DateOnly(2025, 6, 1)).ToNoteBody();
        var note = signer.Sign(body);
        var keys = new[] { new { Name = signer.KeyName, PublicKey = Vectors.B64(signer.PublicKey.ToArray()) } };

        Assert.Equal(signer.KeyId, await page.CallAsync<uint>("noteKeyId", signer.KeyName, Vectors.B64(signer.PublicKey.ToArray())));
        var verified = await page.CallAsync<NoteResult>("verifyNote", note, keys);
        Assert.True(verified.Ok, verified.Code);
        Assert.Equal(body, verified.Body);
        Assert.Equal([signer.KeyName], verified.SignedBy!);

        var cases = new (string Note, string Code)[]
        {
            (note.Replace("\n42017\n", "\n42018\n", StringComparison.Ordinal), "bad-signature"),
            (note.Replace("time 2025-06-01", "time 2025-06-02", StringComparison.Ordinal), "bad-signature"),
            (stranger.Sign(body), "unknown-key"),
            (note + note[(body.Length + 1)..], "duplicate-signature"),
            (note.Replace("\n", "\r\n", StringComparison.Ordinal), "malformed"),
            (body + "\n", "malformed"),
        };
        foreach (var (modified, code) in cases)
        {
            Assert.NotEqual(note, modified);
            var result = await page.CallAsync<NoteResult>("verifyNote", modified, keys);
            Assert.Equal((false, code), (result.Ok, result.Code));
        }
    }

    private static async Task<(Envelope Envelope, byte[] ContentKey, byte[][] Streams)> SealInDotNetAsync(
        string channel, byte[] replyPublicKey, IEnumerable<byte[]> recipients, byte[][] contents)
    {
        var contentKey = EnvelopeSealer.GenerateContentKey();
        var headers = contents.Select((c, i) => StreamHeader.Create(i == 0 ? StreamPurpose.Body : StreamPurpose.Attachment, c.Length)).ToArray();
        var envelope = EnvelopeSealer.Seal(EnvelopeKind.Submission, channel, null, replyPublicKey, [.. recipients.Select(r => (ReadOnlyMemory<byte>)r)], headers, contentKey);
        var headerHash = envelope.Header.ComputeHash();
        var streams = new byte[contents.Length][];
        for (var i = 0; i < contents.Length; i++)
        {
            streams[i] = await SealStreamAsync(contentKey, headerHash, headers[i], contents[i]);
        }
        return (envelope, contentKey, streams);
    }

    private static async Task<byte[]> SealStreamAsync(byte[] contentKey, byte[] headerHash, StreamHeader header, byte[] content)
    {
        using var input = new MemoryStream(content);
        using var output = new MemoryStream();
        await ContentStreamSealer.SealAsync(contentKey, headerHash, header, input, content.Length, output);
        return output.ToArray();
    }
}
