using System.Buffers.Binary;

namespace Intake.Core.Crypto;

/// <summary>
/// Produces the padded plaintext of a stream on demand: 8-byte big-endian content length || content || zeros up to
/// the Padmé bucket. Reads the content incrementally so sealing needs one chunk of memory whatever the size.
/// </summary>
internal sealed class PaddedFrameSource(Stream content, long contentLength)
{
    private readonly long _contentEnd = StreamHeader.LengthPrefixLength + contentLength;
    private long _position;

    /// <summary>Fills <paramref name="buffer"/> completely with the next bytes of the padded plaintext.</summary>
    internal async ValueTask FillAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        int filled = 0;
        while (filled < buffer.Length)
        {
            Memory<byte> rest = buffer[filled..];
            if (_position < StreamHeader.LengthPrefixLength)
            {
                byte[] prefix = new byte[StreamHeader.LengthPrefixLength];
                BinaryPrimitives.WriteInt64BigEndian(prefix, contentLength);
                int take = (int)Math.Min(rest.Length, StreamHeader.LengthPrefixLength - _position);
                prefix.AsSpan((int)_position, take).CopyTo(rest.Span);
                filled += take;
                _position += take;
            }
            else if (_position < _contentEnd)
            {
                int want = (int)Math.Min(rest.Length, _contentEnd - _position);
                int read = await content.ReadAsync(rest[..want], cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    throw new ArgumentException("The content stream ended before the declared content length.", nameof(content));
                }

                filled += read;
                _position += read;
            }
            else
            {
                rest.Span.Clear();
                _position += rest.Length;
                filled = buffer.Length;
            }
        }
    }

    /// <summary>Refuses content longer than declared, which would otherwise be silently cut off.</summary>
    internal async ValueTask EnsureContentEndedAsync(CancellationToken cancellationToken)
    {
        byte[] probe = new byte[1];
        if (await content.ReadAsync(probe, cancellationToken).ConfigureAwait(false) != 0)
        {
            throw new ArgumentException("The content stream is longer than the declared content length.", nameof(content));
        }
    }
}
