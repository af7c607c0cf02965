using System.Security.Cryptography;

namespace Intake.Core.Crypto;

/// <summary>
/// Seals a content key to every recipient with HPKE base mode, DHKEM(P-256, HKDF-SHA256)/HKDF-SHA256/AES-128-GCM,
/// info = "intake/v1/content-key", aad = header hash.
/// </summary>
public static class EnvelopeSealer
{
    /// <summary>The suite of RFC 9180 appendix A.3, whose published vectors both implementations are checked against.</summary>
    internal static HpkeSuite Suite => HpkeSuite.P256Sha256Aes128Gcm;

    /// <summary>Generates a fresh random 32-byte content key.</summary>
    public static byte[] GenerateContentKey() => RandomNumberGenerator.GetBytes(EnvelopeHeader.ContentKeyLength);

    /// <summary>Builds the header for these recipients and seals <paramref name="contentKey"/> to each of them.</summary>
    /// <exception cref="HpkeInvalidKeyException">A recipient key is not a P-256 point on the curve.</exception>
    public static Envelope Seal(
        EnvelopeKind kind,
        string channelId,
        ReadOnlyMemory<byte>? parent,
        ReadOnlyMemory<byte> replyPublicKey,
        IReadOnlyList<ReadOnlyMemory<byte>> recipientPublicKeys,
        IReadOnlyList<StreamHeader> streams,
        ReadOnlySpan<byte> contentKey) =>
        Seal(kind, channelId, parent, replyPublicKey, recipientPublicKeys, streams, contentKey, ephemeralPrivateKeys: null);

    /// <summary>With <paramref name="ephemeralPrivateKeys"/> (one per recipient, in input order) the output is reproducible for vectors.</summary>
    internal static Envelope Seal(
        EnvelopeKind kind,
        string channelId,
        ReadOnlyMemory<byte>? parent,
        ReadOnlyMemory<byte> replyPublicKey,
        IReadOnlyList<ReadOnlyMemory<byte>> recipientPublicKeys,
        IReadOnlyList<StreamHeader> streams,
        ReadOnlySpan<byte> contentKey,
        IReadOnlyList<ReadOnlyMemory<byte>>? ephemeralPrivateKeys)
    {
        ArgumentNullException.ThrowIfNull(recipientPublicKeys);
        if (contentKey.Length != EnvelopeHeader.ContentKeyLength)
        {
            throw new ArgumentException($"A content key is {EnvelopeHeader.ContentKeyLength} bytes.", nameof(contentKey));
        }

        if (ephemeralPrivateKeys is not null && ephemeralPrivateKeys.Count != recipientPublicKeys.Count)
        {
            throw new ArgumentException("One ephemeral key per recipient.", nameof(ephemeralPrivateKeys));
        }

        var header = new EnvelopeHeader(
            kind, channelId, parent, replyPublicKey, recipientPublicKeys.Select(k => (ReadOnlyMemory<byte>)RecipientKeys.KeyId(k.Span)), streams);
        byte[] headerHash = header.ComputeHash();

        var entries = new List<EnvelopeRecipient>(recipientPublicKeys.Count);
        for (int i = 0; i < recipientPublicKeys.Count; i++)
        {
            ReadOnlySpan<byte> publicKey = recipientPublicKeys[i].Span;
            (byte[] enc, HpkeSenderContext context) = ephemeralPrivateKeys is null
                ? Suite.SetupBaseSender(publicKey, IntakeLabels.ContentKeyInfo)
                : Suite.SetupBaseSenderWithEphemeralKey(publicKey, IntakeLabels.ContentKeyInfo, ephemeralPrivateKeys[i].Span);
            using (context)
            {
                entries.Add(new EnvelopeRecipient(RecipientKeys.KeyId(publicKey), enc, context.Seal(headerHash, contentKey)));
            }
        }

        entries.Sort((a, b) => a.KeyId.Span.SequenceCompareTo(b.KeyId.Span));
        return new Envelope(header, entries);
    }
}
