using System.Buffers;
using System.Security.Cryptography;

namespace Intake.Core.Crypto;

/// <summary>
/// Encrypts one content stream (a body, attachment or follow-up) chunk by chunk in constant memory: writes the
/// 30-byte header, then each 64 KiB chunk of padded plaintext sealed with its index and final flag.
/// </summary>
public static class ContentStreamSealer
{
    /// <summary>Seals <paramref name="contentLength"/> bytes read from <paramref name="content"/> into <paramref name="output"/>.</summary>
    /// <param name="contentKey">The 32-byte content key of the case (or of the reply).</param>
    /// <param name="headerHash">SHA-256 of the envelope header the stream belongs to.</param>
    /// <param name="header">From <see cref="StreamHeader.Create(StreamPurpose, long)"/> with the same content length.</param>
    /// <param name="content">The plaintext; must yield exactly <paramref name="contentLength"/> bytes.</param>
    /// <param name="contentLength">Known up front because the length prefix and padding bucket depend on it.</param>
    /// <param name="output">Receives header and chunks.</param>
    /// <param name="cancellationToken">Stops between reads and writes.</param>
    public static async Task SealAsync(
        ReadOnlyMemory<byte> contentKey,
        ReadOnlyMemory<byte> headerHash,
        StreamHeader header,
        Stream content,
        long contentLength,
        Stream output,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(header);
        ArgumentNullException.ThrowIfNull(content);
        ArgumentOutOfRangeException.ThrowIfNegative(contentLength);
        if (contentLength > Padme.MaximumLength - StreamHeader.LengthPrefixLength
            || Padme.PaddedLength(contentLength + StreamHeader.LengthPrefixLength) != header.PaddedLength)
        {
            throw new ArgumentException("The stream header was planned for a different content length.", nameof(header));
        }

        var source = new PaddedFrameSource(content, contentLength);
        await SealPaddedAsync(contentKey, headerHash, header, source.FillAsync, output, cancellationToken).ConfigureAwait(false);
        await source.EnsureContentEndedAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Seals an already padded plaintext as given. Tests use it to build streams a correct sender never makes
    /// (bad length prefix, non-zero padding) to check that the opener refuses them.
    /// </summary>
    internal static async Task SealPaddedAsync(
        ReadOnlyMemory<byte> contentKey,
        ReadOnlyMemory<byte> headerHash,
        StreamHeader header,
        Func<Memory<byte>, CancellationToken, ValueTask> fill,
        Stream output,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(output);
        using var cipher = new StreamChunkCipher(contentKey.Span, headerHash.Span, header);
        await output.WriteAsync(header.Encode(), cancellationToken).ConfigureAwait(false);

        byte[] plaintext = ArrayPool<byte>.Shared.Rent(StreamHeader.ChunkLength);
        byte[] sealedChunk = ArrayPool<byte>.Shared.Rent(StreamHeader.ChunkLength + StreamHeader.TagLength);
        try
        {
            long count = header.ChunkCount;
            for (long index = 0; index < count; index++)
            {
                int length = ContentStreamLayout.PlaintextChunkLength(header, index);
                await fill(plaintext.AsMemory(0, length), cancellationToken).ConfigureAwait(false);
                cipher.Seal(index, index == count - 1, plaintext.AsSpan(0, length), sealedChunk.AsSpan(0, length + StreamHeader.TagLength));
                await output.WriteAsync(sealedChunk.AsMemory(0, length + StreamHeader.TagLength), cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext);
            ArrayPool<byte>.Shared.Return(plaintext);
            ArrayPool<byte>.Shared.Return(sealedChunk);
        }
    }
}
