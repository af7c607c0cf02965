using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text.Json;
using static Intake.Web.Tests.Crypto.Vectors;

namespace Intake.Web.Tests.Crypto;

/// <summary>
/// The browser implementation (src/Intake.Web/client/src/crypto) reproduces or opens every golden vector in
/// tests/Intake.Core.Tests/Vectors, running in headless Chromium on the Intake origin.
/// </summary>
[Collection(WebCollection.Name)]
public sealed class BrowserGoldenVectorTests(CryptoPage page) : IClassFixture<CryptoPage>
{
    [Fact]
    public async Task Browser_padding_matches_every_padding_vector()
    {
        foreach (var item in Load("padding").GetProperty("cases").EnumerateArray())
        {
            var content = item.GetProperty("contentLength").GetInt64();
            var padded = item.GetProperty("paddedLength").GetInt64();
            Assert.Equal(padded, await page.CallAsync<long>("padme", item.GetProperty("framedLength").GetInt64()));
            var layout = await page.CallAsync<StreamLayout>("streamLayout", content);
            Assert.Equal(new StreamLayout(padded, item.GetProperty("chunkCount").GetInt64(), item.GetProperty("ciphertextLength").GetInt64()), layout);
            Assert.True(await page.CallAsync<bool>("isValidPaddedLength", padded));
        }

        // Not buckets: below the floor, one past a bucket, above 2^40.
        foreach (var invalid in new[] { 0L, 1023L, 1025L, 1089L, 67_585L, (1L << 40) + 1 })
        {
            Assert.False(await page.CallAsync<bool>("isValidPaddedLength", invalid), $"{invalid} is not a valid padded length");
        }
    }

    [Fact]
    public async Task Browser_reproduces_and_opens_every_stream_vector()
    {
        var vectors = Load("stream");
        var contentKey = B64(vectors.Str("contentKey"));
        var headerHash = B64(vectors.Str("headerHash"));
        foreach (var item in vectors.GetProperty("cases").EnumerateArray())
        {
            var length = item.GetProperty("contentLength").GetInt64();
            var streamId = B64(item.Str("streamId"));
            Assert.Equal(item.Str("streamKey"), Hex(await page.CallAsync<string>("deriveStreamKey", contentKey, streamId)));
            var header = await page.CallAsync<string>("createStreamHeader", item.GetProperty("purpose").GetInt32(), length, streamId);
            Assert.Equal(item.Str("streamHeader"), Hex(header));
            var layout = await page.CallAsync<StreamLayout>("streamLayout", length);
            Assert.Equal(item.Str("lastChunkNonce"), Hex(await page.CallAsync<string>("chunkNonce", layout.ChunkCount - 1, true)));

            var content = PatternContent(length);
            var sealedStream = await page.CallAsync<StreamSealResult>("sealStream", contentKey, headerHash, header, B64(content));
            Assert.True(sealedStream.Ok, sealedStream.Code);
            var bytes = Convert.FromBase64String(sealedStream.Stream);
            Assert.Equal(item.GetProperty("ciphertextLength").GetInt64(), bytes.Length);
            Assert.Equal(item.Str("ciphertextSha256"), Convert.ToHexStringLower(SHA256.HashData(bytes)));
            if (item.TryGetProperty("ciphertext", out var ciphertext))
            {
                Assert.Equal(ciphertext.GetString(), Convert.ToHexStringLower(bytes));
            }

            var opened = await page.CallAsync<OpenStreamResult>("openStream", contentKey, headerHash, header, sealedStream.Stream, 0);
            Assert.True(opened.Ok, opened.Code);
            Assert.Equal(content, Convert.FromBase64String(opened.Content!));
        }
    }

    [Fact]
    public async Task Browser_computes_the_vector_key_ids_fingerprints_and_public_keys()
    {
        var vectors = Load("envelope");
        foreach (var key in vectors.GetProperty("recipients").EnumerateArray().Append(vectors.GetProperty("survivorReplyKey")))
        {
            var publicKey = B64(key.Str("publicKey"));
            Assert.Equal(publicKey, await page.CallAsync<string>("publicKeyFromPrivate", B64(key.Str("privateKey"))));
            Assert.Equal(key.Str("kid"), Hex(await page.CallAsync<string>("keyId", publicKey)));
            Assert.Equal(key.Str("fingerprint"), await page.CallAsync<string>("fingerprint", publicKey));
        }
    }

