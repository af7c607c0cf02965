using System.Security.Cryptography;

namespace Intake.Core.Crypto;

/// <summary>
/// The survivor's secrets at rest on the server: AES-256-GCM under the receipt's vault key, AAD
/// "intake/v1/receipt/vault", over reply private key (32) || case content key (32). Wire form:
/// nonce (12) || ciphertext (64) || tag (16) = 92 bytes.
/// </summary>
public static class ReceiptVault
{
    /// <summary>Length of a sealed vault.</summary>
    public const int SealedLength = NonceLength + PlaintextLength + TagLength;

    private const int NonceLength = 12;
    private const int TagLength = 16;
    private const int PlaintextLength = 64;

    /// <summary>Seals her reply private key and her copy of the case content key.</summary>
    public static byte[] Seal(ReadOnlySpan<byte> vaultKey, ReadOnlySpan<byte> replyPrivateKey, ReadOnlySpan<byte> contentKey) =>
        Seal(vaultKey, replyPrivateKey, contentKey, RandomNumberGenerator.GetBytes(NonceLength));

    /// <summary>Deterministic form for test vectors.</summary>
    internal static byte[] Seal(ReadOnlySpan<byte> vaultKey, ReadOnlySpan<byte> replyPrivateKey, ReadOnlySpan<byte> contentKey, ReadOnlySpan<byte> nonce)
    {
        if (replyPrivateKey.Length != HpkeSuite.PrivateKeyLength || contentKey.Length != EnvelopeHeader.ContentKeyLength || nonce.Length != NonceLength)
        {
            throw new ArgumentException("The vault holds a 32-byte private key and a 32-byte content key under a 12-byte nonce.");
        }

        byte[] plaintext = [.. replyPrivateKey, .. contentKey];
        byte[] sealedVault = new byte[SealedLength];
        try
        {
            nonce.CopyTo(sealedVault);
            using var aes = new AesGcm(vaultKey, TagLength);
            aes.Encrypt(nonce, plaintext, sealedVault.AsSpan(NonceLength, PlaintextLength), sealedVault.AsSpan(NonceLength + PlaintextLength), IntakeLabels.ReceiptVaultAad);
            return sealedVault;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext);
        }
    }

    /// <summary>Opens a vault; the caller should zero both keys when done.</summary>
    /// <exception cref="ReceiptVaultException">Wrong receipt, or the vault was altered.</exception>
    public static (byte[] ReplyPrivateKey, byte[] ContentKey) Open(ReadOnlySpan<byte> vaultKey, ReadOnlySpan<byte> sealedVault)
    {
        if (sealedVault.Length != SealedLength)
        {
            throw new ReceiptVaultException();
        }

        byte[] plaintext = new byte[PlaintextLength];
        try
        {
            using var aes = new AesGcm(vaultKey, TagLength);
            aes.Decrypt(sealedVault[..NonceLength], sealedVault.Slice(NonceLength, PlaintextLength), sealedVault[(NonceLength + PlaintextLength)..], plaintext, IntakeLabels.ReceiptVaultAad);
            return (plaintext[..32], plaintext[32..]);
        }
        catch (AuthenticationTagMismatchException)
        {
            throw new ReceiptVaultException();
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext);
        }
    }
}
