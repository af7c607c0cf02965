using System.Buffers;
using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Intake.Core.Crypto;

/// <summary>
/// Decrypts one content stream in constant memory, writing only the real content (no length prefix, no padding)
/// to the output as each chunk authenticates.
/// </summary>
/// <remarks>
/// STREAM authenticates chunk by chunk, so output written before an exception is authentic but incomplete: a
/// caller must discard it unless <see cref="OpenAsync"/> returns normally.
/// </remarks>
public static class ContentStreamOpener
{
    /// <summary>Opens a stream and returns its header and content length.</summary>
    /// <param name="contentKey">The 32-byte content key.</param>
    /// <param name="headerHash">SHA-256 of the envelope header the stream claims to belong to.</param>
    /// <param name="expectedHeader">The header the envelope lists for this stream, or null for follow-ups, which no envelope lists.</param>
    /// <param name="input">Header and chunks.</param>
    /// <param name="output">Receives the content.</param>
    /// <param name="cancellationToken">Stops between reads and writes.</param>
    /// <exception cref="ContentStreamException">Anything is wrong; <see cref="ContentStreamException.Failure"/> says what.</exception>
    public static async Task<(StreamHeader Header, long ContentLength)> OpenAsync(
        ReadOnlyMemory<byte> contentKey,
        ReadOnlyMemory<byte> headerHash,
        StreamHeader? expectedHeader,
        Stream input,
        Stream output,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(output);

        byte[] headerBytes = new byte[StreamHeader.Length];
        if (await input.ReadAtLeastAsync(headerBytes, headerBytes.Length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false) < headerBytes.Length)
        {
            throw new ContentStreamException(ContentStreamFailure.Truncated);
        }

        StreamHeader header = StreamHeader.TryDecode(headerBytes, out _)
            ?? throw new ContentStreamException(ContentStreamFailure.InvalidHeader);
        if (expectedHeader is not null && !expectedHeader.Equals(header))
        {
            throw new ContentStreamException(ContentStreamFailure.HeaderMismatch);
        }

        using var cipher = new StreamChunkCipher(contentKey.Span, headerHash.Span, header);
        byte[] sealedChunk = ArrayPool<byte>.Shared.Rent(StreamHeader.ChunkLength + StreamHeader.TagLength);
        byte[] plaintext = ArrayPool<byte>.Shared.Rent(StreamHeader.ChunkLength);
        try
        {
            var frame = new FrameReader(header.PaddedLength);
            long count = header.ChunkCount;
            for (long index = 0; index < count; index++)
            {
                int length = ContentStreamLayout.PlaintextChunkLength(header, index);
                int sealedLength = length + StreamHeader.TagLength;
                int read = await input.ReadAtLeastAsync(sealedChunk.AsMemory(0, sealedLength), sealedLength, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
                if (read < sealedLength)
                {
                    throw new ContentStreamException(ContentStreamFailure.Truncated);
                }

                if (!cipher.TryOpen(index, index == count - 1, sealedChunk.AsSpan(0, sealedLength), plaintext))
                {
                    throw new ContentStreamException(ContentStreamFailure.Authentication);
                }

                (int offset, int contentBytes) = frame.Consume(plaintext.AsSpan(0, length));
                await output.WriteAsync(plaintext.AsMemory(offset, contentBytes), cancellationToken).ConfigureAwait(false);
            }

            if (await input.ReadAsync(sealedChunk.AsMemory(0, 1), cancellationToken).ConfigureAwait(false) != 0)
            {
                throw new ContentStreamException(ContentStreamFailure.TrailingData);
            }

            return (header, frame.ContentLength);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext);
            ArrayPool<byte>.Shared.Return(plaintext);
            ArrayPool<byte>.Shared.Return(sealedChunk);
        }
    }

    /// <summary>
    /// Walks the padded plaintext: reads the length prefix from the first chunk, which is at least 1 KiB, then
    /// passes content through and insists every padding byte is zero and the bucket is exactly Padmé's.
    /// </summary>
    private sealed class FrameReader(long paddedLength)
    {
        private long _position;

        internal long ContentLength { get; private set; } = -1;

        internal (int Offset, int Count) Consume(ReadOnlySpan<byte> chunk)
        {
            int offset = 0;
            if (_position == 0)
            {
                long length = BinaryPrimitives.ReadInt64BigEndian(chunk);
                if (length < 0
                    || length > paddedLength - StreamHeader.LengthPrefixLength
                    || Padme.PaddedLength(length + StreamHeader.LengthPrefixLength) != paddedLength)
                {
                    throw new ContentStreamException(ContentStreamFailure.InvalidPadding);
                }

                ContentLength = length;
                offset = StreamHeader.LengthPrefixLength;
            }

            long contentEnd = StreamHeader.LengthPrefixLength + ContentLength;
            long chunkStart = _position;
            _position += chunk.Length;
            int contentInChunk = (int)Math.Clamp(contentEnd - chunkStart - offset, 0, chunk.Length - offset);
            if (chunk[(offset + contentInChunk)..].ContainsAnyExcept((byte)0))
            {
                throw new ContentStreamException(ContentStreamFailure.InvalidPadding);
            }

            return (offset, contentInChunk);
        }
    }
}
