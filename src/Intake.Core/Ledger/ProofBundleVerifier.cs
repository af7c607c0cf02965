using System.Security.Cryptography;
using Intake.Core.Crypto;

namespace Intake.Core.Ledger;

/// <summary>What a proof bundle proves, or why it proves nothing.</summary>
public sealed record ProofBundleVerification
{
    /// <summary>Null when the bundle verifies; otherwise one sentence saying what is wrong.</summary>
    public string? Problem { get; init; }

    public bool Ok => Problem is null;

    /// <summary>
    /// False when the checkpoint was verified only with the key embedded in the bundle: then the
    /// bundle is consistent, but proves nothing until <see cref="KeyFingerprint"/> is compared with
    /// the service's published key.
    /// </summary>
    public bool KeyTrusted { get; init; }

    /// <summary>Fingerprint of the key the checkpoint was checked with (docs/crypto.md §3).</summary>
    public string? KeyFingerprint { get; init; }

    public string? Origin { get; init; }
    public long LeafIndex { get; init; }
    public LedgerEntryKind? Kind { get; init; }
    public DateOnly? Day { get; init; }
    public byte[]? PayloadHash { get; init; }
    public byte[]? LeafHash { get; init; }
    public long TreeSize { get; init; }
    public DateOnly? CheckpointDate { get; init; }
}

/// <summary>
/// Checks a proof bundle offline, without the service: recomputes the leaf hash from the leaf
/// input, verifies the checkpoint's signature, and verifies the RFC 9162 §2.1.3.2 inclusion proof
/// against the checkpoint's root. Never throws for a bad bundle; the result says what is wrong.
/// </summary>
public static class ProofBundleVerifier
{
    /// <param name="json">The bundle as downloaded.</param>
    /// <param name="trustedSubjectPublicKeyInfo">
    /// The checkpoint key obtained independently of the bundle (DER SPKI). Null to fall back on the
    /// key embedded in the bundle, which the result flags as not trusted.
    /// </param>
    public static ProofBundleVerification Verify(string json, byte[]? trustedSubjectPublicKeyInfo)
    {
        ArgumentNullException.ThrowIfNull(json);
        ProofBundle bundle;
        try
        {
            bundle = ProofBundle.Parse(json);
        }
        catch (FormatException ex)
        {
            return Fail(ex.Message);
        }
        return Verify(bundle, trustedSubjectPublicKeyInfo);
    }

    /// <inheritdoc cref="Verify(string, byte[])"/>
    public static ProofBundleVerification Verify(ProofBundle bundle, byte[]? trustedSubjectPublicKeyInfo)
    {
        ArgumentNullException.ThrowIfNull(bundle);
        if (bundle.Format != ProofBundle.CurrentFormat)
        {
            return Fail($"Unknown bundle format \"{bundle.Format}\" (expected \"{ProofBundle.CurrentFormat}\").");
        }

        // The leaf: what the entry says, and that its hash is the one the proof starts from.
        if (!TryBase64(bundle.LeafInput, out var leafInput))
        {
            return Fail("The leaf input is not valid base64.");
        }
        LedgerLeaf leaf;
        try
        {
            leaf = LedgerLeaf.FromLeafInput(leafInput);
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException)
        {
            return Fail($"The leaf input is not an Intake ledger entry: {ex.Message}");
        }
        if (leaf.Sequence != bundle.LeafIndex)
        {
            return Fail($"The leaf input is entry {leaf.Sequence}, but the bundle claims index {bundle.LeafIndex}.");
        }
        var leafHash = MerkleHash.LeafHash(leafInput);
        if (!TryBase64(bundle.LeafHash, out var declaredLeafHash) || !MerkleHash.FixedTimeEquals(leafHash, declaredLeafHash))
        {
            return Fail("The leaf hash does not match the leaf input.");
        }

        // The key: the caller's if given, else the embedded one (flagged).
        var trusted = trustedSubjectPublicKeyInfo is not null;
        byte[] spki;
        if (trustedSubjectPublicKeyInfo is not null)
        {
            spki = trustedSubjectPublicKeyInfo;
        }
        else
        {
            try
            {
                spki = ProofBundleKeys.PublicKeyFromPem(bundle.PublicKey);
            }
            catch (FormatException)
            {
                return Fail("The bundle's embedded public key is not a P-256 key in PEM form.");
            }
        }
        string fingerprint;
        NoteVerifierKey key;
        try
        {
            fingerprint = ProofBundleKeys.Fingerprint(spki);
            key = ProofBundleKeys.VerifierKey(bundle.KeyName, spki);
        }
        catch (Exception ex) when (ex is FormatException or CryptographicException or ArgumentException)
        {
            return Fail(trusted ? "The trusted key is not a P-256 public key." : "The bundle's key name or embedded key is not usable.");
        }

        var which = trusted ? "the trusted key" : "the key embedded in the bundle";
        CheckpointBody checkpoint;
        using (key)
        {
            try
            {
                var (body, _) = new NoteVerifier([key]).Verify(bundle.Checkpoint);
                checkpoint = CheckpointBody.Parse(body);
            }
            catch (NoteVerificationException ex)
            {
                return Fail(ex.Failure == NoteFailure.UnknownKey
                    ? $"The checkpoint is not signed by {which} (key name \"{bundle.KeyName}\", fingerprint {fingerprint})."
                    : $"The checkpoint's signature does not verify with {which} ({ex.Failure}).");
            }
            catch (FormatException)
            {
                return Fail("The signed note is not a checkpoint.");
            }
        }

        if (checkpoint.Origin != bundle.Origin)
        {
            return Fail($"The checkpoint is for origin \"{checkpoint.Origin}\", not \"{bundle.Origin}\".");
        }
        if (checkpoint.TreeSize != bundle.TreeSize)
        {
            return Fail($"The checkpoint is for a tree of {checkpoint.TreeSize} entries, but the proof claims {bundle.TreeSize}.");
        }
        if (bundle.LeafIndex < 0 || bundle.LeafIndex >= checkpoint.TreeSize)
        {
            return Fail($"Entry {bundle.LeafIndex} is not within the checkpoint's {checkpoint.TreeSize} entries.");
        }
        var proof = new List<byte[]>(bundle.InclusionProof.Count);
        foreach (var element in bundle.InclusionProof)
        {
            if (!TryBase64(element, out var hash))
            {
                return Fail("An inclusion proof element is not valid base64.");
            }
            proof.Add(hash);
        }
        if (!MerkleVerifier.VerifyInclusion(bundle.LeafIndex, checkpoint.TreeSize, leafHash, proof, checkpoint.RootHash.Span))
        {
            return Fail($"The inclusion proof does not lead from entry {bundle.LeafIndex} to the checkpoint's root.");
        }

        return new ProofBundleVerification
        {
            KeyTrusted = trusted,
            KeyFingerprint = fingerprint,
            Origin = checkpoint.Origin,
            LeafIndex = leaf.Sequence,
            Kind = leaf.Kind,
            Day = leaf.Day,
            PayloadHash = leaf.PayloadHash,
            LeafHash = leafHash,
            TreeSize = checkpoint.TreeSize,
            CheckpointDate = checkpoint.Date,
        };
    }

    private static ProofBundleVerification Fail(string problem) => new() { Problem = problem };

    // Canonical base64 only, so that one bundle has one spelling.
    private static bool TryBase64(string text, out byte[] bytes)
    {
        try
        {
            bytes = Convert.FromBase64String(text);
            return Convert.ToBase64String(bytes) == text;
        }
        catch (FormatException)
        {
            bytes = [];
            return false;
        }
    }
}