    [Fact]
    public async Task Browser_reproduces_the_submission_and_reply_envelope_vectors_byte_for_byte()
    {
        var vectors = Load("envelope");
        var advocates = vectors.GetProperty("recipients").EnumerateArray().ToArray();
        var survivor = vectors.GetProperty("survivorReplyKey");
        var submission = vectors.GetProperty("submission");
        var reply = vectors.GetProperty("reply");

        var sealedSubmission = await page.CallAsync<EnvelopeSealResult>("sealEnvelope", new
        {
            Kind = "submission",
            Channel = "campus-beijing",
            Parent = (string?)null,
            ReplyPublicKey = B64(survivor.Str("publicKey")),
            RecipientPublicKeys = advocates.Select(a => B64(a.Str("publicKey"))).ToArray(),
            Streams = StreamsOf(submission.Str("json")),
            ContentKey = B64(submission.Str("contentKey")),
            EphemeralPrivateKeys = advocates.Select(a => B64(a.Str("ephemeralPrivateKey"))).ToArray(),
        });
        Assert.Equal(submission.Str("headerBytes"), Hex(sealedSubmission.HeaderBytes));
        Assert.Equal(submission.Str("headerHash"), Hex(sealedSubmission.HeaderHash));
        Assert.Equal(submission.Str("json"), sealedSubmission.Json);

        var sealedReply = await page.CallAsync<EnvelopeSealResult>("sealEnvelope", new
        {
            Kind = "reply",
            Channel = "campus-beijing",
            Parent = B64(submission.Str("headerHash")),
            ReplyPublicKey = B64(survivor.Str("publicKey")),
            RecipientPublicKeys = new[] { B64(survivor.Str("publicKey")), B64(advocates[0].Str("publicKey")) },
            Streams = StreamsOf(reply.Str("json")),
            ContentKey = B64(reply.Str("contentKey")),
            EphemeralPrivateKeys = vectors.GetProperty("replyEphemeralPrivateKeys").EnumerateArray().Select(e => B64(e.GetString()!)).ToArray(),
        });
        Assert.Equal(reply.Str("headerBytes"), Hex(sealedReply.HeaderBytes));
        Assert.Equal(reply.Str("headerHash"), Hex(sealedReply.HeaderHash));
        Assert.Equal(reply.Str("json"), sealedReply.Json);
    }

    [Fact]
    public async Task Browser_opens_the_vector_envelopes_with_each_recipient_key()
    {
        var vectors = Load("envelope");
        var submission = vectors.GetProperty("submission");
        foreach (var advocate in vectors.GetProperty("recipients").EnumerateArray())
        {
            var opened = await page.CallAsync<EnvelopeOpenResult>("openEnvelope", submission.Str("json"), B64(advocate.Str("privateKey")));
            Assert.True(opened.Ok, opened.Code);
            Assert.Equal(submission.Str("contentKey"), Hex(opened.ContentKey!));
            Assert.Equal(submission.Str("headerHash"), Hex(opened.HeaderHash!));
        }

        var reply = vectors.GetProperty("reply");
        var byTheSurvivor = await page.CallAsync<EnvelopeOpenResult>("openEnvelope", reply.Str("json"), B64(vectors.GetProperty("survivorReplyKey").Str("privateKey")));
        Assert.True(byTheSurvivor.Ok, byTheSurvivor.Code);
        Assert.Equal(reply.Str("contentKey"), Hex(byTheSurvivor.ContentKey!));

        // The survivor's reply key is not a recipient of the submission.
        var notRecipient = await page.CallAsync<EnvelopeOpenResult>("openEnvelope", submission.Str("json"), B64(vectors.GetProperty("survivorReplyKey").Str("privateKey")));
        Assert.Equal((false, "not-a-recipient"), (notRecipient.Ok, notRecipient.Code));
    }

