using System.Text;
using System.Text.Json;

namespace Intake.Core.Crypto;

/// <summary>
/// The stored form of an advocate's private key (docs/crypto.md, "Advocate key"): the parameters needed to derive
/// the wrapping key, beside the ciphertext, so iterations can be raised later by re-wrapping.
/// </summary>
public sealed record WrappedAdvocateKey
{
    /// <summary>The only algorithm of v1.</summary>
    public const string Algorithm = "PBKDF2-SHA256/A256GCM";

    private static readonly string[] Members = ["v", "alg", "iterations", "salt", "nonce", "publicKey", "wrappedKey"];

    /// <summary>PBKDF2-SHA256 iteration count.</summary>
    public required int Iterations { get; init; }

    /// <summary>16 random bytes.</summary>
    public required ReadOnlyMemory<byte> Salt { get; init; }

    /// <summary>12 random bytes.</summary>
    public required ReadOnlyMemory<byte> Nonce { get; init; }

    /// <summary>65-byte public key; its key id is bound into the AAD.</summary>
    public required ReadOnlyMemory<byte> PublicKey { get; init; }

    /// <summary>Encrypted scalar (32 bytes) || tag (16 bytes).</summary>
    public required ReadOnlyMemory<byte> WrappedKey { get; init; }

    /// <summary>Parses a stored record strictly: exact members, exact lengths, canonical base64url.</summary>
    /// <exception cref="KeyWrapException">With <see cref="KeyWrapFailure.Malformed"/>.</exception>
    public static WrappedAdvocateKey Parse(string json)
    {
        try
        {
            using JsonDocument document = JsonDocument.Parse(json ?? string.Empty, new JsonDocumentOptions { MaxDepth = 2 });
            JsonElement root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new KeyWrapException(KeyWrapFailure.Malformed);
            }

            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (JsonProperty property in root.EnumerateObject())
            {
                if (!Members.Contains(property.Name, StringComparer.Ordinal) || !seen.Add(property.Name))
                {
                    throw new KeyWrapException(KeyWrapFailure.Malformed);
                }
            }

            if (seen.Count != Members.Length
                || root.GetProperty("v").GetRawText() != "1"
                || root.GetProperty("alg").ValueKind != JsonValueKind.String
                || root.GetProperty("alg").GetString() != Algorithm
                || root.GetProperty("iterations").ValueKind != JsonValueKind.Number
                || !root.GetProperty("iterations").TryGetInt32(out int iterations))
            {
                throw new KeyWrapException(KeyWrapFailure.Malformed);
            }

            byte[]? publicKey = Bytes(root, "publicKey", HpkeSuite.PublicKeyLength);
            return new WrappedAdvocateKey
            {
                Iterations = iterations,
                Salt = Bytes(root, "salt", AdvocateKeyWrap.SaltLength) ?? throw new KeyWrapException(KeyWrapFailure.Malformed),
                Nonce = Bytes(root, "nonce", AdvocateKeyWrap.NonceLength) ?? throw new KeyWrapException(KeyWrapFailure.Malformed),
                PublicKey = publicKey is not null && RecipientKeys.HasPublicKeyShape(publicKey) ? publicKey : throw new KeyWrapException(KeyWrapFailure.Malformed),
                WrappedKey = Bytes(root, "wrappedKey", AdvocateKeyWrap.WrappedLength) ?? throw new KeyWrapException(KeyWrapFailure.Malformed),
            };
        }
        catch (JsonException)
        {
            throw new KeyWrapException(KeyWrapFailure.Malformed);
        }
    }

    /// <summary>Canonical JSON: fixed member order, no whitespace.</summary>
    public string ToJson()
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteNumber("v", 1);
            json.WriteString("alg", Algorithm);
            json.WriteNumber("iterations", Iterations);
            json.WriteString("salt", Base64UrlStrict.Encode(Salt.Span));
            json.WriteString("nonce", Base64UrlStrict.Encode(Nonce.Span));
            json.WriteString("publicKey", Base64UrlStrict.Encode(PublicKey.Span));
            json.WriteString("wrappedKey", Base64UrlStrict.Encode(WrappedKey.Span));
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static byte[]? Bytes(JsonElement root, string name, int length)
    {
        JsonElement value = root.GetProperty(name);
        return value.ValueKind == JsonValueKind.String ? Base64UrlStrict.TryDecode(value.GetString(), length) : null;
    }
}
