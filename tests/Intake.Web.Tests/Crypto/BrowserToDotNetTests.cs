using System.Buffers.Text;
using System.Security.Cryptography;
using Intake.Core.Crypto;

namespace Intake.Web.Tests.Crypto;

/// <summary>The browser seals, wraps and derives; Intake.Core opens, unwraps and derives the same.</summary>
[Collection(WebCollection.Name)]
public sealed class BrowserToDotNetTests(CryptoPage page) : IClassFixture<CryptoPage>
{
    private const int SealedChunk = StreamHeader.ChunkLength + StreamHeader.TagLength;

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(65_535)]
    [InlineData(65_536)]
    [InlineData(65_537)]
    [InlineData(1_048_579)]
    public async Task Submission_sealed_in_the_browser_opens_in_dotnet_for_every_advocate(int bodyLength)
    {
        var advocates = Enumerable.Range(0, 3).Select(_ => HpkeSuite.GenerateKeyPair()).ToArray();
        byte[][] contents = [RandomNumberGenerator.GetBytes(bodyLength), RandomNumberGenerator.GetBytes(70_000), []];

        var sealedCase = await page.CallAsync<CaseSealResult>("sealCase", new
        {
            Kind = "submission",
            Channel = "campus-beijing",
            Parent = (string?)null,
            ReplyPublicKey = (string?)null,
            RecipientPublicKeys = advocates.Select(a => Vectors.B64(a.PublicKey)).ToArray(),
            Contents = contents.Select(Vectors.B64).ToArray(),
        });
        Assert.True(sealedCase.Ok, sealedCase.Code);

        var envelope = Envelope.Parse(sealedCase.Json);
        Assert.Equal(EnvelopeKind.Submission, envelope.Header.Kind);
        Assert.Equal(Convert.FromBase64String(sealedCase.ReplyPublicKey), envelope.Header.ReplyPublicKey.ToArray());
        Assert.Equal(sealedCase.Json, envelope.ToJson());
        var headerHash = envelope.Header.ComputeHash();
        Assert.Equal(Convert.FromBase64String(sealedCase.HeaderHash), headerHash);
        Assert.Equal(HpkeSuite.GetPublicKey(Convert.FromBase64String(sealedCase.ReplyPrivateKey!)), envelope.Header.ReplyPublicKey.ToArray());

        foreach (var advocate in advocates)
        {
            var contentKey = EnvelopeOpener.OpenContentKey(envelope, advocate.PrivateKey);
            Assert.Equal(Convert.FromBase64String(sealedCase.ContentKey), contentKey);
            for (var i = 0; i < contents.Length; i++)
            {
                Assert.Equal(contents[i], await OpenInDotNetAsync(contentKey, headerHash, envelope.Header.Streams[i], sealedCase.Streams[i].Stream));
            }
        }

        // Streaming: one piece for the header, then one per chunk, none larger than a sealed chunk; the content was
        // read in slices of at most one chunk, never whole.
        for (var i = 0; i < contents.Length; i++)
        {
            var stream = sealedCase.Streams[i];
            var header = envelope.Header.Streams[i];
            Assert.Equal(header.CiphertextLength, Convert.FromBase64String(stream.Stream).Length);
            Assert.Equal(1 + header.ChunkCount, stream.Pieces.Length);
            Assert.Equal(StreamHeader.Length, stream.Pieces[0]);
            Assert.All(stream.Pieces.Skip(1), p => Assert.InRange(p, StreamHeader.TagLength + 1, SealedChunk));
            Assert.Equal(contents[i].Length, stream.Reads.Sum());
            Assert.All(stream.Reads, r => Assert.InRange(r, 1, StreamHeader.ChunkLength));
            Assert.InRange(stream.Reads.Length, 0, header.ChunkCount);
        }
    }

    [Fact]
    public async Task Reply_sealed_in_the_browser_opens_in_dotnet_with_the_survivor_key_and_names_its_parent()
    {
        var advocate = HpkeSuite.GenerateKeyPair();
        var survivor = HpkeSuite.GenerateKeyPair();
        var submission = EnvelopeSealer.Seal(
            EnvelopeKind.Submission, "ngo-shanghai", null, survivor.PublicKey, [advocate.PublicKey],
            [StreamHeader.Create(StreamPurpose.Body, 10)], EnvelopeSealer.GenerateContentKey());
        var parent = submission.Header.ComputeHash();
        byte[] body = RandomNumberGenerator.GetBytes(3_000);

        var sealedReply = await page.CallAsync<CaseSealResult>("sealCase", new
        {
            Kind = "reply",
            Channel = "ngo-shanghai",
            Parent = Vectors.B64(parent),
            ReplyPublicKey = Vectors.B64(survivor.PublicKey),
            RecipientPublicKeys = new[] { Vectors.B64(survivor.PublicKey), Vectors.B64(advocate.PublicKey) },
            Contents = new[] { Vectors.B64(body) },
        });
        Assert.True(sealedReply.Ok, sealedReply.Code);

        var reply = Envelope.Parse(sealedReply.Json);
        Assert.Equal(EnvelopeKind.Reply, reply.Header.Kind);
        Assert.Equal(parent, reply.Header.Parent!.Value.ToArray());
        foreach (var key in new[] { survivor.PrivateKey, advocate.PrivateKey })
        {
            var contentKey = EnvelopeOpener.OpenContentKey(reply, key);
            Assert.Equal(body, await OpenInDotNetAsync(contentKey, reply.Header.ComputeHash(), reply.Header.Streams[0], sealedReply.Streams[0].Stream));
        }
    }

    [Fact]
    public async Task Advocate_key_generated_and_wrapped_in_the_browser_unwraps_in_dotnet()
    {
        var pair = await page.CallAsync<KeyPairResult>("generateAdvocateKey");
        var privateKey = Convert.FromBase64String(pair.PrivateKey);
        Assert.Equal(Convert.FromBase64String(pair.PublicKey), HpkeSuite.GetPublicKey(privateKey));

        // Decomposed in the browser, precomposed in .NET: both normalise to NFC before PBKDF2.
        var wrapped = await page.CallAsync<WrapResult>("wrapAdvocateKey", pair.PrivateKey, "  cafe\u0301 passphrase 密码  ", 600_000, null, null);
        Assert.True(wrapped.Ok, wrapped.Code);
        var record = WrappedAdvocateKey.Parse(wrapped.Record!);
        Assert.Equal(wrapped.Record, record.ToJson());
        Assert.Equal(privateKey, AdvocateKeyWrap.Unwrap(record, "  caf\u00e9 passphrase 密码  "));

        var wrong = Assert.Throws<KeyWrapException>(() => AdvocateKeyWrap.Unwrap(record, "caf\u00e9 passphrase 密码"));
        Assert.Equal(KeyWrapFailure.WrongPassphraseOrTampered, wrong.Failure);
    }

    [Fact]
    public async Task Receipt_generated_in_the_browser_derives_the_same_lookup_id_and_vault_in_dotnet()
    {
        var replyKey = HpkeSuite.GenerateKeyPair();
        var contentKey = EnvelopeSealer.GenerateContentKey();
        var receipt = await page.CallAsync<NewReceiptResult>("newReceipt", Vectors.B64(replyKey.PrivateKey), Vectors.B64(contentKey));

        Assert.Matches("^([0-9A-HJKMNP-TV-Z]{4}-){6}[0-9A-HJKMNP-TV-Z]$", receipt.Text);
        Assert.True(SurvivorReceipt.TryParse(receipt.Text, out var parsed, out _));
        Assert.Equal(receipt.Text, parsed!.ToString());
        using var secrets = ReceiptSecrets.Derive(parsed);
        Assert.Equal(receipt.LookupIdB64u, Base64Url.EncodeToString(secrets.LookupId));
        var (replyPrivateKey, openedContentKey) = ReceiptVault.Open(secrets.VaultKey, Base64Url.DecodeFromChars(receipt.VaultB64u));
        Assert.Equal(replyKey.PrivateKey, replyPrivateKey);
        Assert.Equal(contentKey, openedContentKey);
    }

    private static async Task<byte[]> OpenInDotNetAsync(byte[] contentKey, byte[] headerHash, StreamHeader expected, string stream)
    {
        using var input = new MemoryStream(Convert.FromBase64String(stream));
        using var output = new MemoryStream();
        var (header, length) = await ContentStreamOpener.OpenAsync(contentKey, headerHash, expected, input, output);
        Assert.Equal(expected, header);
        Assert.Equal(output.Length, length);
        return output.ToArray();
    }
}
