using System.Security.Cryptography;

namespace Intake.Core.Crypto;

/// <summary>DHKEM(P-256, HKDF-SHA256), kem_id 0x0010, per RFC 9180 §4.1 and §7.1.</summary>
internal static class HpkeDhKemP256
{
    internal const ushort KemId = 0x0010;

    /// <summary>Nsk: a big-endian scalar.</summary>
    internal const int PrivateKeyLength = 32;

    /// <summary>Npk and Nenc: an uncompressed SEC1 point, 0x04 || X || Y.</summary>
    internal const int PublicKeyLength = 65;

    /// <summary>Nsecret.</summary>
    internal const int SharedSecretLength = 32;

    private const int CoordinateLength = 32;
    private const byte UncompressedPointTag = 0x04;

    /// <summary>"KEM" || I2OSP(kem_id, 2).</summary>
    private static ReadOnlySpan<byte> SuiteId => [(byte)'K', (byte)'E', (byte)'M', 0x00, 0x10];

    /// <summary>The order n of the P-256 base point.</summary>
    private static ReadOnlySpan<byte> Order =>
    [
        0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84, 0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51,
    ];

    /// <summary>The P-256 field prime p.</summary>
    private static ReadOnlySpan<byte> FieldPrime =>
    [
        0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    ];

    internal static (byte[] PrivateKey, byte[] PublicKey) GenerateKeyPair()
    {
        using ECDiffieHellman key = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
        ECParameters parameters = key.ExportParameters(includePrivateParameters: true);
        try
        {
            if (parameters.D is not { Length: PrivateKeyLength })
            {
                throw new CryptographicException("The platform returned a P-256 private key of unexpected length.");
            }

            return ((byte[])parameters.D.Clone(), SerializePublicKey(parameters.Q));
        }
        finally
        {
            if (parameters.D is not null)
            {
                CryptographicOperations.ZeroMemory(parameters.D);
            }
        }
    }

    /// <summary>RFC 9180 §7.1.3 rejection sampling, so that one ikm always yields the same key pair.</summary>
    internal static (byte[] PrivateKey, byte[] PublicKey) DeriveKeyPair(ReadOnlySpan<byte> ikm)
    {
        // The RFC only says SHOULD; we refuse outright because a short ikm silently yields a weak long-term key.
        if (ikm.Length < PrivateKeyLength)
        {
            throw new ArgumentException($"ikm must be at least {PrivateKeyLength} bytes.", nameof(ikm));
        }

        byte[] dkpPrk = HpkeLabeledKdf.LabeledExtract(SuiteId, [], "dkp_prk"u8, ikm);
        try
        {
            Span<byte> counter = stackalloc byte[1];
            for (int i = 0; i <= byte.MaxValue; i++)
            {
                counter[0] = (byte)i;
                byte[] candidate = HpkeLabeledKdf.LabeledExpand(SuiteId, dkpPrk, "candidate"u8, counter, PrivateKeyLength);

                // The P-256 bitmask is 0xff, so masking candidate[0] is a no-op and is omitted.
                if (IsValidScalar(candidate))
                {
                    return (candidate, PublicKeyFromValidScalar(candidate));
                }

                CryptographicOperations.ZeroMemory(candidate);
            }
        }
        finally
        {
            CryptographicOperations.ZeroMemory(dkpPrk);
        }

        throw new CryptographicException("DeriveKeyPair found no valid P-256 scalar in 256 candidates.");
    }

    /// <summary>Computes the serialized public key for a caller-supplied private scalar.</summary>
    internal static byte[] GetPublicKey(ReadOnlySpan<byte> privateKey)
    {
        EnsureValidScalar(privateKey);
        return PublicKeyFromValidScalar(privateKey);
    }

    /// <summary>Encap with a fresh random ephemeral key.</summary>
    internal static (byte[] SharedSecret, byte[] Enc) Encap(ReadOnlySpan<byte> recipientPublicKey)
    {
        (byte[] ephemeralPrivateKey, _) = GenerateKeyPair();
        try
        {
            return Encap(recipientPublicKey, ephemeralPrivateKey);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(ephemeralPrivateKey);
        }
    }

    /// <summary>Encap with a given ephemeral key; only the test vectors should need this to be deterministic.</summary>
    internal static (byte[] SharedSecret, byte[] Enc) Encap(
        ReadOnlySpan<byte> recipientPublicKey, ReadOnlySpan<byte> ephemeralPrivateKey)
    {
        EnsureValidScalar(ephemeralPrivateKey);
        using ECDiffieHellman recipient = ImportPublicKey(recipientPublicKey)
            ?? throw new HpkeInvalidKeyException("The recipient public key is not an uncompressed P-256 point on the curve.");
        using ECDiffieHellman ephemeral = ImportPrivateKey(ephemeralPrivateKey);

        byte[] enc = SerializePublicKey(ephemeral.ExportParameters(includePrivateParameters: false).Q);
        byte[] dh = ephemeral.DeriveRawSecretAgreement(recipient.PublicKey);
        try
        {
            return (ExtractAndExpand(dh, enc, recipientPublicKey), enc);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(dh);
        }
    }

