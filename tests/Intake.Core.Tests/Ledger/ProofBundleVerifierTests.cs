using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Intake.Core.Crypto;
using Intake.Core.Ledger;

namespace Intake.Core.Tests.Ledger;

public sealed class ProofBundleVerifierTests : IDisposable
{
    private const string Origin = "intake.example.org/ledger";
    private static readonly DateOnly Day = new(2025, 3, 14);
    private readonly NoteSigner _signer = new(Origin, ECDsa.Create(ECCurve.NamedCurves.nistP256));

    public void Dispose() => _signer.Dispose();

    private byte[] TrustedKey => _signer.ExportSubjectPublicKeyInfo();

    private static LedgerLeaf Leaf(long sequence) => sequence == 3
        ? new LedgerLeaf(3, LedgerEntryKind.PurgeTombstone, Day, null, null, 1, ReadOnlyMemory<byte>.Empty)
        : new LedgerLeaf(sequence, LedgerEntryKind.Submission, Day, Guid.NewGuid(), SHA256.HashData(BitConverter.GetBytes(sequence)), null, "m"u8.ToArray());

    /// <summary>A bundle for entry <paramref name="index"/> of an 11-entry log, built as the service builds it.</summary>
    private ProofBundle Bundle(long index, NoteSigner? signer = null)
    {
        signer ??= _signer;
        var leaves = Enumerable.Range(0, 11).Select(i => Leaf(i)).ToList();
        var source = new MerkleInMemoryHashSource(leaves.Select(l => l.LeafHash()));
        var root = MerkleTree.ComputeRoot(source, 11);
        var input = leaves[(int)index].ToLeafInput();
        return new ProofBundle
        {
            Format = ProofBundle.CurrentFormat,
            Origin = Origin,
            LeafIndex = index,
            LeafInput = Convert.ToBase64String(input),
            LeafHash = Convert.ToBase64String(MerkleHash.LeafHash(input)),
            TreeSize = 11,
            InclusionProof = [.. MerkleTree.InclusionProof(source, index, 11).Select(Convert.ToBase64String)],
            Checkpoint = signer.Sign(new CheckpointBody(Origin, 11, root, Day.AddDays(1)).ToNoteBody()),
            KeyName = signer.KeyName,
            PublicKey = PemEncoding.WriteString("PUBLIC KEY", signer.ExportSubjectPublicKeyInfo()),
        };
    }

    [Fact]
    public void A_good_bundle_verified_with_the_trusted_key_says_what_it_proves()
    {
        var bundle = Bundle(6);

        var result = ProofBundleVerifier.Verify(bundle.ToJson(), TrustedKey);

        Assert.True(result.Ok, result.Problem);
        Assert.True(result.KeyTrusted);
        Assert.Equal(6, result.LeafIndex);
        Assert.Equal(LedgerEntryKind.Submission, result.Kind);
        Assert.Equal(Day, result.Day);
        Assert.Equal(SHA256.HashData(BitConverter.GetBytes(6L)), result.PayloadHash);
        Assert.Equal(Origin, result.Origin);
        Assert.Equal(11, result.TreeSize);
        Assert.Equal(Day.AddDays(1), result.CheckpointDate);
        Assert.Equal(ProofBundleKeys.Fingerprint(TrustedKey), result.KeyFingerprint);
    }

    [Fact]
    public void Every_entry_of_the_tree_including_a_tombstone_verifies()
    {
        for (long index = 0; index < 11; index++)
        {
            var result = ProofBundleVerifier.Verify(Bundle(index).ToJson(), TrustedKey);
            Assert.True(result.Ok, $"entry {index}: {result.Problem}");
            Assert.Equal(index == 3 ? LedgerEntryKind.PurgeTombstone : LedgerEntryKind.Submission, result.Kind);
        }
    }

    [Fact]
    public void Without_a_trusted_key_the_embedded_key_is_used_and_flagged()
    {
        var result = ProofBundleVerifier.Verify(Bundle(2).ToJson(), null);

        Assert.True(result.Ok, result.Problem);
        Assert.False(result.KeyTrusted);
        Assert.Equal(ProofBundleKeys.Fingerprint(TrustedKey), result.KeyFingerprint);
    }

