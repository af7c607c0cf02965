using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Intake.Core.Crypto;

/// <summary>
/// The state shared by sender and recipient contexts (RFC 9180 §5.2): the AEAD key, base_nonce, exporter_secret and
/// the sequence number. Not thread-safe, because the sequence number must advance exactly once per message.
/// </summary>
internal sealed class HpkeAeadContext : IDisposable
{
    private readonly HpkeSuite _suite;
    private readonly AesGcm _aead;
    private readonly byte[] _baseNonce;
    private readonly byte[] _exporterSecret;
    private bool _disposed;

    /// <summary>Takes ownership of the key schedule's outputs and zeroes the ones it does not keep.</summary>
    internal HpkeAeadContext(HpkeSuite suite, HpkeKeySchedule schedule)
    {
        _suite = suite;
        _aead = new AesGcm(schedule.Key, HpkeSuite.TagLength);
        CryptographicOperations.ZeroMemory(schedule.Key);
        schedule.ZeroIntermediates();
        _baseNonce = schedule.BaseNonce;
        _exporterSecret = schedule.ExporterSecret;
    }

    /// <summary>
    /// The sequence number of the next message. A ulong stops us at 2^64 - 1 messages, far below the RFC's
    /// 2^96 - 1 limit, which is harmless and keeps the arithmetic simple. Settable so tests can reach the limit.
    /// </summary>
    internal ulong SequenceNumber { get; set; }

    internal byte[] Seal(ReadOnlySpan<byte> aad, ReadOnlySpan<byte> plaintext)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        EnsureSequenceNumberAvailable();

        Span<byte> nonce = stackalloc byte[HpkeSuite.NonceLength];
        ComputeNonce(SequenceNumber, nonce);
        byte[] ciphertext = new byte[plaintext.Length + HpkeSuite.TagLength];
        _aead.Encrypt(nonce, plaintext, ciphertext.AsSpan(0, plaintext.Length), ciphertext.AsSpan(plaintext.Length), aad);
        SequenceNumber++;
        return ciphertext;
    }

    internal byte[] Open(ReadOnlySpan<byte> aad, ReadOnlySpan<byte> ciphertext)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        EnsureSequenceNumberAvailable();
        if (ciphertext.Length < HpkeSuite.TagLength)
        {
            throw new HpkeOpenException();
        }

        Span<byte> nonce = stackalloc byte[HpkeSuite.NonceLength];
        ComputeNonce(SequenceNumber, nonce);
        int plaintextLength = ciphertext.Length - HpkeSuite.TagLength;
        byte[] plaintext = new byte[plaintextLength];
        try
        {
            _aead.Decrypt(nonce, ciphertext[..plaintextLength], ciphertext[plaintextLength..], plaintext, aad);
        }
        catch (CryptographicException)
        {
            CryptographicOperations.ZeroMemory(plaintext);
            throw new HpkeOpenException();
        }

        // Only a successful open consumes a sequence number, so a forged message cannot desynchronise the stream.
        SequenceNumber++;
        return plaintext;
    }

    internal byte[] Export(ReadOnlySpan<byte> exporterContext, int length)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return HpkeLabeledKdf.LabeledExpand(_suite.SuiteId, _exporterSecret, "sec"u8, exporterContext, length);
    }

    /// <summary>base_nonce XOR I2OSP(seq, Nn); seq only ever fills the low 8 of the 12 bytes.</summary>
    internal void ComputeNonce(ulong sequenceNumber, Span<byte> nonce)
    {
        nonce.Clear();
        BinaryPrimitives.WriteUInt64BigEndian(nonce[^sizeof(ulong)..], sequenceNumber);
        for (int i = 0; i < nonce.Length; i++)
        {
            nonce[i] ^= _baseNonce[i];
        }
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _aead.Dispose();
        CryptographicOperations.ZeroMemory(_baseNonce);
        CryptographicOperations.ZeroMemory(_exporterSecret);
    }

    private void EnsureSequenceNumberAvailable()
    {
        if (SequenceNumber == ulong.MaxValue)
        {
            throw new CryptographicException("This HPKE context has reached its message limit; set up a new one.");
        }
    }
}
