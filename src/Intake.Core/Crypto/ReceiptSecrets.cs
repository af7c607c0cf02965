using System.Security.Cryptography;

namespace Intake.Core.Crypto;

/// <summary>
/// What a receipt unlocks, derived with HKDF-SHA256(salt = "intake/v1/receipt", ikm = the 15 receipt bytes) and
/// distinct info labels: a lookup id the server indexes, and the vault key that protects her secrets.
/// </summary>
public sealed class ReceiptSecrets : IDisposable
{
    /// <summary>Length of the lookup id and of the vault key.</summary>
    public const int Length = 32;

    private ReceiptSecrets(byte[] lookupId, byte[] vaultKey)
    {
        LookupId = lookupId;
        VaultKey = vaultKey;
    }

    /// <summary>info "intake/v1/receipt/lookup-id". Stored by the server; reveals nothing about the receipt.</summary>
    public byte[] LookupId { get; }

    /// <summary>info "intake/v1/receipt/vault-key". Never leaves the survivor's browser.</summary>
    public byte[] VaultKey { get; }

    /// <summary>Derives both values from a receipt.</summary>
    public static ReceiptSecrets Derive(SurvivorReceipt receipt)
    {
        ArgumentNullException.ThrowIfNull(receipt);
        return new ReceiptSecrets(Expand(receipt.Secret, IntakeLabels.ReceiptLookupIdInfo), Expand(receipt.Secret, IntakeLabels.ReceiptVaultKeyInfo));
    }

    /// <summary>Compares lookup ids in time independent of where they differ.</summary>
    public static bool LookupIdsEqual(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b) =>
        CryptographicOperations.FixedTimeEquals(a, b);

    /// <inheritdoc/>
    public void Dispose() => CryptographicOperations.ZeroMemory(VaultKey);

    private static byte[] Expand(ReadOnlySpan<byte> ikm, ReadOnlySpan<byte> info)
    {
        byte[] output = new byte[Length];
        HKDF.DeriveKey(HashAlgorithmName.SHA256, ikm, output, IntakeLabels.ReceiptSalt, info);
        return output;
    }
}
