using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Intake.Core.Ledger;

/// <summary>
/// A proof of submission that anyone can check offline (docs/ledger.md, "Proof bundles"): the
/// entry's canonical leaf input, an RFC 9162 inclusion proof to a signed checkpoint, and the
/// checkpoint key. Built by the service from the database; checked by <see cref="ProofBundleVerifier"/>.
/// </summary>
public sealed record ProofBundle
{
    /// <summary>The only format this version writes and reads.</summary>
    public const string CurrentFormat = "intake-proof-v1";

    [JsonPropertyName("format")]
    public required string Format { get; init; }

    /// <summary>The log's origin line, as in the checkpoint.</summary>
    [JsonPropertyName("origin")]
    public required string Origin { get; init; }

    [JsonPropertyName("leafIndex")]
    public required long LeafIndex { get; init; }

    /// <summary>Base64 of <see cref="LedgerLeaf.ToLeafInput"/>.</summary>
    [JsonPropertyName("leafInput")]
    public required string LeafInput { get; init; }

    /// <summary>Base64 of the RFC 9162 leaf hash SHA-256(0x00 || leaf input).</summary>
    [JsonPropertyName("leafHash")]
    public required string LeafHash { get; init; }

    /// <summary>The size of the tree the proof and checkpoint are for.</summary>
    [JsonPropertyName("treeSize")]
    public required long TreeSize { get; init; }

    /// <summary>The audit path, base64 hashes from the leaf's sibling upwards.</summary>
    [JsonPropertyName("inclusionProof")]
    public required IReadOnlyList<string> InclusionProof { get; init; }

    /// <summary>The signed checkpoint note, verbatim.</summary>
    [JsonPropertyName("checkpoint")]
    public required string Checkpoint { get; init; }

    /// <summary>The name the checkpoint key signs under.</summary>
    [JsonPropertyName("keyName")]
    public required string KeyName { get; init; }

    /// <summary>The checkpoint key as SubjectPublicKeyInfo PEM. Convenience only: trust comes from a key obtained elsewhere.</summary>
    [JsonPropertyName("publicKey")]
    public required string PublicKey { get; init; }

    private static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        // A file for people and tools, never embedded in HTML: keep '+' and '—' readable.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
    };

    /// <summary>Indented JSON, with a final newline.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Options) + "\n";

    /// <summary>Parses the JSON strictly: every member present, none unknown, none null.</summary>
    /// <exception cref="FormatException">Not a proof bundle.</exception>
    public static ProofBundle Parse(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        try
        {
            var bundle = JsonSerializer.Deserialize<ProofBundle>(json, Options)
                ?? throw new FormatException("The file is not a proof bundle (it is JSON null).");
            if (bundle.InclusionProof.Any(p => p is null))
            {
                throw new FormatException("The inclusion proof has an empty element.");
            }
            return bundle;
        }
        catch (JsonException ex)
        {
            throw new FormatException($"The file is not a proof bundle: {ex.Message}", ex);
        }
    }
}
