using System.Numerics;

namespace Intake.Core.Ledger;

/// <summary>
/// An append-only list of leaf hashes that serves perfect-subtree hashes. Meant for tests, tools and
/// small trees; it rejects non-perfect requests so that it also checks <see cref="MerkleTree"/>
/// keeps the contract a database-backed <see cref="IMerkleHashSource"/> relies on.
/// </summary>
public sealed class MerkleInMemoryHashSource : IMerkleHashSource
{
    private readonly List<byte[]> _leafHashes = [];

    // Leaves are append-only, so a perfect subtree's hash never changes once it exists.
    private readonly Dictionary<(long Start, long Count), byte[]> _perfectSubtrees = [];

    /// <summary>Creates an empty source.</summary>
    public MerkleInMemoryHashSource()
    {
    }

    /// <summary>Creates a source holding <paramref name="leafHashes"/> in order.</summary>
    public MerkleInMemoryHashSource(IEnumerable<byte[]> leafHashes)
    {
        ArgumentNullException.ThrowIfNull(leafHashes);
        foreach (var leafHash in leafHashes)
        {
            Append(leafHash);
        }
    }

    /// <summary>Number of leaves held.</summary>
    public long Count => _leafHashes.Count;

    /// <summary>Appends one leaf hash (as produced by <see cref="MerkleHash.LeafHash"/>).</summary>
    public void Append(ReadOnlySpan<byte> leafHash)
    {
        if (leafHash.Length != MerkleHash.Size)
        {
            throw new ArgumentException($"A leaf hash must be {MerkleHash.Size} bytes.", nameof(leafHash));
        }

        _leafHashes.Add(leafHash.ToArray());
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentException">The range is not a perfect, aligned subtree of the leaves held.</exception>
    public byte[] SubtreeHash(long start, long count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(start);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        if (!BitOperations.IsPow2(count) || start % count != 0)
        {
            throw new ArgumentException(
                $"[{start}, {start}+{count}) is not a perfect, aligned subtree.", nameof(count));
        }

        if (start > Count - count)
        {
            throw new ArgumentOutOfRangeException(
                nameof(count), $"[{start}, {start}+{count}) extends past the {Count} leaves held.");
        }

        return (byte[])Perfect(start, count).Clone();
    }

    private byte[] Perfect(long start, long count)
    {
        if (count == 1)
        {
            return _leafHashes[(int)start];
        }

        if (!_perfectSubtrees.TryGetValue((start, count), out var hash))
        {
            var half = count / 2;
            hash = MerkleHash.NodeHash(Perfect(start, half), Perfect(start + half, half));
            _perfectSubtrees.Add((start, count), hash);
        }

        return hash;
    }
}
