using System.Security.Cryptography;
using System.Text;

namespace Intake.Core.Crypto;

/// <summary>
/// Names for P-256 public keys (65-byte uncompressed SEC1): the 16-byte key id used on the wire and the full SHA-256
/// fingerprint people compare out of band.
/// </summary>
public static class RecipientKeys
{
    /// <summary>Length of a key id.</summary>
    public const int KeyIdLength = 16;

    /// <summary>Key id: the first 16 bytes of SHA-256(public key).</summary>
    /// <exception cref="ArgumentException">The key is not 65 bytes starting with 0x04.</exception>
    public static byte[] KeyId(ReadOnlySpan<byte> publicKey)
    {
        EnsureShape(publicKey);
        return SHA256.HashData(publicKey)[..KeyIdLength];
    }

    /// <summary>
    /// Fingerprint: all 32 bytes of SHA-256(public key) as 64 uppercase hex digits in 16 groups of 4, separated by
    /// single spaces, e.g. "3F2A 9C01 …". Hex digits read aloud the same way in Chinese and English.
    /// </summary>
    public static string Fingerprint(ReadOnlySpan<byte> publicKey)
    {
        EnsureShape(publicKey);
        string hex = Convert.ToHexString(SHA256.HashData(publicKey));
        var text = new StringBuilder(79);
        for (int i = 0; i < hex.Length; i += 4)
        {
            if (i > 0)
            {
                text.Append(' ');
            }

            text.Append(hex, i, 4);
        }

        return text.ToString();
    }

    /// <summary>Whether <paramref name="publicKey"/> has the length and tag of an uncompressed P-256 point.</summary>
    public static bool HasPublicKeyShape(ReadOnlySpan<byte> publicKey) =>
        publicKey.Length == HpkeSuite.PublicKeyLength && publicKey[0] == 0x04;

    private static void EnsureShape(ReadOnlySpan<byte> publicKey)
    {
        if (!HasPublicKeyShape(publicKey))
        {
            throw new ArgumentException("A public key must be a 65-byte uncompressed SEC1 P-256 point.", nameof(publicKey));
        }
    }
}
