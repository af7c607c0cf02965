using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Intake.Core.Crypto;

/// <summary>
/// The 30-byte header that starts every content stream: "INTK" || version 0x01 || purpose || 16-byte stream id ||
/// padded length (8 bytes, big-endian). It is bound into every chunk's AAD.
/// </summary>
public sealed class StreamHeader : IEquatable<StreamHeader>
{
    /// <summary>Encoded length.</summary>
    public const int Length = 30;

    /// <summary>Length of the random stream id.</summary>
    public const int StreamIdLength = 16;

    /// <summary>Plaintext bytes in every chunk but the last.</summary>
    public const int ChunkLength = 65536;

    /// <summary>Bytes the AEAD adds to each chunk.</summary>
    public const int TagLength = 16;

    /// <summary>Length of the big-endian real-length prefix inside the padded plaintext.</summary>
    public const int LengthPrefixLength = 8;

    private readonly byte[] _streamId;

    private StreamHeader(StreamPurpose purpose, byte[] streamId, long paddedLength)
    {
        Purpose = purpose;
        _streamId = streamId;
        PaddedLength = paddedLength;
    }

    /// <summary>What the stream carries.</summary>
    public StreamPurpose Purpose { get; }

    /// <summary>Random per stream; the HKDF salt of the stream key.</summary>
    public ReadOnlyMemory<byte> StreamId => _streamId;

    /// <summary>Length of the padded plaintext (a Padmé bucket, at least 1 KiB).</summary>
    public long PaddedLength { get; }

    /// <summary>Number of chunks: ceil(PaddedLength / 65536), never 0.</summary>
    public long ChunkCount => (PaddedLength + ChunkLength - 1) / ChunkLength;

    /// <summary>Exact length of the stream on the wire: header, chunks and tags.</summary>
    public long CiphertextLength => Length + PaddedLength + (ChunkCount * TagLength);

    /// <summary>Plans a stream for <paramref name="contentLength"/> bytes with a fresh random stream id.</summary>
    public static StreamHeader Create(StreamPurpose purpose, long contentLength) =>
        Create(purpose, contentLength, RandomNumberGenerator.GetBytes(StreamIdLength));

    /// <summary>Deterministic form for test vectors.</summary>
    internal static StreamHeader Create(StreamPurpose purpose, long contentLength, ReadOnlySpan<byte> streamId)
    {
        if (!Enum.IsDefined(purpose))
        {
            throw new ArgumentOutOfRangeException(nameof(purpose), purpose, "Unknown stream purpose.");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(contentLength);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(contentLength, Padme.MaximumLength - LengthPrefixLength);
        if (streamId.Length != StreamIdLength)
        {
            throw new ArgumentException($"A stream id is {StreamIdLength} bytes.", nameof(streamId));
        }

        return new StreamHeader(purpose, streamId.ToArray(), Padme.PaddedLength(contentLength + LengthPrefixLength));
    }

    /// <summary>Parses a header, or returns null with a reason if any field is out of range.</summary>
    public static StreamHeader? TryDecode(ReadOnlySpan<byte> encoded, out string? error)
    {
        error = null;
        if (encoded.Length != Length)
        {
            error = $"A stream header is {Length} bytes.";
            return null;
        }

        if (!encoded[..4].SequenceEqual(IntakeLabels.StreamMagic))
        {
            error = "The stream header does not start with \"INTK\".";
            return null;
        }

        if (encoded[4] != IntakeLabels.ProtocolVersion)
        {
            error = "Unsupported stream version.";
            return null;
        }

        var purpose = (StreamPurpose)encoded[5];
        if (!Enum.IsDefined(purpose))
        {
            error = "Unknown stream purpose.";
            return null;
        }

        ulong padded = BinaryPrimitives.ReadUInt64BigEndian(encoded[22..]);
        if (padded > Padme.MaximumLength || !Padme.IsBucket((long)padded))
        {
            error = "The padded length is not a Padmé bucket between 1 KiB and 1 TiB.";
            return null;
        }

        return new StreamHeader(purpose, encoded.Slice(6, StreamIdLength).ToArray(), (long)padded);
    }

    /// <summary>The 30 header bytes.</summary>
    public byte[] Encode()
    {
        byte[] encoded = new byte[Length];
        IntakeLabels.StreamMagic.CopyTo(encoded);
        encoded[4] = IntakeLabels.ProtocolVersion;
        encoded[5] = (byte)Purpose;
        _streamId.CopyTo(encoded, 6);
        BinaryPrimitives.WriteUInt64BigEndian(encoded.AsSpan(22), (ulong)PaddedLength);
        return encoded;
    }

    /// <inheritdoc/>
    public bool Equals(StreamHeader? other) =>
        other is not null && Encode().AsSpan().SequenceEqual(other.Encode());

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as StreamHeader);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Purpose, PaddedLength, BinaryPrimitives.ReadInt64BigEndian(_streamId));
}
