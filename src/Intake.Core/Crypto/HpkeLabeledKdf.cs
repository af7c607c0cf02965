using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Intake.Core.Crypto;

/// <summary>RFC 9180 §4 LabeledExtract / LabeledExpand over HKDF-SHA256 (kdf_id 0x0001).</summary>
internal static class HpkeLabeledKdf
{
    internal const ushort KdfId = 0x0001;

    /// <summary>Nh for HKDF-SHA256.</summary>
    internal const int HashLength = 32;

    /// <summary>HKDF-Expand cannot produce more than 255 blocks.</summary>
    internal const int MaxExpandLength = 255 * HashLength;

    private static ReadOnlySpan<byte> Version => "HPKE-v1"u8;

    internal static byte[] LabeledExtract(
        ReadOnlySpan<byte> suiteId, ReadOnlySpan<byte> salt, ReadOnlySpan<byte> label, ReadOnlySpan<byte> ikm)
    {
        byte[] labeledIkm = new byte[Version.Length + suiteId.Length + label.Length + ikm.Length];
        try
        {
            Span<byte> rest = labeledIkm;
            rest = Append(rest, Version);
            rest = Append(rest, suiteId);
            rest = Append(rest, label);
            Append(rest, ikm);

            byte[] prk = new byte[HashLength];
            HKDF.Extract(HashAlgorithmName.SHA256, labeledIkm, salt, prk);
            return prk;
        }
        finally
        {
            // labeled_ikm embeds the raw DH output or shared secret.
            CryptographicOperations.ZeroMemory(labeledIkm);
        }
    }

    internal static byte[] LabeledExpand(
        ReadOnlySpan<byte> suiteId, ReadOnlySpan<byte> prk, ReadOnlySpan<byte> label, ReadOnlySpan<byte> info, int length)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(length, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, MaxExpandLength);

        byte[] labeledInfo = new byte[sizeof(ushort) + Version.Length + suiteId.Length + label.Length + info.Length];
        Span<byte> rest = labeledInfo;
        BinaryPrimitives.WriteUInt16BigEndian(rest, (ushort)length);
        rest = rest[sizeof(ushort)..];
        rest = Append(rest, Version);
        rest = Append(rest, suiteId);
        rest = Append(rest, label);
        Append(rest, info);

        byte[] okm = new byte[length];
        HKDF.Expand(HashAlgorithmName.SHA256, prk, okm, labeledInfo);
        return okm;
    }

    private static Span<byte> Append(Span<byte> destination, ReadOnlySpan<byte> source)
    {
        source.CopyTo(destination);
        return destination[source.Length..];
    }
}
