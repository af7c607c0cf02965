using System.Security.Cryptography;
using Intake.Core.Crypto;

namespace Intake.Core.Tests.Crypto;

/// <summary>Deterministic keys and content for the protocol tests.</summary>
internal static class CryptoTestData
{
    internal static (byte[] PrivateKey, byte[] PublicKey) KeyPair(string label) =>
        HpkeSuite.DeriveKeyPair(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes("test key " + label)));

    internal static byte[] Bytes(string label, int length)
    {
        byte[] output = new byte[length];
        HKDF.DeriveKey(HashAlgorithmName.SHA256, System.Text.Encoding.UTF8.GetBytes(label), output, [], "intake test bytes"u8);
        return output;
    }

    /// <summary>Content byte i is i mod 251, so any offset error shows.</summary>
    internal static byte[] Content(long length)
    {
        byte[] content = new byte[length];
        for (long i = 0; i < length; i++)
        {
            content[i] = (byte)(i % 251);
        }

        return content;
    }

    internal static async Task<byte[]> SealAsync(byte[] contentKey, byte[] headerHash, StreamHeader header, byte[] content)
    {
        using var output = new MemoryStream();
        await ContentStreamSealer.SealAsync(contentKey, headerHash, header, new MemoryStream(content), content.Length, output);
        return output.ToArray();
    }

    internal static async Task<byte[]> OpenAsync(byte[] contentKey, byte[] headerHash, StreamHeader? expected, byte[] sealedStream)
    {
        using var output = new MemoryStream();
        await ContentStreamOpener.OpenAsync(contentKey, headerHash, expected, new MemoryStream(sealedStream), output);
        return output.ToArray();
    }
}

/// <summary>A read-only stream that generates content on the fly, so multi-MiB tests never hold the whole input.</summary>
internal sealed class GeneratedContentStream(long length) : Stream
{
    private long _position;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => length;

    public override long Position
    {
        get => _position;
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count)
    {
        int n = (int)Math.Min(count, length - _position);
        for (int i = 0; i < n; i++)
        {
            buffer[offset + i] = (byte)((_position + i) % 251);
        }

        _position += n;
        return n;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}

/// <summary>A write-only stream that checks generated content and hashes what passes through, holding nothing.</summary>
internal sealed class VerifyingSink : Stream
{
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

    internal long Written { get; private set; }

    internal bool MatchesGeneratedContent { get; private set; } = true;

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => Written;

    public override long Position
    {
        get => Written;
        set => throw new NotSupportedException();
    }

    internal byte[] Hash() => _hash.GetHashAndReset();

    public override void Write(byte[] buffer, int offset, int count)
    {
        for (int i = 0; i < count; i++)
        {
            MatchesGeneratedContent &= buffer[offset + i] == (byte)((Written + i) % 251);
        }

        _hash.AppendData(buffer, offset, count);
        Written += count;
    }

    public override void Flush()
    {
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _hash.Dispose();
        }

        base.Dispose(disposing);
    }
}
