using System.Security.Cryptography;
using Intake.Core.Crypto;

namespace Intake.Core.Ledger;

/// <summary>Reading checkpoint keys from PEM files, and the fingerprint people compare out of band.</summary>
public static class ProofBundleKeys
{
    /// <summary>
    /// The SubjectPublicKeyInfo (DER) of a P-256 key given as PEM: a public key ("BEGIN PUBLIC KEY"),
    /// or the public half of a PKCS#8 private key ("BEGIN PRIVATE KEY").
    /// </summary>
    /// <exception cref="FormatException">No P-256 key in the text.</exception>
    public static byte[] PublicKeyFromPem(string pem)
    {
        ArgumentNullException.ThrowIfNull(pem);
        using var key = ECDsa.Create();
        try
        {
            key.ImportFromPem(pem);
            _ = NoteFormat.PublicKey(key);
        }
        catch (Exception ex) when (ex is ArgumentException or CryptographicException)
        {
            throw new FormatException("Not a P-256 public or private key in PEM form.", ex);
        }
        return key.ExportSubjectPublicKeyInfo();
    }

    /// <summary>Loads a PKCS#8 PEM private key ("BEGIN PRIVATE KEY") as a note signer.</summary>
    /// <exception cref="FormatException">Not a P-256 private key in PEM form.</exception>
    public static NoteSigner SignerFromPem(string keyName, string pem)
    {
        ArgumentNullException.ThrowIfNull(pem);
        if (!pem.Contains("-----BEGIN PRIVATE KEY-----", StringComparison.Ordinal))
        {
            throw new FormatException("Not a PKCS#8 private key (expected \"-----BEGIN PRIVATE KEY-----\").");
        }
        var key = ECDsa.Create();
        try
        {
            key.ImportFromPem(pem);
            return new NoteSigner(keyName, key);
        }
        catch (Exception ex) when (ex is ArgumentException or CryptographicException)
        {
            key.Dispose();
            throw new FormatException("Not a P-256 private key in PEM form.", ex);
        }
    }

    /// <summary>A note verifier key from a SubjectPublicKeyInfo (DER).</summary>
    /// <exception cref="FormatException">Not a P-256 public key, or an invalid key name.</exception>
    public static NoteVerifierKey VerifierKey(string keyName, ReadOnlySpan<byte> subjectPublicKeyInfo)
    {
        try
        {
            return NoteVerifierKey.FromSubjectPublicKeyInfo(keyName, subjectPublicKeyInfo);
        }
        catch (Exception ex) when (ex is ArgumentException or CryptographicException)
        {
            throw new FormatException($"Not a usable checkpoint key: {ex.Message}", ex);
        }
    }

    /// <summary>SHA-256 of the 65-byte public key in 16 groups of 4 hex digits (docs/crypto.md §3).</summary>
    public static string Fingerprint(ReadOnlySpan<byte> subjectPublicKeyInfo)
    {
        using var key = ECDsa.Create();
        key.ImportSubjectPublicKeyInfo(subjectPublicKeyInfo, out _);
        return RecipientKeys.Fingerprint(NoteFormat.PublicKey(key));
    }
}
