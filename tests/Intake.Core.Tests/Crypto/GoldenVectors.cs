using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Intake.Core.Crypto;

namespace Intake.Core.Tests.Crypto;

/// <summary>
/// Builds the intake-v1-*.json known-answer files from fixed inputs. The browser implementation checks itself
/// against the same files. Byte strings are lowercase hex unless a member name ends in "B64u" or holds a wire form.
/// </summary>
internal static class GoldenVectors
{
    internal static readonly string[] Names = ["padding", "stream", "envelope", "receipt", "keywrap", "note"];

    internal static JsonObject Build(string name, JsonObject? existing) => name switch
    {
        "padding" => Padding(),
        "stream" => Stream(),
        "envelope" => EnvelopeVectors(),
        "receipt" => Receipt(),
        "keywrap" => KeyWrap(),
        "note" => Note(existing),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    private static string Hex(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(bytes);

    private static byte[] Fixed(string label, int length) => CryptoTestData.Bytes("vector " + label, length);

    private static (byte[] PrivateKey, byte[] PublicKey) FixedKey(string label) => HpkeSuite.DeriveKeyPair(Fixed("key " + label, 32));

    private static JsonObject Padding()
    {
        var cases = new JsonArray();
        foreach (long content in new long[] { 0, 1, 1016, 1017, 1080, 1081, 65_528, 65_529, 100_000, 1_048_576, 10_000_000 })
        {
            StreamHeader header = StreamHeader.Create(StreamPurpose.Body, content, new byte[16]);
            cases.Add(new JsonObject
            {
                ["contentLength"] = content,
                ["framedLength"] = content + 8,
                ["paddedLength"] = header.PaddedLength,
                ["chunkCount"] = header.ChunkCount,
                ["ciphertextLength"] = header.CiphertextLength,
            });
        }

        return new JsonObject { ["description"] = "Padmé buckets with a 1 KiB floor; framedLength = 8 + contentLength.", ["cases"] = cases };
    }

    private static JsonObject Stream()
    {
        byte[] contentKey = Fixed("content key", 32);
        byte[] headerHash = Fixed("header hash", 32);
        var cases = new JsonArray();
        foreach ((long length, StreamPurpose purpose) in new[] { (0L, StreamPurpose.Body), (5L, StreamPurpose.FollowUp), (1017L, StreamPurpose.Attachment), (70_000L, StreamPurpose.Body) })
        {
            byte[] streamId = Fixed("stream id " + length, 16);
            StreamHeader header = StreamHeader.Create(purpose, length, streamId);
            byte[] content = CryptoTestData.Content(length);
            byte[] sealedStream = CryptoTestData.SealAsync(contentKey, headerHash, header, content).GetAwaiter().GetResult();
            byte[] lastNonce = new byte[12];
            StreamChunkCipher.WriteNonce(header.ChunkCount - 1, final: true, lastNonce);
            var item = new JsonObject
            {
                ["contentLength"] = length,
                ["purpose"] = (int)purpose,
                ["streamId"] = Hex(streamId),
                ["streamKey"] = Hex(StreamChunkCipher.DeriveStreamKey(contentKey, streamId)),
                ["streamHeader"] = Hex(header.Encode()),
                ["chunkAad"] = Hex([.. headerHash, .. header.Encode()]),
                ["lastChunkNonce"] = Hex(lastNonce),
                ["ciphertextLength"] = sealedStream.Length,
                ["ciphertextSha256"] = Hex(SHA256.HashData(sealedStream)),
            };
            if (sealedStream.Length <= 2048)
            {
                item["ciphertext"] = Hex(sealedStream);
            }

            cases.Add(item);
        }

        return new JsonObject
        {
            ["description"] = "Content byte i is (i mod 251). AES-256-GCM per chunk; see docs/crypto.md, Content streams.",
            ["contentKey"] = Hex(contentKey),
            ["headerHash"] = Hex(headerHash),
            ["cases"] = cases,
        };
    }

    private static JsonObject EnvelopeVectors()
    {
        (byte[] PrivateKey, byte[] PublicKey)[] advocates = [FixedKey("advocate a"), FixedKey("advocate b"), FixedKey("advocate c")];
        (byte[] PrivateKey, byte[] PublicKey) survivor = FixedKey("survivor reply");
        byte[] contentKey = Fixed("case content key", 32);
        StreamHeader body = StreamHeader.Create(StreamPurpose.Body, 1234, Fixed("body stream id", 16));
        StreamHeader attachment = StreamHeader.Create(StreamPurpose.Attachment, 250_000, Fixed("attachment stream id", 16));
        byte[][] ephemerals = [.. advocates.Select((_, i) => FixedKey("ephemeral " + i).PrivateKey)];
        Envelope submission = EnvelopeSealer.Seal(
            EnvelopeKind.Submission, "campus-beijing", null, survivor.PublicKey, [.. advocates.Select(a => (ReadOnlyMemory<byte>)a.PublicKey)],
            [body, attachment], contentKey, [.. ephemerals.Select(e => (ReadOnlyMemory<byte>)e)]);

        byte[] replyContentKey = Fixed("reply content key", 32);
        StreamHeader replyBody = StreamHeader.Create(StreamPurpose.Body, 300, Fixed("reply stream id", 16));
        Envelope reply = EnvelopeSealer.Seal(
            EnvelopeKind.Reply, "campus-beijing", submission.Header.ComputeHash(), survivor.PublicKey,
            [survivor.PublicKey, advocates[0].PublicKey], [replyBody], replyContentKey,
            [FixedKey("ephemeral reply 0").PrivateKey, FixedKey("ephemeral reply 1").PrivateKey]);

        return new JsonObject
        {
            ["description"] = "HPKE base mode, DHKEM(P-256, HKDF-SHA256)/HKDF-SHA256/AES-128-GCM; info \"intake/v1/content-key\"; aad = headerHash. Ephemeral keys are listed per recipient in the order of 'recipients' below.",
            ["recipients"] = new JsonArray([.. advocates.Select((a, i) => KeyJson(a, ephemerals[i]))]),
            ["survivorReplyKey"] = KeyJson(survivor, null),
            ["submission"] = EnvelopeJson(submission, contentKey),
            ["replyEphemeralPrivateKeys"] = new JsonArray(Hex(FixedKey("ephemeral reply 0").PrivateKey), Hex(FixedKey("ephemeral reply 1").PrivateKey)),
            ["reply"] = EnvelopeJson(reply, replyContentKey),
        };
    }

    private static JsonObject KeyJson((byte[] PrivateKey, byte[] PublicKey) key, byte[]? ephemeral)
    {
        var json = new JsonObject
        {
            ["privateKey"] = Hex(key.PrivateKey),
            ["publicKey"] = Hex(key.PublicKey),
            ["kid"] = Hex(RecipientKeys.KeyId(key.PublicKey)),
            ["kidB64u"] = Base64UrlStrict.Encode(RecipientKeys.KeyId(key.PublicKey)),
            ["fingerprint"] = RecipientKeys.Fingerprint(key.PublicKey),
        };
        if (ephemeral is not null)
        {
            json["ephemeralPrivateKey"] = Hex(ephemeral);
        }

        return json;
    }

    private static JsonObject EnvelopeJson(Envelope envelope, byte[] contentKey) => new()
    {
        ["contentKey"] = Hex(contentKey),
        ["headerBytes"] = Hex(envelope.Header.ToBytes()),
        ["headerHash"] = Hex(envelope.Header.ComputeHash()),
        ["json"] = envelope.ToJson(),
    };

    private static JsonObject Receipt()
    {
        var receipt = SurvivorReceiptFromVector();
        using ReceiptSecrets secrets = ReceiptSecrets.Derive(receipt);
        byte[] replyPrivate = FixedKey("survivor reply").PrivateKey;
        byte[] contentKey = Fixed("case content key", 32);
        byte[] nonce = Fixed("vault nonce", 12);
        return new JsonObject
        {
            ["secret"] = Hex(receipt.Secret),
            ["text"] = receipt.ToString(),
            ["acceptedSpellings"] = new JsonArray(receipt.ToString().ToLowerInvariant().Replace("-", " ", StringComparison.Ordinal), receipt.ToString().Replace("-", "", StringComparison.Ordinal)),
            ["lookupId"] = Hex(secrets.LookupId),
            ["lookupIdB64u"] = Base64UrlStrict.Encode(secrets.LookupId),
            ["vaultKey"] = Hex(secrets.VaultKey),
            ["replyPrivateKey"] = Hex(replyPrivate),
            ["contentKey"] = Hex(contentKey),
            ["vaultNonce"] = Hex(nonce),
            ["vaultB64u"] = Base64UrlStrict.Encode(ReceiptVault.Seal(secrets.VaultKey, replyPrivate, contentKey, nonce)),
        };
    }

    private static SurvivorReceipt SurvivorReceiptFromVector() => SurvivorReceipt.FromSecret(Fixed("receipt", SurvivorReceipt.SecretLength));

    private static JsonObject KeyWrap()
    {
        (byte[] privateKey, byte[] publicKey) = FixedKey("advocate a");
        const string passphrase = "correct horse 电池 staple";
        byte[] salt = Fixed("wrap salt", 16);
        byte[] nonce = Fixed("wrap nonce", 12);
        WrappedAdvocateKey record = AdvocateKeyWrap.Wrap(privateKey, passphrase, AdvocateKeyWrap.MinimumIterations, salt, nonce, AdvocateKeyWrap.MinimumIterations);
        return new JsonObject
        {
            ["passphrase"] = passphrase,
            ["passphraseUtf8"] = Hex(Encoding.UTF8.GetBytes(passphrase.Normalize(NormalizationForm.FormC))),
            ["iterations"] = AdvocateKeyWrap.MinimumIterations,
            ["salt"] = Hex(salt),
            ["nonce"] = Hex(nonce),
            ["privateKey"] = Hex(privateKey),
            ["publicKey"] = Hex(publicKey),
            ["kek"] = Hex(AdvocateKeyWrap.DeriveKek(passphrase, salt, AdvocateKeyWrap.MinimumIterations)),
            ["aad"] = Hex([.. "intake/v1/advocate-key"u8, .. RecipientKeys.KeyId(publicKey)]),
            ["record"] = record.ToJson(),
        };
    }

    private static JsonObject Note(JsonObject? existing)
    {
        (byte[] d, byte[] q) = FixedKey("note signer");
        using var key = ECDsa.Create(new ECParameters { Curve = ECCurve.NamedCurves.nistP256, D = d, Q = new ECPoint { X = q[1..33], Y = q[33..] } });
        const string name = "intake.example.org/ledger";
        string body = new CheckpointBody(name, 1234, SHA256.HashData("root"u8), new DateOnly(2025, 6, 1)).ToNoteBody();
        using var signer = new NoteSigner(name, ECDsa.Create(key.ExportParameters(includePrivateParameters: true)));

        // ECDSA signatures are randomised, so an existing signed note is kept as long as it still verifies.
        string? kept = existing?["signedNote"]?.GetValue<string>();
        using NoteVerifierKey verifierKey = NoteVerifierKey.FromSubjectPublicKeyInfo(name, key.ExportSubjectPublicKeyInfo());
        string signedNote = kept is not null && Verifies(verifierKey, kept, body) ? kept : signer.Sign(body);
        return new JsonObject
        {
            ["description"] = "Verify-only: ECDSA signatures are randomised. keyId = SHA-256(name || 0x0a || 0xff || \"intake/v1/ecdsa-p256-sha256-p1363\" || publicKey)[:4].",
            ["keyName"] = name,
            ["privateKey"] = Hex(d),
            ["publicKey"] = Hex(q),
            ["spkiB64"] = Convert.ToBase64String(key.ExportSubjectPublicKeyInfo()),
            ["keyId"] = signer.KeyId.ToString("x8", System.Globalization.CultureInfo.InvariantCulture),
            ["body"] = body,
            ["signedNote"] = signedNote,
        };
    }

    private static bool Verifies(NoteVerifierKey key, string note, string body)
    {
        try
        {
            return new NoteVerifier([key]).Verify(note).Body == body;
        }
        catch (NoteVerificationException)
        {
            return false;
        }
    }
}