    [Fact]
    public async Task Browser_hpke_matches_rfc9180_appendix_a3()
    {
        var pairs = ReadRfc9180();
        string First(string name) => pairs.First(p => p.Name == name).Value;
        var encryptions = new List<(int Sequence, string Pt, string Aad, string Ct)>();
        var exports = new List<(string Context, int Length, string Value)>();
        for (var i = 0; i < pairs.Count; i++)
        {
            if (pairs[i].Name == "sequence number")
            {
                var fields = pairs.Skip(i + 1).Take(4).ToDictionary(p => p.Name, p => p.Value);
                encryptions.Add((int.Parse(pairs[i].Value, System.Globalization.CultureInfo.InvariantCulture), fields["pt"], fields["aad"], fields["ct"]));
            }
            else if (pairs[i].Name == "exporter_context")
            {
                exports.Add((pairs[i].Value, int.Parse(pairs[i + 1].Value, System.Globalization.CultureInfo.InvariantCulture), pairs[i + 2].Value));
            }
        }
        Assert.Equal(6, encryptions.Count);
        Assert.Equal(3, exports.Count);
        Assert.Equal(("16", "1", "1"), (First("kem_id"), First("kdf_id"), First("aead_id")));

        var result = await page.CallAsync<RfcVectorResult>("hpkeRfcVector", new
        {
            Info = B64(First("info")),
            IkmE = B64(First("ikmE")),
            IkmR = B64(First("ikmR")),
            Encryptions = encryptions.Select(e => new { e.Sequence, Plaintext = B64(e.Pt), Aad = B64(e.Aad), Ciphertext = B64(e.Ct) }).ToArray(),
            Exports = exports.Select(e => new { Context = B64(e.Context), e.Length }).ToArray(),
        });

        Assert.Equal(First("pkEm"), Hex(result.PkEm));
        Assert.Equal(First("skEm"), Hex(result.SkEm));
        Assert.Equal(First("pkRm"), Hex(result.PkRm));
        Assert.Equal(First("skRm"), Hex(result.SkRm));
        Assert.Equal(First("enc"), Hex(result.Enc));
        Assert.Equal(encryptions.Select(e => e.Ct), result.Ciphertexts.Select(Hex));
        Assert.Equal(encryptions.Select(e => e.Pt), result.Opened.Select(Hex));
        Assert.Equal(exports.Select(e => e.Value), result.Exports.Select(Hex));
    }

    [Fact]
    public async Task Browser_reproduces_the_receipt_vector_and_opens_its_vault()
    {
        var vector = Load("receipt");
        var secret = B64(vector.Str("secret"));
        Assert.Equal(vector.Str("text"), await page.CallAsync<string>("formatReceipt", secret));
        foreach (var spelling in vector.GetProperty("acceptedSpellings").EnumerateArray().Select(s => s.GetString()!).Append(vector.Str("text")))
        {
            var parsed = await page.CallAsync<ReceiptParseResult>("parseReceipt", spelling);
            Assert.True(parsed.Ok, $"{spelling}: {parsed.Error}");
            Assert.Equal(vector.Str("secret"), Hex(parsed.Secret!));
        }

        var derived = await page.CallAsync<ReceiptDerivation>("deriveReceipt", secret);
        Assert.Equal(vector.Str("lookupId"), Hex(derived.LookupId));
        Assert.Equal(vector.Str("lookupIdB64u"), derived.LookupIdB64u);
        Assert.Equal(vector.Str("vaultKey"), Hex(derived.VaultKey));

        var vault = await page.CallAsync<string>("sealVault", derived.VaultKey, B64(vector.Str("replyPrivateKey")), B64(vector.Str("contentKey")), B64(vector.Str("vaultNonce")));
        Assert.Equal(vector.Str("vaultB64u"), Base64Url.EncodeToString(Convert.FromBase64String(vault)));
        var opened = await page.CallAsync<VaultOpenResult>("openVault", derived.VaultKey, vault);
        Assert.True(opened.Ok, opened.Code);
        Assert.Equal(vector.Str("replyPrivateKey"), Hex(opened.ReplyPrivateKey!));
        Assert.Equal(vector.Str("contentKey"), Hex(opened.ContentKey!));
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("VZ1N-AXS4-ZBVX-KKC2-PH2Z-85EJ", "missing-check-character")]
    [InlineData("VZ1N-AXS4-ZBVX-KKC2-PH2Z-85EJ-00", "wrong-length")]
    [InlineData("VZ1N-AXS4-ZBVX-KKC2-PH2Z-85EJ-1", "typo")]
    [InlineData("VZ1N-AXS4-ZBXV-KKC2-PH2Z-85EJ-0", "typo")]
    [InlineData("VZ1N-AXS4-ZBVX-KKC2-PH2Z-85EU-0", "invalid-character")]
    public async Task Browser_receipt_parsing_names_each_mistake(string text, string error)
    {
        var parsed = await page.CallAsync<ReceiptParseResult>("parseReceipt", text);
        Assert.Equal((false, error), (parsed.Ok, parsed.Error));
    }

