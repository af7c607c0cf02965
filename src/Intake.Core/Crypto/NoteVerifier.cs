using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Intake.Core.Crypto;

/// <summary>
/// Verifies signed notes strictly: every signature line must come from a known key (name and key id both match),
/// each key at most once, and every one must verify. Stricter than C2SP, which ignores unknown keys, because
/// Intake's notes have no third-party cosigners and an unexpected line means something is wrong.
/// </summary>
public sealed class NoteVerifier(IEnumerable<NoteVerifierKey> keys)
{
    private readonly NoteVerifierKey[] _keys = [.. keys ?? throw new ArgumentNullException(nameof(keys))];

    /// <summary>Returns the verified body (with its final newline) and the names of the keys that signed it.</summary>
    /// <exception cref="NoteVerificationException">The note is malformed, or a signature is unknown, duplicated or invalid.</exception>
    public (string Body, IReadOnlyList<string> SignedBy) Verify(string note)
    {
        if (note is null || note.Length > NoteFormat.MaxNoteLength || note.Any(c => c < 0x20 && c != '\n'))
        {
            throw new NoteVerificationException(NoteFailure.Malformed);
        }

        // The body has no blank line, so the first "\n\n" is the separator.
        int separator = note.IndexOf("\n\n", StringComparison.Ordinal);
        if (separator < 0)
        {
            throw new NoteVerificationException(NoteFailure.Malformed);
        }

        string body = note[..(separator + 1)];
        string signatures = note[(separator + 2)..];
        if (!NoteFormat.IsValidBody(body) || signatures.Length == 0 || signatures[^1] != '\n')
        {
            throw new NoteVerificationException(NoteFailure.Malformed);
        }

        byte[] message = NoteFormat.StrictUtf8.GetBytes(body);
        var signers = new List<string>();
        var seen = new HashSet<NoteVerifierKey>();
        foreach (string line in signatures[..^1].Split('\n'))
        {
            (string name, uint keyId, byte[] signature) = ParseSignatureLine(line);
            NoteVerifierKey key = _keys.FirstOrDefault(k => k.KeyId == keyId && string.Equals(k.KeyName, name, StringComparison.Ordinal))
                ?? throw new NoteVerificationException(NoteFailure.UnknownKey);
            if (!seen.Add(key))
            {
                throw new NoteVerificationException(NoteFailure.DuplicateSignature);
            }

            if (!key.Key.VerifyData(message, signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation))
            {
                throw new NoteVerificationException(NoteFailure.BadSignature);
            }

            signers.Add(name);
        }

        return (body, signers);
    }

    /// <summary>"— " name " " base64(4-byte key id || 64-byte signature), in canonical padded standard base64.</summary>
    private static (string Name, uint KeyId, byte[] Signature) ParseSignatureLine(string line)
    {
        if (!line.StartsWith(NoteFormat.SignaturePrefix, StringComparison.Ordinal))
        {
            throw new NoteVerificationException(NoteFailure.Malformed);
        }

        string rest = line[NoteFormat.SignaturePrefix.Length..];
        int space = rest.IndexOf(' ', StringComparison.Ordinal);
        if (space < 0)
        {
            throw new NoteVerificationException(NoteFailure.Malformed);
        }

        string name = rest[..space];
        string encoded = rest[(space + 1)..];
        const int blobLength = NoteFormat.KeyIdLength + NoteFormat.SignatureLength;
        byte[] blob = new byte[blobLength];
        if (!NoteFormat.IsValidKeyName(name)
            || !Convert.TryFromBase64String(encoded, blob, out int written)
            || written != blobLength
            || !string.Equals(Convert.ToBase64String(blob), encoded, StringComparison.Ordinal))
        {
            throw new NoteVerificationException(NoteFailure.Malformed);
        }

        return (name, BinaryPrimitives.ReadUInt32BigEndian(blob), blob[NoteFormat.KeyIdLength..]);
    }
}
