using System.Buffers.Binary;
using System.Security.Cryptography;
using Intake.Core.Crypto;

namespace Intake.Core.Tests.Crypto;

public class ContentStreamTests
{
    private static readonly byte[] ContentKey = CryptoTestData.Bytes("content key", 32);
    private static readonly byte[] HeaderHash = CryptoTestData.Bytes("header hash", 32);

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(1016)]
    [InlineData(1017)]
    [InlineData(65_535)]
    [InlineData(65_536)]
    [InlineData(65_537)]
    [InlineData(200_000)]
    public async Task Content_round_trips_at_chunk_and_bucket_edges(int length)
    {
        byte[] content = CryptoTestData.Content(length);
        StreamHeader header = StreamHeader.Create(StreamPurpose.Body, length);
        byte[] sealedStream = await CryptoTestData.SealAsync(ContentKey, HeaderHash, header, content);

        Assert.Equal(header.CiphertextLength, sealedStream.Length);
        Assert.Equal(content, await CryptoTestData.OpenAsync(ContentKey, HeaderHash, header, sealedStream));
    }

    [Fact]
    public async Task Several_mebibytes_stream_through_without_buffering_the_whole_input()
    {
        const long length = (5L * 1024 * 1024) + 12345;
        StreamHeader header = StreamHeader.Create(StreamPurpose.Attachment, length);
        string path = Path.GetTempFileName();
        try
        {
            await using (FileStream file = File.Create(path))
            {
                await ContentStreamSealer.SealAsync(ContentKey, HeaderHash, header, new GeneratedContentStream(length), length, file);
            }

            Assert.Equal(header.CiphertextLength, new FileInfo(path).Length);
            await using FileStream input = File.OpenRead(path);
            await using var sink = new VerifyingSink();
            (StreamHeader opened, long contentLength) = await ContentStreamOpener.OpenAsync(ContentKey, HeaderHash, header, input, sink);

            Assert.Equal(length, contentLength);
            Assert.Equal(length, sink.Written);
            Assert.True(sink.MatchesGeneratedContent);
            Assert.Equal(header, opened);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task An_empty_stream_is_one_padded_final_chunk_and_opens_to_nothing()
    {
        StreamHeader header = StreamHeader.Create(StreamPurpose.FollowUp, 0);
        byte[] sealedStream = await CryptoTestData.SealAsync(ContentKey, HeaderHash, header, []);

        Assert.Equal(1, header.ChunkCount);
        Assert.Equal(StreamHeader.Length + 1024 + 16, sealedStream.Length);
        Assert.Empty(await CryptoTestData.OpenAsync(ContentKey, HeaderHash, null, sealedStream));
    }

    [Fact]
    public async Task Every_single_byte_flip_in_a_multi_chunk_stream_is_detected()
    {
        // 3 chunks: 65,536 + 65,536 + 4,096 padded bytes (Padmé rounds 135,008 up to 135,168).
        byte[] content = CryptoTestData.Content(135_000);
        StreamHeader header = StreamHeader.Create(StreamPurpose.Body, content.Length);
        byte[] sealedStream = await CryptoTestData.SealAsync(ContentKey, HeaderHash, header, content);
        Assert.Equal(3, header.ChunkCount);

        for (int i = 0; i < sealedStream.Length; i++)
        {
            sealedStream[i] ^= 0x01;
            ContentStreamException error = await Assert.ThrowsAsync<ContentStreamException>(
                () => CryptoTestData.OpenAsync(ContentKey, HeaderHash, header, sealedStream));
            sealedStream[i] ^= 0x01;
            if (i < StreamHeader.Length)
            {
                Assert.Contains(error.Failure, new[] { ContentStreamFailure.InvalidHeader, ContentStreamFailure.HeaderMismatch });
            }
            else
            {
                Assert.Equal(ContentStreamFailure.Authentication, error.Failure);
            }
        }
    }

    [Fact]
    public async Task Header_byte_flips_are_detected_even_without_the_expected_header()
    {
        byte[] content = CryptoTestData.Content(70_000);
        StreamHeader header = StreamHeader.Create(StreamPurpose.FollowUp, content.Length);
        byte[] sealedStream = await CryptoTestData.SealAsync(ContentKey, HeaderHash, header, content);

        for (int i = 0; i < StreamHeader.Length; i++)
        {
            for (int bit = 0; bit < 8; bit++)
            {
                sealedStream[i] ^= (byte)(1 << bit);
                ContentStreamException error = await Assert.ThrowsAsync<ContentStreamException>(
                    () => CryptoTestData.OpenAsync(ContentKey, HeaderHash, null, sealedStream));
                sealedStream[i] ^= (byte)(1 << bit);
                Assert.Contains(error.Failure, new[] { ContentStreamFailure.InvalidHeader, ContentStreamFailure.Authentication, ContentStreamFailure.Truncated });
            }
        }
    }

    [Fact]
    public async Task Dropping_the_final_chunk_is_detected()
    {
        (StreamHeader header, byte[] sealedStream) = await ThreeChunkStream();
        byte[] truncated = sealedStream[..(StreamHeader.Length + (2 * ChunkWireLength))];

        ContentStreamException error = await Assert.ThrowsAsync<ContentStreamException>(
            () => CryptoTestData.OpenAsync(ContentKey, HeaderHash, header, truncated));
        Assert.Equal(ContentStreamFailure.Truncated, error.Failure);
    }

    [Fact]
    public async Task Presenting_a_middle_chunk_as_final_is_detected()
    {
        // Forge a stream whose header claims two chunks, reusing the first two chunks of a three-chunk stream.
        (StreamHeader header, byte[] sealedStream) = await ThreeChunkStream();
        byte[] forgedHeader = header.Encode();
        BinaryPrimitives.WriteUInt64BigEndian(forgedHeader.AsSpan(22), 131_072);
        byte[] forged = [.. forgedHeader, .. sealedStream.AsSpan(StreamHeader.Length, 2 * ChunkWireLength)];

        ContentStreamException error = await Assert.ThrowsAsync<ContentStreamException>(
            () => CryptoTestData.OpenAsync(ContentKey, HeaderHash, null, forged));
        Assert.Equal(ContentStreamFailure.Authentication, error.Failure);
    }

    [Fact]
    public async Task Reordering_chunks_is_detected()
    {
        (StreamHeader header, byte[] sealedStream) = await ThreeChunkStream();
        byte[] reordered = [.. sealedStream.AsSpan(0, StreamHeader.Length), .. Chunk(sealedStream, 1), .. Chunk(sealedStream, 0), .. sealedStream.AsSpan(StreamHeader.Length + (2 * ChunkWireLength))];

        ContentStreamException error = await Assert.ThrowsAsync<ContentStreamException>(
            () => CryptoTestData.OpenAsync(ContentKey, HeaderHash, header, reordered));
        Assert.Equal(ContentStreamFailure.Authentication, error.Failure);
    }

    [Fact]
    public async Task Duplicating_a_chunk_is_detected()
    {
        (StreamHeader header, byte[] sealedStream) = await ThreeChunkStream();
        byte[] duplicated = [.. sealedStream.AsSpan(0, StreamHeader.Length + ChunkWireLength), .. Chunk(sealedStream, 0), .. sealedStream.AsSpan(StreamHeader.Length + ChunkWireLength)];

        ContentStreamException error = await Assert.ThrowsAsync<ContentStreamException>(
            () => CryptoTestData.OpenAsync(ContentKey, HeaderHash, header, duplicated));
        Assert.Equal(ContentStreamFailure.Authentication, error.Failure);
    }

    [Fact]
    public async Task Appending_after_the_final_chunk_is_detected()
    {
        (StreamHeader header, byte[] sealedStream) = await ThreeChunkStream();
        byte[] appended = [.. sealedStream, .. Chunk(sealedStream, 1)];

        ContentStreamException error = await Assert.ThrowsAsync<ContentStreamException>(
            () => CryptoTestData.OpenAsync(ContentKey, HeaderHash, header, appended));
        Assert.Equal(ContentStreamFailure.TrailingData, error.Failure);
    }

    [Fact]
    public async Task A_stream_opened_under_another_envelope_header_fails()
    {
        (StreamHeader header, byte[] sealedStream) = await ThreeChunkStream();
        byte[] otherHeaderHash = CryptoTestData.Bytes("other header", 32);

        ContentStreamException error = await Assert.ThrowsAsync<ContentStreamException>(
            () => CryptoTestData.OpenAsync(ContentKey, otherHeaderHash, header, sealedStream));
        Assert.Equal(ContentStreamFailure.Authentication, error.Failure);
    }

    [Fact]
    public async Task Streams_under_one_content_key_use_distinct_keys()
    {
        StreamHeader first = StreamHeader.Create(StreamPurpose.Body, 10);
        StreamHeader second = StreamHeader.Create(StreamPurpose.Body, 10);
        byte[] content = CryptoTestData.Content(10);

        byte[] a = await CryptoTestData.SealAsync(ContentKey, HeaderHash, first, content);
        byte[] b = await CryptoTestData.SealAsync(ContentKey, HeaderHash, second, content);

        Assert.NotEqual(first.StreamId.ToArray(), second.StreamId.ToArray());
        Assert.NotEqual(a[StreamHeader.Length..], b[StreamHeader.Length..]);
    }

    [Fact]
    public async Task Non_zero_padding_from_a_dishonest_sender_is_refused()
    {
        StreamHeader header = StreamHeader.Create(StreamPurpose.Body, 100);
        byte[] padded = new byte[header.PaddedLength];
        BinaryPrimitives.WriteInt64BigEndian(padded, 100);
        padded[^1] = 0x01;

        ContentStreamException error = await Assert.ThrowsAsync<ContentStreamException>(
            () => OpenPadded(header, padded));
        Assert.Equal(ContentStreamFailure.InvalidPadding, error.Failure);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(1017)]
    [InlineData(5000)]
    public async Task A_length_prefix_that_does_not_fit_the_bucket_is_refused(long claimedLength)
    {
        StreamHeader header = StreamHeader.Create(StreamPurpose.Body, 100);
        byte[] padded = new byte[header.PaddedLength];
        BinaryPrimitives.WriteInt64BigEndian(padded, claimedLength);

        ContentStreamException error = await Assert.ThrowsAsync<ContentStreamException>(
            () => OpenPadded(header, padded));
        Assert.Equal(ContentStreamFailure.InvalidPadding, error.Failure);
    }

    [Fact]
    public async Task Content_shorter_than_declared_is_refused_when_sealing()
    {
        StreamHeader header = StreamHeader.Create(StreamPurpose.Body, 100);
        await Assert.ThrowsAsync<ArgumentException>(() =>
            ContentStreamSealer.SealAsync(ContentKey, HeaderHash, header, new MemoryStream(new byte[99]), 100, Stream.Null));
    }

    [Fact]
    public async Task Content_longer_than_declared_is_refused_when_sealing()
    {
        StreamHeader header = StreamHeader.Create(StreamPurpose.Body, 100);
        await Assert.ThrowsAsync<ArgumentException>(() =>
            ContentStreamSealer.SealAsync(ContentKey, HeaderHash, header, new MemoryStream(new byte[101]), 100, Stream.Null));
    }

    [Fact]
    public void Chunk_nonce_is_the_eleven_byte_index_then_the_final_flag()
    {
        byte[] nonce = new byte[12];
        StreamChunkCipher.WriteNonce(0x0102030405, final: true, nonce);
        Assert.Equal(Convert.FromHexString("000000000000010203040501"), nonce);
    }

    private const int ChunkWireLength = StreamHeader.ChunkLength + StreamHeader.TagLength;

    private static byte[] Chunk(byte[] sealedStream, int index) =>
        sealedStream.AsSpan(StreamHeader.Length + (index * ChunkWireLength), ChunkWireLength).ToArray();

    private static async Task<(StreamHeader Header, byte[] Sealed)> ThreeChunkStream()
    {
        byte[] content = CryptoTestData.Content(140_000);
        StreamHeader header = StreamHeader.Create(StreamPurpose.Body, content.Length);
        Assert.Equal(3, header.ChunkCount);
        return (header, await CryptoTestData.SealAsync(ContentKey, HeaderHash, header, content));
    }

    private static async Task OpenPadded(StreamHeader header, byte[] padded)
    {
        using var sealedStream = new MemoryStream();
        int position = 0;
        await ContentStreamSealer.SealPaddedAsync(ContentKey, HeaderHash, header, (buffer, _) =>
        {
            padded.AsMemory(position, buffer.Length).CopyTo(buffer);
            position += buffer.Length;
            return ValueTask.CompletedTask;
        }, sealedStream, CancellationToken.None);
        await CryptoTestData.OpenAsync(ContentKey, HeaderHash, header, sealedStream.ToArray());
    }
}
