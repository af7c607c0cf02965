using BenchmarkDotNet.Attributes;
using Intake.Core.Crypto;

namespace Intake.Benchmarks;

/// <summary>
/// Envelope sealing cost: <see cref="EnvelopeSealer.Seal"/> of a fresh 32-byte content key to 1 and to 5 recipients
/// (one HPKE DHKEM(P-256) encapsulation + key schedule + AES-128-GCM seal per recipient, plus building and hashing
/// the envelope header with one body stream).
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 10)]
public class EnvelopeSealBenchmarks
{
    private byte[] _contentKey = [];
    private byte[] _replyPublicKey = [];
    private ReadOnlyMemory<byte>[] _recipients = [];
    private StreamHeader[] _streams = [];

    [Params(1, 5)]
    public int Recipients { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _contentKey = EnvelopeSealer.GenerateContentKey();
        _replyPublicKey = HpkeSuite.GenerateKeyPair().PublicKey;
        _recipients = [.. Enumerable.Range(0, Recipients).Select(_ => (ReadOnlyMemory<byte>)HpkeSuite.GenerateKeyPair().PublicKey)];
        _streams = [StreamHeader.Create(StreamPurpose.Body, 4096)];
    }

    [Benchmark(Description = "EnvelopeSealer.Seal (HPKE)")]
    public Envelope Seal() =>
        EnvelopeSealer.Seal(EnvelopeKind.Submission, "bench", parent: null, _replyPublicKey, _recipients, _streams, _contentKey);
}
