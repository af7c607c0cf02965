using System.Security.Cryptography;
using System.Text;

namespace Intake.Core.Crypto;

/// <summary>
/// Wraps an advocate's P-256 private scalar under her passphrase: KEK = PBKDF2-SHA256(UTF-8(NFC(passphrase)), salt,
/// iterations, 32 bytes); AES-256-GCM with AAD "intake/v1/advocate-key" || key id. The server stores only the result.
/// </summary>
public static class AdvocateKeyWrap
{
    /// <summary>OWASP's 2023 figure for PBKDF2-HMAC-SHA256; also the floor this protocol accepts.</summary>
    public const int MinimumIterations = 600_000;

    /// <summary>Refused above this, so a hostile record cannot pin a browser for minutes.</summary>
    public const int MaximumIterations = 10_000_000;

    internal const int SaltLength = 16;
    internal const int NonceLength = 12;
    internal const int WrappedLength = HpkeSuite.PrivateKeyLength + TagLength;
    private const int TagLength = 16;

    /// <summary>Wraps <paramref name="privateKey"/> with fresh salt and nonce.</summary>
    /// <exception cref="KeyWrapException">Iterations outside [600,000, 10,000,000].</exception>
    /// <exception cref="HpkeInvalidKeyException">The private key is not a valid P-256 scalar.</exception>
    public static WrappedAdvocateKey Wrap(ReadOnlySpan<byte> privateKey, string passphrase, int iterations = MinimumIterations) =>
        Wrap(privateKey, passphrase, iterations, RandomNumberGenerator.GetBytes(SaltLength), RandomNumberGenerator.GetBytes(NonceLength), MinimumIterations);

    /// <summary>Unwraps a record; refuses iteration counts outside the accepted range.</summary>
    /// <exception cref="KeyWrapException">Wrong passphrase, altered record, or iterations out of range.</exception>
    public static byte[] Unwrap(WrappedAdvocateKey record, string passphrase) => Unwrap(record, passphrase, MinimumIterations);

    /// <summary>Deterministic, with a test-only floor so unit tests need not run 600,000 iterations each time.</summary>
    internal static WrappedAdvocateKey Wrap(
        ReadOnlySpan<byte> privateKey, string passphrase, int iterations, ReadOnlySpan<byte> salt, ReadOnlySpan<byte> nonce, int minimumIterations)
    {
        EnsureIterations(iterations, minimumIterations);
        if (salt.Length != SaltLength || nonce.Length != NonceLength)
        {
            throw new ArgumentException("Salt is 16 bytes and nonce 12 bytes.");
        }

        byte[] publicKey = HpkeSuite.GetPublicKey(privateKey);
        byte[] kek = DeriveKek(passphrase, salt, iterations);
        try
        {
            byte[] wrapped = new byte[WrappedLength];
            using var aes = new AesGcm(kek, TagLength);
            aes.Encrypt(nonce, privateKey, wrapped.AsSpan(0, HpkeSuite.PrivateKeyLength), wrapped.AsSpan(HpkeSuite.PrivateKeyLength), Aad(publicKey));
            return new WrappedAdvocateKey { Iterations = iterations, Salt = salt.ToArray(), Nonce = nonce.ToArray(), PublicKey = publicKey, WrappedKey = wrapped };
        }
        finally
        {
            CryptographicOperations.ZeroMemory(kek);
        }
    }

    internal static byte[] Unwrap(WrappedAdvocateKey record, string passphrase, int minimumIterations)
    {
        ArgumentNullException.ThrowIfNull(record);
        EnsureIterations(record.Iterations, minimumIterations);
        if (record.Salt.Length != SaltLength || record.Nonce.Length != NonceLength
            || record.WrappedKey.Length != WrappedLength || !RecipientKeys.HasPublicKeyShape(record.PublicKey.Span))
        {
            throw new KeyWrapException(KeyWrapFailure.Malformed);
        }

        byte[] kek = DeriveKek(passphrase, record.Salt.Span, record.Iterations);
        byte[] privateKey = new byte[HpkeSuite.PrivateKeyLength];
        try
        {
            using var aes = new AesGcm(kek, TagLength);
            ReadOnlySpan<byte> wrapped = record.WrappedKey.Span;
            aes.Decrypt(record.Nonce.Span, wrapped[..HpkeSuite.PrivateKeyLength], wrapped[HpkeSuite.PrivateKeyLength..], privateKey, Aad(record.PublicKey.Span));
        }
        catch (AuthenticationTagMismatchException)
        {
            throw new KeyWrapException(KeyWrapFailure.WrongPassphraseOrTampered);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(kek);
        }

        // The AAD already binds the key id; this also catches a record someone built with the right passphrase
        // but a public key that does not belong to the scalar.
        if (!CryptographicOperations.FixedTimeEquals(HpkeSuite.GetPublicKey(privateKey), record.PublicKey.Span))
        {
            CryptographicOperations.ZeroMemory(privateKey);
            throw new KeyWrapException(KeyWrapFailure.WrongPassphraseOrTampered);
        }

        return privateKey;
    }

    internal static byte[] DeriveKek(string passphrase, ReadOnlySpan<byte> salt, int iterations)
    {
        ArgumentNullException.ThrowIfNull(passphrase);
        byte[] password = Encoding.UTF8.GetBytes(passphrase.Normalize(NormalizationForm.FormC));
        try
        {
            return Rfc2898DeriveBytes.Pbkdf2(password, salt, iterations, HashAlgorithmName.SHA256, 32);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(password);
        }
    }

    private static byte[] Aad(ReadOnlySpan<byte> publicKey) => [.. IntakeLabels.AdvocateKeyAadPrefix, .. RecipientKeys.KeyId(publicKey)];

    private static void EnsureIterations(int iterations, int minimumIterations)
    {
        if (iterations < minimumIterations || iterations > MaximumIterations)
        {
            throw new KeyWrapException(KeyWrapFailure.IterationsOutOfRange);
        }
    }
}
