using System.Security.Cryptography;

namespace Intake.Core.Crypto;

/// <summary>A trusted note key: its name and P-256 public key, and the key id derived from both.</summary>
public sealed class NoteVerifierKey : IDisposable
{
    /// <summary>Takes ownership of <paramref name="publicKey"/>.</summary>
    public NoteVerifierKey(string keyName, ECDsa publicKey)
    {
        ArgumentNullException.ThrowIfNull(keyName);
        ArgumentNullException.ThrowIfNull(publicKey);
        if (!NoteFormat.IsValidKeyName(keyName))
        {
            throw new ArgumentException("A key name is 1-255 characters without whitespace or '+'.", nameof(keyName));
        }

        KeyName = keyName;
        Key = publicKey;
        KeyId = NoteFormat.KeyId(keyName, NoteFormat.PublicKey(publicKey));
    }

    /// <summary>The key name.</summary>
    public string KeyName { get; }

    /// <summary>The 4-byte key id, big-endian.</summary>
    public uint KeyId { get; }

    internal ECDsa Key { get; }

    /// <summary>Loads a SubjectPublicKeyInfo (DER) P-256 public key.</summary>
    public static NoteVerifierKey FromSubjectPublicKeyInfo(string keyName, ReadOnlySpan<byte> spki)
    {
        var key = ECDsa.Create();
        try
        {
            key.ImportSubjectPublicKeyInfo(spki, out _);
            return new NoteVerifierKey(keyName, key);
        }
        catch
        {
            key.Dispose();
            throw;
        }
    }

    /// <inheritdoc/>
    public void Dispose() => Key.Dispose();
}
