namespace Intake.Core.Crypto;

/// <summary>
/// Every domain-separation label of protocol v1 (docs/crypto.md, "Labels"). They are ASCII, carry no terminator and
/// differ from one another, so a key or MAC made for one purpose can never be accepted for another.
/// </summary>
internal static class IntakeLabels
{
    internal const byte ProtocolVersion = 1;

    internal static ReadOnlySpan<byte> EnvelopeHeaderMagic => "intake/envelope"u8;

    internal static ReadOnlySpan<byte> ContentKeyInfo => "intake/v1/content-key"u8;

    internal static ReadOnlySpan<byte> StreamKeyInfo => "intake/v1/stream-key"u8;

    internal static ReadOnlySpan<byte> StreamMagic => "INTK"u8;

    internal static ReadOnlySpan<byte> ReceiptSalt => "intake/v1/receipt"u8;

    internal static ReadOnlySpan<byte> ReceiptLookupIdInfo => "intake/v1/receipt/lookup-id"u8;

    internal static ReadOnlySpan<byte> ReceiptVaultKeyInfo => "intake/v1/receipt/vault-key"u8;

    internal static ReadOnlySpan<byte> ReceiptVaultAad => "intake/v1/receipt/vault"u8;

    internal static ReadOnlySpan<byte> AdvocateKeyAadPrefix => "intake/v1/advocate-key"u8;

    /// <summary>Follows C2SP signed-note's 0xff escape: a private type byte followed by a long, unlikely-to-collide name.</summary>
    internal static ReadOnlySpan<byte> NoteSignatureTypeName => "intake/v1/ecdsa-p256-sha256-p1363"u8;

    internal const byte NoteSignatureTypeEscape = 0xff;
}