    [Fact]
    public async Task Browser_receipt_parsing_accepts_full_width_and_look_alike_characters()
    {
        // Full-width letters and digits, an ideographic space, a katakana long-vowel mark as hyphen, O for 0.
        var parsed = await page.CallAsync<ReceiptParseResult>("parseReceipt", "ＶＺ１Ｎ　AXS4ーZBVX-KKC2-PH2Z-85EJ-O");
        Assert.True(parsed.Ok, parsed.Error);
        Assert.Equal(Load("receipt").Str("secret"), Hex(parsed.Secret!));
    }

    [Fact]
    public async Task Browser_reproduces_the_advocate_key_wrap_vector_and_unwraps_it()
    {
        var vector = Load("keywrap");
        var passphrase = vector.Str("passphrase");
        var iterations = vector.GetProperty("iterations").GetInt32();
        Assert.Equal(vector.Str("kek"), Hex(await page.CallAsync<string>("deriveKek", passphrase, B64(vector.Str("salt")), iterations)));

        var wrapped = await page.CallAsync<WrapResult>("wrapAdvocateKey", B64(vector.Str("privateKey")), passphrase, iterations, B64(vector.Str("salt")), B64(vector.Str("nonce")));
        Assert.True(wrapped.Ok, wrapped.Code);
        Assert.Equal(vector.Str("record"), wrapped.Record);

        var unwrapped = await page.CallAsync<UnwrapResult>("unwrapAdvocateKey", vector.Str("record"), passphrase);
        Assert.True(unwrapped.Ok, unwrapped.Code);
        Assert.Equal(vector.Str("privateKey"), Hex(unwrapped.PrivateKey!));

        var wrong = await page.CallAsync<UnwrapResult>("unwrapAdvocateKey", vector.Str("record"), passphrase + " ");
        Assert.Equal((false, "wrong-passphrase-or-tampered"), (wrong.Ok, wrong.Code));
        var weakened = vector.Str("record").Replace("\"iterations\":600000", "\"iterations\":599999", StringComparison.Ordinal);
        var refused = await page.CallAsync<UnwrapResult>("unwrapAdvocateKey", weakened, passphrase);
        Assert.Equal((false, "iterations-out-of-range"), (refused.Ok, refused.Code));
    }

    [Fact]
    public async Task Browser_verifies_the_note_vector_and_rejects_it_when_altered()
    {
        var vector = Load("note");
        var keys = new[] { new { Name = vector.Str("keyName"), PublicKey = B64(vector.Str("publicKey")) } };
        var keyId = await page.CallAsync<uint>("noteKeyId", vector.Str("keyName"), B64(vector.Str("publicKey")));
        Assert.Equal(vector.Str("keyId"), keyId.ToString("x8", System.Globalization.CultureInfo.InvariantCulture));

        var verified = await page.CallAsync<NoteResult>("verifyNote", vector.Str("signedNote"), keys);
        Assert.True(verified.Ok, verified.Code);
        Assert.Equal(vector.Str("body"), verified.Body);
        Assert.Equal([vector.Str("keyName")], verified.SignedBy!);

        var altered = await page.CallAsync<NoteResult>("verifyNote", vector.Str("signedNote").Replace("\n1234\n", "\n1235\n", StringComparison.Ordinal), keys);
        Assert.Equal((false, "bad-signature"), (altered.Ok, altered.Code));
    }

    private static string[] StreamsOf(string envelopeJson)
    {
        using var document = JsonDocument.Parse(envelopeJson);
        return [.. document.RootElement.GetProperty("streams").EnumerateArray().Select(s => B64(Base64Url.DecodeFromChars(s.GetString()!)))];
    }
}
