using System.Security.Cryptography;

namespace Intake.Core.Ledger;

/// <summary>
/// The RFC 9162 §2.1.1 hashing primitives (identical to RFC 6962). Leaves and interior nodes carry
/// different one-byte prefixes so that a leaf can never be passed off as a node (second-preimage
/// protection); everything else in the Merkle code is built on these three functions.
/// </summary>
public static class MerkleHash
{
    /// <summary>Length in bytes of every hash in the tree (SHA-256).</summary>
    public const int Size = SHA256.HashSizeInBytes;

    private const byte LeafPrefix = 0x00;
    private const byte NodePrefix = 0x01;

    /// <summary>MTH({}) = SHA-256 of the empty string. Returns a fresh array the caller may keep.</summary>
    public static byte[] EmptyTreeHash() => SHA256.HashData(ReadOnlySpan<byte>.Empty);

    /// <summary>SHA-256(0x00 || leafInput): the hash that represents one ledger entry in the tree.</summary>
    public static byte[] LeafHash(ReadOnlySpan<byte> leafInput)
    {
        // Incremental so that large leaf inputs are not copied just to prepend one byte.
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        ReadOnlySpan<byte> prefix = [LeafPrefix];
        hash.AppendData(prefix);
        hash.AppendData(leafInput);
        return hash.GetHashAndReset();
    }

    /// <summary>SHA-256(0x01 || left || right) for two child hashes.</summary>
    /// <exception cref="ArgumentException">A child is not exactly <see cref="Size"/> bytes.</exception>
    public static byte[] NodeHash(ReadOnlySpan<byte> left, ReadOnlySpan<byte> right)
    {
        // Children of the wrong length would still hash, but to a value no conforming tree can
        // produce; that is always a programming error, so refuse rather than hide it.
        if (left.Length != Size)
        {
            throw new ArgumentException($"A Merkle child hash must be {Size} bytes.", nameof(left));
        }

        if (right.Length != Size)
        {
            throw new ArgumentException($"A Merkle child hash must be {Size} bytes.", nameof(right));
        }

        Span<byte> buffer = stackalloc byte[1 + (2 * Size)];
        buffer[0] = NodePrefix;
        left.CopyTo(buffer[1..]);
        right.CopyTo(buffer[(1 + Size)..]);
        return SHA256.HashData(buffer);
    }

    /// <summary>
    /// Compares two hashes in time that depends only on their length, so that comparing an
    /// attacker-supplied value against a secret-dependent one leaks nothing through timing.
    /// Different lengths compare unequal.
    /// </summary>
    public static bool FixedTimeEquals(ReadOnlySpan<byte> left, ReadOnlySpan<byte> right) =>
        CryptographicOperations.FixedTimeEquals(left, right);
}
