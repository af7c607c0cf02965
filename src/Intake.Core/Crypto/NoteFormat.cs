using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Intake.Core.Crypto;

/// <summary>
/// The strict text rules shared by <see cref="NoteSigner"/> and <see cref="NoteVerifier"/>, and the key id
/// SHA-256(key name || 0x0A || 0xFF || "intake/v1/ecdsa-p256-sha256-p1363" || 65-byte public key)[:4].
/// </summary>
internal static class NoteFormat
{
    internal const string SignaturePrefix = "\u2014 ";
    internal const int MaxNoteLength = 64 * 1024;
    internal const int MaxKeyNameLength = 255;
    internal const int SignatureLength = 64;
    internal const int KeyIdLength = 4;

    internal static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Body: non-empty, lines end in \n, no empty line, no control characters but \n, valid Unicode.</summary>
    internal static bool IsValidBody(string body) =>
        body.Length is > 0 and <= MaxNoteLength
        && body[^1] == '\n'
        && body[0] != '\n'
        && !body.Contains("\n\n", StringComparison.Ordinal)
        && !body.Any(c => c < 0x20 && c != '\n')
        && IsValidUnicode(body);

    /// <summary>Key name: 1-255 characters, no whitespace, no '+', no control characters.</summary>
    internal static bool IsValidKeyName(string name) =>
        name.Length is > 0 and <= MaxKeyNameLength
        && !name.Any(c => char.IsWhiteSpace(c) || char.IsControl(c) || c == '+')
        && IsValidUnicode(name);

    internal static uint KeyId(string name, ReadOnlySpan<byte> publicKey)
    {
        byte[] input = [.. StrictUtf8.GetBytes(name), 0x0A, IntakeLabels.NoteSignatureTypeEscape, .. IntakeLabels.NoteSignatureTypeName, .. publicKey];
        return BinaryPrimitives.ReadUInt32BigEndian(SHA256.HashData(input));
    }

    /// <summary>The 65-byte SEC1 public key of a P-256 ECDSA key, refusing other curves.</summary>
    internal static byte[] PublicKey(ECDsa key)
    {
        ECParameters parameters = key.ExportParameters(includePrivateParameters: false);
        if (parameters.Curve.Oid?.Value != ECCurve.NamedCurves.nistP256.Oid.Value || parameters.Q.X is not { Length: 32 } || parameters.Q.Y is not { Length: 32 })
        {
            throw new ArgumentException("Note keys must be ECDSA P-256.", nameof(key));
        }

        return [0x04, .. parameters.Q.X, .. parameters.Q.Y];
    }

    private static bool IsValidUnicode(string text)
    {
        try
        {
            StrictUtf8.GetByteCount(text);
            return true;
        }
        catch (EncoderFallbackException)
        {
            return false;
        }
    }
}