    [Fact]
    public void A_bundle_re_signed_by_another_key_is_refused_with_the_trusted_key_and_shows_a_different_fingerprint_without()
    {
        using var forger = new NoteSigner(Origin, ECDsa.Create(ECCurve.NamedCurves.nistP256));
        var forged = Bundle(2, forger).ToJson();

        var withKey = ProofBundleVerifier.Verify(forged, TrustedKey);
        var withoutKey = ProofBundleVerifier.Verify(forged, null);

        Assert.False(withKey.Ok);
        Assert.StartsWith("The checkpoint is not signed by the trusted key", withKey.Problem, StringComparison.Ordinal);
        Assert.True(withoutKey.Ok);
        Assert.False(withoutKey.KeyTrusted);
        Assert.NotEqual(ProofBundleKeys.Fingerprint(TrustedKey), withoutKey.KeyFingerprint);
    }

    private static string FlipByte(string base64, int at)
    {
        var bytes = Convert.FromBase64String(base64);
        bytes[at] ^= 1;
        return Convert.ToBase64String(bytes);
    }

    public static TheoryData<string, string> Tamperings => new()
    {
        { "format", "Unknown bundle format" },
        { "origin", "The checkpoint is for origin" },
        { "leafIndex", "The leaf input is entry 6, but the bundle claims index 5" },
        { "leafInput", "The leaf hash does not match the leaf input" },
        { "leafInput.sequence", "The leaf input is entry 7, but the bundle claims index 6" },
        { "leafHash", "The leaf hash does not match the leaf input" },
        { "treeSize", "The checkpoint is for a tree of 11 entries, but the proof claims 12" },
        { "inclusionProof.element", "The inclusion proof does not lead from entry 6" },
        { "inclusionProof.dropped", "The inclusion proof does not lead from entry 6" },
        { "inclusionProof.extra", "The inclusion proof does not lead from entry 6" },
        { "checkpoint.root", "The checkpoint's signature does not verify with the trusted key" },
        { "checkpoint.size", "The checkpoint's signature does not verify with the trusted key" },
        { "checkpoint.signature", "The checkpoint's signature does not verify with the trusted key" },
        { "keyName", "The checkpoint is not signed by the trusted key" },
        { "unknownMember", "The file is not a proof bundle" },
        { "missingMember", "The file is not a proof bundle" },
    };

    [Theory]
    [MemberData(nameof(Tamperings))]
    public void A_tampered_bundle_is_refused_with_a_reason(string field, string reason)
    {
        var json = JsonNode.Parse(Bundle(6).ToJson())!.AsObject();
        var proof = json["inclusionProof"]!.AsArray();
        var note = (string)json["checkpoint"]!;
        var lines = note.Split('\n');
        switch (field)
        {
            case "format": json["format"] = "intake-proof-v2"; break;
            case "origin": json["origin"] = "intake.example.net/ledger"; break;
            case "leafIndex": json["leafIndex"] = 5; break;
            case "leafInput": json["leafInput"] = FlipByte((string)json["leafInput"]!, 50); break;
            case "leafInput.sequence": json["leafInput"] = FlipByte((string)json["leafInput"]!, 8); break;
            case "leafHash": json["leafHash"] = FlipByte((string)json["leafHash"]!, 0); break;
            case "treeSize": json["treeSize"] = 12; break;
            case "inclusionProof.element": proof[1] = FlipByte((string)proof[1]!, 31); break;
            case "inclusionProof.dropped": proof.RemoveAt(proof.Count - 1); break;
            case "inclusionProof.extra": proof.Add(Convert.ToBase64String(new byte[32])); break;
            case "checkpoint.root": lines[2] = FlipByte(lines[2], 0); json["checkpoint"] = string.Join('\n', lines); break;
            case "checkpoint.size": lines[1] = "12"; json["checkpoint"] = string.Join('\n', lines); break;
            case "checkpoint.signature":
                var signature = lines[5]["— ".Length..].Split(' ');
                lines[5] = $"— {signature[0]} {FlipByte(signature[1], 30)}";
                json["checkpoint"] = string.Join('\n', lines);
                break;
            case "keyName": json["keyName"] = "someone-else"; break;
            case "unknownMember": json["comment"] = "trust me"; break;
            case "missingMember": json.Remove("inclusionProof"); break;
            default: throw new ArgumentOutOfRangeException(nameof(field));
        }

        var result = ProofBundleVerifier.Verify(json.ToJsonString(), TrustedKey);

        Assert.False(result.Ok, $"tampered {field} was accepted");
        Assert.StartsWith(reason, result.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Bundles_round_trip_through_json_unchanged()
    {
        var bundle = Bundle(9);

        var parsed = ProofBundle.Parse(bundle.ToJson());

        Assert.Equal(bundle.ToJson(), parsed.ToJson());
        Assert.Equal(bundle.InclusionProof, parsed.InclusionProof);
    }
}
