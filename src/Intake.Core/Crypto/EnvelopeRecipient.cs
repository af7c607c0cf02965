namespace Intake.Core.Crypto;

/// <summary>One recipient's copy of the content key: key id, HPKE enc (65 bytes) and sealed key (48 bytes).</summary>
public sealed record EnvelopeRecipient(ReadOnlyMemory<byte> KeyId, ReadOnlyMemory<byte> Enc, ReadOnlyMemory<byte> SealedKey)
{
    /// <summary>Length of a sealed content key: 32 bytes plus the 16-byte tag.</summary>
    public const int SealedKeyLength = EnvelopeHeader.ContentKeyLength + HpkeSuite.TagLength;
}
