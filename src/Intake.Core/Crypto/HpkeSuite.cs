using System.Security.Cryptography;

namespace Intake.Core.Crypto;

/// <summary>
/// An HPKE (RFC 9180) cipher suite in base mode: DHKEM(P-256, HKDF-SHA256), HKDF-SHA256 and AES-GCM with either key
/// size. Public keys are 65-byte uncompressed SEC1 points; private keys are 32-byte big-endian scalars.
/// </summary>
public sealed class HpkeSuite
{
    /// <summary>Length of a serialized public key and of <c>enc</c>.</summary>
    public const int PublicKeyLength = HpkeDhKemP256.PublicKeyLength;

    /// <summary>Length of a private key scalar.</summary>
    public const int PrivateKeyLength = HpkeDhKemP256.PrivateKeyLength;

    /// <summary>Bytes a ciphertext adds to its plaintext.</summary>
    public const int TagLength = 16;

    internal const int NonceLength = 12;

    private HpkeSuite(HpkeAead aead, int keyLength)
    {
        Aead = aead;
        KeyLength = keyLength;
        ushort kem = HpkeDhKemP256.KemId;
        ushort kdf = HpkeLabeledKdf.KdfId;
        ushort aeadId = (ushort)aead;

        // "HPKE" || I2OSP(kem_id, 2) || I2OSP(kdf_id, 2) || I2OSP(aead_id, 2)
        SuiteId =
        [
            (byte)'H', (byte)'P', (byte)'K', (byte)'E',
            (byte)(kem >> 8), (byte)kem, (byte)(kdf >> 8), (byte)kdf, (byte)(aeadId >> 8), (byte)aeadId,
        ];
    }

    /// <summary>DHKEM(P-256, HKDF-SHA256), HKDF-SHA256, AES-128-GCM.</summary>
    public static HpkeSuite P256Sha256Aes128Gcm { get; } = new(HpkeAead.Aes128Gcm, keyLength: 16);

    /// <summary>DHKEM(P-256, HKDF-SHA256), HKDF-SHA256, AES-256-GCM.</summary>
    public static HpkeSuite P256Sha256Aes256Gcm { get; } = new(HpkeAead.Aes256Gcm, keyLength: 32);

    /// <summary>The AEAD this suite seals with.</summary>
    public HpkeAead Aead { get; }

    internal int KeyLength { get; }

    internal byte[] SuiteId { get; }

    /// <summary>Returns the suite that uses <paramref name="aead"/>.</summary>
    public static HpkeSuite For(HpkeAead aead) => aead switch
    {
        HpkeAead.Aes128Gcm => P256Sha256Aes128Gcm,
        HpkeAead.Aes256Gcm => P256Sha256Aes256Gcm,
        _ => throw new ArgumentOutOfRangeException(nameof(aead), aead, "Unsupported HPKE AEAD."),
    };

    /// <summary>Generates a random recipient key pair.</summary>
    public static (byte[] PrivateKey, byte[] PublicKey) GenerateKeyPair() => HpkeDhKemP256.GenerateKeyPair();

    /// <summary>
    /// Deterministically derives a key pair from at least 32 bytes of input keying material (RFC 9180 §7.1.3), e.g.
    /// to rebuild a recipient key from a sealed secret. The key is only as strong as <paramref name="ikm"/>.
    /// </summary>
    public static (byte[] PrivateKey, byte[] PublicKey) DeriveKeyPair(ReadOnlySpan<byte> ikm) =>
        HpkeDhKemP256.DeriveKeyPair(ikm);

    /// <summary>Computes the 65-byte public key of a private key scalar.</summary>
    /// <exception cref="HpkeInvalidKeyException">The private key is not a valid P-256 scalar.</exception>
    public static byte[] GetPublicKey(ReadOnlySpan<byte> privateKey) => HpkeDhKemP256.GetPublicKey(privateKey);

