using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Intake.Core.Crypto;

/// <summary>
/// Signs note bodies in the C2SP signed-note layout with ECDSA P-256/SHA-256 (IEEE P1363 r||s): body, blank line,
/// then "— name base64(key id || signature)\n" per key.
/// </summary>
public sealed class NoteSigner : IDisposable
{
    private readonly ECDsa _key;

    /// <summary>Takes ownership of <paramref name="privateKey"/>.</summary>
    public NoteSigner(string keyName, ECDsa privateKey)
    {
        ArgumentNullException.ThrowIfNull(keyName);
        ArgumentNullException.ThrowIfNull(privateKey);
        if (!NoteFormat.IsValidKeyName(keyName))
        {
            throw new ArgumentException("A key name is 1-255 characters without whitespace or '+'.", nameof(keyName));
        }

        KeyName = keyName;
        _key = privateKey;
        PublicKey = NoteFormat.PublicKey(privateKey);
        KeyId = NoteFormat.KeyId(keyName, PublicKey.Span);
    }

    /// <summary>The key name shown in signature lines.</summary>
    public string KeyName { get; }

    /// <summary>The 4-byte key id, big-endian.</summary>
    public uint KeyId { get; }

    /// <summary>The 65-byte public key.</summary>
    public ReadOnlyMemory<byte> PublicKey { get; }

    /// <summary>Loads a PKCS#8 P-256 private key.</summary>
    public static NoteSigner FromPkcs8(string keyName, ReadOnlySpan<byte> pkcs8)
    {
        var key = ECDsa.Create();
        try
        {
            key.ImportPkcs8PrivateKey(pkcs8, out _);
            return new NoteSigner(keyName, key);
        }
        catch
        {
            key.Dispose();
            throw;
        }
    }

    /// <summary>Signs <paramref name="body"/> with every signer, in the order given.</summary>
    /// <exception cref="ArgumentException">The body breaks the note text rules (docs/crypto.md, "Signed notes").</exception>
    public static string Sign(string body, IEnumerable<NoteSigner> signers)
    {
        ArgumentNullException.ThrowIfNull(body);
        ArgumentNullException.ThrowIfNull(signers);
        if (!NoteFormat.IsValidBody(body))
        {
            throw new ArgumentException("A note body is non-empty lines each ending in \\n, without control characters.", nameof(body));
        }

        byte[] message = NoteFormat.StrictUtf8.GetBytes(body);
        string note = body + "\n";
        foreach (NoteSigner signer in signers)
        {
            note += signer.SignatureLine(message);
        }

        return note;
    }

    /// <summary>Signs <paramref name="body"/> with this key alone.</summary>
    public string Sign(string body) => Sign(body, [this]);

    /// <summary>Exports the public key as SubjectPublicKeyInfo, for verifiers.</summary>
    public byte[] ExportSubjectPublicKeyInfo() => _key.ExportSubjectPublicKeyInfo();

    /// <inheritdoc/>
    public void Dispose() => _key.Dispose();

    private string SignatureLine(byte[] message)
    {
        byte[] blob = new byte[NoteFormat.KeyIdLength + NoteFormat.SignatureLength];
        BinaryPrimitives.WriteUInt32BigEndian(blob, KeyId);
        int written = _key.SignData(message, blob.AsSpan(NoteFormat.KeyIdLength), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        if (written != NoteFormat.SignatureLength)
        {
            throw new CryptographicException("The platform produced a P-256 signature of unexpected length.");
        }

        return $"{NoteFormat.SignaturePrefix}{KeyName} {Convert.ToBase64String(blob)}\n";
    }
}