    /// <summary>
    /// Decap. A malformed or off-curve <paramref name="enc"/> comes from the message and so surfaces as
    /// <see cref="HpkeOpenException"/>; a bad private key is our own fault and surfaces as
    /// <see cref="HpkeInvalidKeyException"/>.
    /// </summary>
    internal static byte[] Decap(ReadOnlySpan<byte> enc, ReadOnlySpan<byte> recipientPrivateKey)
    {
        EnsureValidScalar(recipientPrivateKey);
        using ECDiffieHellman ephemeral = ImportPublicKey(enc) ?? throw new HpkeOpenException();
        using ECDiffieHellman recipient = ImportPrivateKey(recipientPrivateKey);

        byte[] recipientPublicKey = SerializePublicKey(recipient.ExportParameters(includePrivateParameters: false).Q);
        byte[] dh = recipient.DeriveRawSecretAgreement(ephemeral.PublicKey);
        try
        {
            return ExtractAndExpand(dh, enc, recipientPublicKey);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(dh);
        }
    }

    private static byte[] ExtractAndExpand(ReadOnlySpan<byte> dh, ReadOnlySpan<byte> enc, ReadOnlySpan<byte> recipientPublicKey)
    {
        byte[] kemContext = [.. enc, .. recipientPublicKey];
        byte[] eaePrk = HpkeLabeledKdf.LabeledExtract(SuiteId, [], "eae_prk"u8, dh);
        try
        {
            return HpkeLabeledKdf.LabeledExpand(SuiteId, eaePrk, "shared_secret"u8, kemContext, SharedSecretLength);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(eaePrk);
        }
    }

    private static byte[] PublicKeyFromValidScalar(ReadOnlySpan<byte> privateKey)
    {
        // Importing D alone makes the platform (OpenSSL here) compute Q = d·G for us.
        using ECDiffieHellman key = ImportPrivateKey(privateKey);
        return SerializePublicKey(key.ExportParameters(includePrivateParameters: false).Q);
    }

    private static ECDiffieHellman ImportPrivateKey(ReadOnlySpan<byte> privateKey)
    {
        byte[] d = privateKey.ToArray();
        try
        {
            return ECDiffieHellman.Create(new ECParameters { Curve = ECCurve.NamedCurves.nistP256, D = d });
        }
        finally
        {
            CryptographicOperations.ZeroMemory(d);
        }
    }

    /// <summary>Returns null rather than throwing so each caller can pick the exception that fits whose input it was.</summary>
    private static ECDiffieHellman? ImportPublicKey(ReadOnlySpan<byte> publicKey)
    {
        if (publicKey.Length != PublicKeyLength || publicKey[0] != UncompressedPointTag)
        {
            return null;
        }

        ReadOnlySpan<byte> x = publicKey.Slice(1, CoordinateLength);
        ReadOnlySpan<byte> y = publicKey.Slice(1 + CoordinateLength, CoordinateLength);

        // SEC1 requires canonical coordinates. OpenSSL already refuses x >= p, but other platform backends
        // might reduce mod p and accept a second encoding of the same point.
        if (x.SequenceCompareTo(FieldPrime) >= 0 || y.SequenceCompareTo(FieldPrime) >= 0)
        {
            return null;
        }

        try
        {
            // Import validates that the point is on the curve (and not the identity).
            return ECDiffieHellman.Create(new ECParameters
            {
                Curve = ECCurve.NamedCurves.nistP256,
                Q = new ECPoint { X = x.ToArray(), Y = y.ToArray() },
            });
        }
        catch (CryptographicException)
        {
            return null;
        }
    }

    private static byte[] SerializePublicKey(ECPoint q)
    {
        if (q.X is not { Length: CoordinateLength } || q.Y is not { Length: CoordinateLength })
        {
            throw new CryptographicException("The platform returned a P-256 public key of unexpected length.");
        }

        byte[] encoded = new byte[PublicKeyLength];
        encoded[0] = UncompressedPointTag;
        q.X.CopyTo(encoded, 1);
        q.Y.CopyTo(encoded, 1 + CoordinateLength);
        return encoded;
    }

    private static void EnsureValidScalar(ReadOnlySpan<byte> privateKey)
    {
        if (!IsValidScalar(privateKey))
        {
            throw new HpkeInvalidKeyException($"A P-256 private key must be a {PrivateKeyLength}-byte big-endian scalar in [1, n-1].");
        }
    }

    private static bool IsValidScalar(ReadOnlySpan<byte> scalar) =>
        scalar.Length == PrivateKeyLength
        && scalar.ContainsAnyExcept((byte)0)
        && scalar.SequenceCompareTo(Order) < 0;
}
