using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Intake.Core.Crypto;

namespace Intake.Benchmarks;

/// <summary>
/// Seal and open of one content stream (docs/crypto.md §5) against raw AES-256-GCM over the same content bytes in
/// 64 KiB chunks, the best the platform can do. Each category (Seal, Open) has its own baseline, so the Ratio column
/// is stream cost / raw AES-GCM cost for the same size in the same run.
/// </summary>
/// <remarks>
/// Input is a pre-filled array behind a MemoryStream rewound each call; sealed output goes to <see cref="Stream.Null"/>,
/// opened content too. The stream header and key are made once in setup, so Seal measures
/// <see cref="ContentStreamSealer.SealAsync"/> alone (stream-key HKDF, AesGcm set-up, padding, chunking).
/// </remarks>
[Config(typeof(ThroughputConfig))]
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 10)]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory, BenchmarkLogicalGroupRule.ByParams)]
[CategoriesColumn]
public class ContentStreamBenchmarks
{
    private const int ChunkLength = StreamHeader.ChunkLength;
    private const int TagLength = StreamHeader.TagLength;

    private byte[] _contentKey = [];
    private byte[] _headerHash = [];
    private StreamHeader? _header;
    private byte[] _content = [];
    private MemoryStream? _contentStream;
    private byte[] _sealedStream = [];
    private MemoryStream? _sealedInput;

    private AesGcm? _rawAes;
    private byte[] _rawAad = [];
    private byte[] _rawChunkOut = [];
    private byte[] _rawCiphertext = [];

    /// <summary>Content bytes: 1 KiB, 64 KiB, 100 MiB.</summary>
    [Params(1024, 65536, 100 * 1024 * 1024)]
    public int Size { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _contentKey = EnvelopeSealer.GenerateContentKey();
        _headerHash = RandomNumberGenerator.GetBytes(32);
        _content = new byte[Size];
        RandomNumberGenerator.Fill(_content);
        _contentStream = new MemoryStream(_content, writable: false);
        _header = StreamHeader.Create(StreamPurpose.Attachment, Size);

        using (var sealedOutput = new MemoryStream(checked((int)_header.CiphertextLength)))
        {
            _contentStream.Position = 0;
            ContentStreamSealer.SealAsync(_contentKey, _headerHash, _header, _contentStream, Size, sealedOutput).GetAwaiter().GetResult();
            _sealedStream = sealedOutput.ToArray();
        }

        _sealedInput = new MemoryStream(_sealedStream, writable: false);

        // Raw baseline: AES-256-GCM (same key size as streams), 62-byte AAD like a stream chunk, 12-byte nonce.
        _rawAes = new AesGcm(RandomNumberGenerator.GetBytes(32), TagLength);
        _rawAad = RandomNumberGenerator.GetBytes(62);
        _rawChunkOut = new byte[ChunkLength + TagLength];
        int chunks = (Size + ChunkLength - 1) / ChunkLength;
        _rawCiphertext = new byte[Size + (chunks * TagLength)];
        Span<byte> nonce = stackalloc byte[12];
        for (int i = 0, offset = 0; offset < Size; i++, offset += ChunkLength)
        {
            int length = Math.Min(ChunkLength, Size - offset);
            int outOffset = offset + (i * TagLength);
            WriteNonce(i, nonce);
            _rawAes.Encrypt(
                nonce,
                _content.AsSpan(offset, length),
                _rawCiphertext.AsSpan(outOffset, length),
                _rawCiphertext.AsSpan(outOffset + length, TagLength),
                _rawAad);
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _rawAes?.Dispose();
        _contentStream?.Dispose();
        _sealedInput?.Dispose();
    }

    [Benchmark(Baseline = true, Description = "AesGcm.Encrypt 64K chunks")]
    [BenchmarkCategory("Seal")]
    public int RawAesGcmEncrypt()
    {
        Span<byte> nonce = stackalloc byte[12];
        int chunks = 0;
        for (int offset = 0; offset < Size; offset += ChunkLength, chunks++)
        {
            int length = Math.Min(ChunkLength, Size - offset);
            WriteNonce(chunks, nonce);
            _rawAes!.Encrypt(nonce, _content.AsSpan(offset, length), _rawChunkOut.AsSpan(0, length), _rawChunkOut.AsSpan(length, TagLength), _rawAad);
        }

        return chunks;
    }

    [Benchmark(Description = "ContentStreamSealer.SealAsync")]
    [BenchmarkCategory("Seal")]
    public Task Seal()
    {
        _contentStream!.Position = 0;
        return ContentStreamSealer.SealAsync(_contentKey, _headerHash, _header!, _contentStream, Size, Stream.Null);
    }

    [Benchmark(Baseline = true, Description = "AesGcm.Decrypt 64K chunks")]
    [BenchmarkCategory("Open")]
    public int RawAesGcmDecrypt()
    {
        Span<byte> nonce = stackalloc byte[12];
        int chunks = 0;
        for (int offset = 0; offset < Size; offset += ChunkLength, chunks++)
        {
            int length = Math.Min(ChunkLength, Size - offset);
            int inOffset = offset + (chunks * TagLength);
            WriteNonce(chunks, nonce);
            _rawAes!.Decrypt(
                nonce,
                _rawCiphertext.AsSpan(inOffset, length),
                _rawCiphertext.AsSpan(inOffset + length, TagLength),
                _rawChunkOut.AsSpan(0, length),
                _rawAad);
        }

        return chunks;
    }

    [Benchmark(Description = "ContentStreamOpener.OpenAsync")]
    [BenchmarkCategory("Open")]
    public async Task<long> Open()
    {
        _sealedInput!.Position = 0;
        (_, long length) = await ContentStreamOpener.OpenAsync(_contentKey, _headerHash, _header, _sealedInput, Stream.Null).ConfigureAwait(false);
        return length;
    }

    private static void WriteNonce(int index, Span<byte> nonce)
    {
        nonce.Clear();
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(nonce[7..], index);
    }
}
