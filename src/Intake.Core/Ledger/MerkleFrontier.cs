using System.Buffers.Binary;
using System.Numerics;

namespace Intake.Core.Ledger;

/// <summary>
/// An append-only Merkle tree that keeps only its frontier (a "compact range"): the roots of the
/// perfect subtrees that make up the tree, one per set bit of <see cref="Size"/>, largest (leftmost)
/// first. That is O(log n) hashes, enough to append and to compute MTH, and small enough for the
/// ledger to persist between batches and restore with <see cref="FromState"/> or <see cref="FromBytes"/>.
/// </summary>
public sealed class MerkleFrontier
{
    private const int SizePrefixLength = sizeof(long);

    // Invariant: _subtrees.Count == PopCount(Size); _subtrees[i] covers the i-th highest set bit.
    private readonly List<byte[]> _subtrees;

    /// <summary>Creates the frontier of the empty tree.</summary>
    public MerkleFrontier()
    {
        _subtrees = [];
    }

    private MerkleFrontier(long size, List<byte[]> subtrees)
    {
        Size = size;
        _subtrees = subtrees;
    }

    /// <summary>Number of leaves appended so far.</summary>
    public long Size { get; private set; }

    /// <summary>
    /// Rebuilds a frontier from a persisted <see cref="Size"/> and <see cref="GetSubtreeHashes"/>.
    /// The hashes are trusted as given; the ledger should check the restored <see cref="Root"/>
    /// against its last signed tree head.
    /// </summary>
    /// <exception cref="ArgumentException">The hashes do not fit the size (count or length).</exception>
    public static MerkleFrontier FromState(long size, IReadOnlyList<byte[]> subtreeHashes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        ArgumentNullException.ThrowIfNull(subtreeHashes);

        var expected = BitOperations.PopCount((ulong)size);
        if (subtreeHashes.Count != expected)
        {
            throw new ArgumentException(
                $"A tree of size {size} has {expected} frontier hashes, not {subtreeHashes.Count}.",
                nameof(subtreeHashes));
        }

        var copies = new List<byte[]>(expected);
        foreach (var hash in subtreeHashes)
        {
            if (hash is not { Length: MerkleHash.Size })
            {
                throw new ArgumentException($"Frontier hashes must be {MerkleHash.Size} bytes.", nameof(subtreeHashes));
            }

            copies.Add((byte[])hash.Clone());
        }

        return new MerkleFrontier(size, copies);
    }

    /// <summary>Parses the encoding written by <see cref="ToBytes"/>.</summary>
    /// <exception cref="ArgumentException">The bytes are not a well-formed frontier encoding.</exception>
    public static MerkleFrontier FromBytes(ReadOnlySpan<byte> state)
    {
        if (state.Length < SizePrefixLength)
        {
            throw new ArgumentException("Frontier state is too short to hold its size.", nameof(state));
        }

        var size = BinaryPrimitives.ReadInt64BigEndian(state);
        if (size < 0)
        {
            throw new ArgumentException("Frontier state has a negative size.", nameof(state));
        }

        var count = BitOperations.PopCount((ulong)size);
        if (state.Length != SizePrefixLength + (count * MerkleHash.Size))
        {
            throw new ArgumentException(
                $"Frontier state for size {size} must be {SizePrefixLength + (count * MerkleHash.Size)} bytes.",
                nameof(state));
        }

        var subtrees = new List<byte[]>(count);
        for (var i = 0; i < count; i++)
        {
            subtrees.Add(state.Slice(SizePrefixLength + (i * MerkleHash.Size), MerkleHash.Size).ToArray());
        }

        return new MerkleFrontier(size, subtrees);
    }

    /// <summary>Appends the next leaf hash (as produced by <see cref="MerkleHash.LeafHash"/>).</summary>
    public void Append(ReadOnlySpan<byte> leafHash) => Append(leafHash, null);

    /// <summary>
    /// Appends a leaf and reports every perfect subtree it completes as (level, index, hash):
    /// the node covering leaves [index * 2^level, (index + 1) * 2^level). A store keeps these so
    /// proofs never need more than one lookup per level.
    /// </summary>
    public void Append(ReadOnlySpan<byte> leafHash, Action<int, long, byte[]>? completedNode)
    {
        if (leafHash.Length != MerkleHash.Size)
        {
            throw new ArgumentException($"A leaf hash must be {MerkleHash.Size} bytes.", nameof(leafHash));
        }

        if (Size == long.MaxValue)
        {
            throw new InvalidOperationException("The tree is full.");
        }

        // Each trailing one bit of Size is a perfect subtree the same size as the one being
        // carried, so the two become siblings, exactly like binary addition of 1.
        var carry = leafHash.ToArray();
        var level = 0;
        for (var size = Size; (size & 1) != 0; size >>= 1)
        {
            carry = MerkleHash.NodeHash(_subtrees[^1], carry);
            _subtrees.RemoveAt(_subtrees.Count - 1);
            level++;
            // The new node covers the 2^level leaves ending with this one.
            completedNode?.Invoke(level, ((Size + 1) >> level) - 1, carry);
        }

        _subtrees.Add(carry);
        Size++;
    }

    /// <summary>MTH of the leaves appended so far.</summary>
    public byte[] Root()
    {
        if (_subtrees.Count == 0)
        {
            return MerkleHash.EmptyTreeHash();
        }

        // MTH splits at the largest power of two, i.e. the leftmost frontier subtree, and recurses
        // into the rest: a right fold over the frontier.
        var root = (byte[])_subtrees[^1].Clone();
        for (var i = _subtrees.Count - 2; i >= 0; i--)
        {
            root = MerkleHash.NodeHash(_subtrees[i], root);
        }

        return root;
    }

    /// <summary>The frontier hashes, largest subtree first; copies the caller may keep.</summary>
    public IReadOnlyList<byte[]> GetSubtreeHashes() => _subtrees.ConvertAll(hash => (byte[])hash.Clone());

    /// <summary>
    /// A compact encoding for persistence: the size as a big-endian 64-bit integer, then the
    /// frontier hashes largest subtree first (8 + 32 × popcount(size) bytes).
    /// </summary>
    public byte[] ToBytes()
    {
        var state = new byte[SizePrefixLength + (_subtrees.Count * MerkleHash.Size)];
        BinaryPrimitives.WriteInt64BigEndian(state, Size);
        for (var i = 0; i < _subtrees.Count; i++)
        {
            _subtrees[i].CopyTo(state, SizePrefixLength + (i * MerkleHash.Size));
        }

        return state;
    }
}