    /// <summary>Starts a session to the holder of <paramref name="recipientPublicKey"/>.</summary>
    /// <returns><c>Enc</c> must reach the recipient alongside the ciphertexts; it is not secret.</returns>
    /// <exception cref="HpkeInvalidKeyException">The public key is not an uncompressed P-256 point on the curve.</exception>
    public (byte[] Enc, HpkeSenderContext Context) SetupBaseSender(
        ReadOnlySpan<byte> recipientPublicKey, ReadOnlySpan<byte> info)
    {
        (byte[] sharedSecret, byte[] enc) = HpkeDhKemP256.Encap(recipientPublicKey);
        return (enc, new HpkeSenderContext(CreateContext(sharedSecret, info)));
    }

    /// <summary>Sender setup with a chosen ephemeral key, which makes the output reproducible for test vectors.</summary>
    internal (byte[] Enc, HpkeSenderContext Context) SetupBaseSenderWithEphemeralKey(
        ReadOnlySpan<byte> recipientPublicKey, ReadOnlySpan<byte> info, ReadOnlySpan<byte> ephemeralPrivateKey)
    {
        (byte[] sharedSecret, byte[] enc) = HpkeDhKemP256.Encap(recipientPublicKey, ephemeralPrivateKey);
        return (enc, new HpkeSenderContext(CreateContext(sharedSecret, info)));
    }

    /// <summary>Starts the receiving end of the session the sender's <paramref name="enc"/> belongs to.</summary>
    /// <exception cref="HpkeOpenException"><paramref name="enc"/> is malformed or not on the curve.</exception>
    /// <exception cref="HpkeInvalidKeyException">The private key is not a valid P-256 scalar.</exception>
    public HpkeRecipientContext SetupBaseRecipient(
        ReadOnlySpan<byte> enc, ReadOnlySpan<byte> recipientPrivateKey, ReadOnlySpan<byte> info)
    {
        byte[] sharedSecret = HpkeDhKemP256.Decap(enc, recipientPrivateKey);
        return new HpkeRecipientContext(CreateContext(sharedSecret, info));
    }

    /// <summary>Encrypts a single message to the holder of <paramref name="recipientPublicKey"/>.</summary>
    /// <exception cref="HpkeInvalidKeyException">The public key is not an uncompressed P-256 point on the curve.</exception>
    public (byte[] Enc, byte[] Ciphertext) Seal(
        ReadOnlySpan<byte> recipientPublicKey, ReadOnlySpan<byte> info, ReadOnlySpan<byte> aad, ReadOnlySpan<byte> plaintext)
    {
        (byte[] enc, HpkeSenderContext context) = SetupBaseSender(recipientPublicKey, info);
        using (context)
        {
            return (enc, context.Seal(aad, plaintext));
        }
    }

    /// <summary>Decrypts a message produced by <see cref="Seal"/>.</summary>
    /// <exception cref="HpkeOpenException">Anything about enc, info, aad or ciphertext is wrong, or the key is not the recipient's.</exception>
    /// <exception cref="HpkeInvalidKeyException">The private key is not a valid P-256 scalar.</exception>
    public byte[] Open(
        ReadOnlySpan<byte> recipientPrivateKey,
        ReadOnlySpan<byte> enc,
        ReadOnlySpan<byte> info,
        ReadOnlySpan<byte> aad,
        ReadOnlySpan<byte> ciphertext)
    {
        using HpkeRecipientContext context = SetupBaseRecipient(enc, recipientPrivateKey, info);
        return context.Open(aad, ciphertext);
    }

    /// <summary>Runs the key schedule for a shared secret this method now owns and wipes.</summary>
    private HpkeAeadContext CreateContext(byte[] sharedSecret, ReadOnlySpan<byte> info)
    {
        HpkeKeySchedule schedule;
        try
        {
            schedule = HpkeKeySchedule.DeriveBase(this, sharedSecret, info);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(sharedSecret);
        }

        return new HpkeAeadContext(this, schedule);
    }
}
