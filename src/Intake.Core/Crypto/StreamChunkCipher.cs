using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Intake.Core.Crypto;

/// <summary>
/// The STREAM construction's per-chunk AEAD: AES-256-GCM under the stream key, nonce = 11-byte big-endian chunk
/// index || final flag, AAD = envelope header hash || stream header. The index and flag in the nonce are what make
/// reordering, duplication, truncation and appending fail authentication.
/// </summary>
internal sealed class StreamChunkCipher : IDisposable
{
    internal const int HeaderHashLength = 32;
    private const int NonceLength = 12;

    private readonly AesGcm _aes;
    private readonly byte[] _aad;

    internal StreamChunkCipher(ReadOnlySpan<byte> contentKey, ReadOnlySpan<byte> headerHash, StreamHeader header)
    {
        if (contentKey.Length != EnvelopeHeader.ContentKeyLength)
        {
            throw new ArgumentException($"A content key is {EnvelopeHeader.ContentKeyLength} bytes.", nameof(contentKey));
        }

        if (headerHash.Length != HeaderHashLength)
        {
            throw new ArgumentException($"A header hash is {HeaderHashLength} bytes.", nameof(headerHash));
        }

        byte[] streamKey = DeriveStreamKey(contentKey, header.StreamId.Span);
        try
        {
            _aes = new AesGcm(streamKey, StreamHeader.TagLength);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(streamKey);
        }

        _aad = [.. headerHash, .. header.Encode()];
    }

    /// <summary>
    /// HKDF-SHA256(ikm = content key, salt = stream id, info = "intake/v1/stream-key"). The random salt gives every
    /// stream its own key, so chunk nonces, which restart at 0 in each stream, never repeat under one AES key.
    /// </summary>
    internal static byte[] DeriveStreamKey(ReadOnlySpan<byte> contentKey, ReadOnlySpan<byte> streamId)
    {
        byte[] key = new byte[32];
        HKDF.DeriveKey(HashAlgorithmName.SHA256, contentKey, key, streamId, IntakeLabels.StreamKeyInfo);
        return key;
    }

    internal static void WriteNonce(long index, bool final, Span<byte> nonce)
    {
        nonce.Clear();
        BinaryPrimitives.WriteInt64BigEndian(nonce.Slice(3, 8), index);
        nonce[11] = final ? (byte)1 : (byte)0;
    }

    internal void Seal(long index, bool final, ReadOnlySpan<byte> plaintext, Span<byte> ciphertextAndTag)
    {
        Span<byte> nonce = stackalloc byte[NonceLength];
        WriteNonce(index, final, nonce);
        _aes.Encrypt(nonce, plaintext, ciphertextAndTag[..plaintext.Length], ciphertextAndTag.Slice(plaintext.Length, StreamHeader.TagLength), _aad);
    }

    internal bool TryOpen(long index, bool final, ReadOnlySpan<byte> ciphertextAndTag, Span<byte> plaintext)
    {
        Span<byte> nonce = stackalloc byte[NonceLength];
        WriteNonce(index, final, nonce);
        int length = ciphertextAndTag.Length - StreamHeader.TagLength;
        try
        {
            _aes.Decrypt(nonce, ciphertextAndTag[..length], ciphertextAndTag[length..], plaintext[..length], _aad);
            return true;
        }
        catch (AuthenticationTagMismatchException)
        {
            return false;
        }
    }

    public void Dispose() => _aes.Dispose();
}
