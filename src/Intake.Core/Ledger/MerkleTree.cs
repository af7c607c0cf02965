using System.Diagnostics;
using System.Numerics;

namespace Intake.Core.Ledger;

/// <summary>
/// Merkle Tree Hash and proof generation exactly as the recursive definitions of RFC 9162 §2.1.1,
/// §2.1.3.1 (PATH) and §2.1.4.1 (PROOF/SUBPROOF). The recursions are transcribed one-to-one so they
/// can be checked against the RFC by eye; sizes and indices are <see cref="long"/> because the
/// ledger outlives <see cref="int"/>.
/// </summary>
public static class MerkleTree
{
    /// <summary>MTH(D[n]) over leaf hashes, straight from the definition (O(n) hashing).</summary>
    /// <exception cref="ArgumentException">A leaf hash is not <see cref="MerkleHash.Size"/> bytes.</exception>
    public static byte[] ComputeRoot(IReadOnlyList<byte[]> leafHashes)
    {
        ArgumentNullException.ThrowIfNull(leafHashes);
        for (var i = 0; i < leafHashes.Count; i++)
        {
            if (leafHashes[i] is not { Length: MerkleHash.Size })
            {
                throw new ArgumentException($"Leaf hash {i} is not {MerkleHash.Size} bytes.", nameof(leafHashes));
            }
        }

        return leafHashes.Count == 0 ? MerkleHash.EmptyTreeHash() : Mth(leafHashes, 0, leafHashes.Count);
    }

    /// <summary>
    /// MTH(D[treeSize]) read from <paramref name="source"/>: one perfect-subtree lookup per set bit
    /// of <paramref name="treeSize"/>, so it is cheap for any historical size a source can serve.
    /// </summary>
    public static byte[] ComputeRoot(IMerkleHashSource source, long treeSize)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentOutOfRangeException.ThrowIfNegative(treeSize);
        return treeSize == 0 ? MerkleHash.EmptyTreeHash() : RangeHash(source, 0, treeSize);
    }

    /// <summary>
    /// PATH(leafIndex, D[treeSize]): the audit path proving leaf <paramref name="leafIndex"/> is in
    /// the tree of size <paramref name="treeSize"/>, ordered from the leaf's sibling up to the root's
    /// child, as <see cref="MerkleVerifier.VerifyInclusion"/> consumes it.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Not <c>0 &lt;= leafIndex &lt; treeSize</c>.</exception>
    public static IReadOnlyList<byte[]> InclusionProof(IMerkleHashSource source, long leafIndex, long treeSize)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentOutOfRangeException.ThrowIfNegative(leafIndex);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(leafIndex, treeSize);

        var proof = new List<byte[]>();
        Path(source, leafIndex, 0, treeSize, proof);
        return proof;
    }

    /// <summary>
    /// PROOF(firstSize, D[secondSize]): the consistency proof that the tree of size
    /// <paramref name="firstSize"/> is a prefix of the tree of size <paramref name="secondSize"/>.
    /// Empty when the sizes are equal, and (outside the RFC, which starts at 1) empty for
    /// <c>firstSize == 0</c>, since every tree extends the empty tree.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Not <c>0 &lt;= firstSize &lt;= secondSize</c>.</exception>
    public static IReadOnlyList<byte[]> ConsistencyProof(IMerkleHashSource source, long firstSize, long secondSize)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentOutOfRangeException.ThrowIfNegative(firstSize);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(firstSize, secondSize);

        var proof = new List<byte[]>();
        if (firstSize > 0)
        {
            SubProof(source, firstSize, 0, secondSize, true, proof);
        }

        return proof;
    }

    /// <summary>The largest power of two strictly smaller than <paramref name="n"/> (n &gt;= 2): the RFC's split point k.</summary>
    internal static long SplitPoint(long n)
    {
        Debug.Assert(n >= 2);
        return 1L << BitOperations.Log2((ulong)(n - 1));
    }

    // MTH(D[start : start+count]) by the definition.
    private static byte[] Mth(IReadOnlyList<byte[]> leaves, int start, int count)
    {
        if (count == 1)
        {
            return (byte[])leaves[start].Clone();
        }

        var k = (int)SplitPoint(count);
        return MerkleHash.NodeHash(Mth(leaves, start, k), Mth(leaves, start + k, count - k));
    }

    // MTH(D[start : start+count]) for a node of the RFC tree, asking the source only for perfect
    // subtrees. Every RFC node starts at a multiple of the largest power of two not above its
    // size, so the left part D[start : start+k] is always perfect and aligned.
    private static byte[] RangeHash(IMerkleHashSource source, long start, long count)
    {
        Debug.Assert(count >= 1);
        if (BitOperations.IsPow2(count))
        {
            Debug.Assert(start % count == 0);
            return source.SubtreeHash(start, count);
        }

        var k = SplitPoint(count);
        Debug.Assert(start % k == 0);
        return MerkleHash.NodeHash(source.SubtreeHash(start, k), RangeHash(source, start + k, count - k));
    }

    // RFC 9162 §2.1.3.1, for the subtree D[start : start+n] with m relative to start:
    //   PATH(0, {d0})  = {}
    //   PATH(m, D[n])  = PATH(m, D[0:k])     : MTH(D[k:n])   for m < k
    //   PATH(m, D[n])  = PATH(m - k, D[k:n]) : MTH(D[0:k])   for m >= k
    private static void Path(IMerkleHashSource source, long m, long start, long n, List<byte[]> proof)
    {
        if (n == 1)
        {
            return;
        }

        var k = SplitPoint(n);
        if (m < k)
        {
            Path(source, m, start, k, proof);
            proof.Add(RangeHash(source, start + k, n - k));
        }
        else
        {
            Path(source, m - k, start + k, n - k, proof);
            proof.Add(RangeHash(source, start, k));
        }
    }

    // RFC 9162 §2.1.4.1, for the subtree D[start : start+n] with m relative to start:
    //   SUBPROOF(m, D[m], true)  = {}
    //   SUBPROOF(m, D[m], false) = {MTH(D[m])}
    //   SUBPROOF(m, D[n], b)     = SUBPROOF(m, D[0:k], b) : MTH(D[k:n])          for m <= k
    //   SUBPROOF(m, D[n], b)     = SUBPROOF(m - k, D[k:n], false) : MTH(D[0:k])  for m > k
    private static void SubProof(IMerkleHashSource source, long m, long start, long n, bool b, List<byte[]> proof)
    {
        if (m == n)
        {
            if (!b)
            {
                proof.Add(RangeHash(source, start, n));
            }

            return;
        }

        var k = SplitPoint(n);
        if (m <= k)
        {
            SubProof(source, m, start, k, b, proof);
            proof.Add(RangeHash(source, start + k, n - k));
        }
        else
        {
            SubProof(source, m - k, start + k, n - k, false, proof);
            proof.Add(RangeHash(source, start, k));
        }
    }
}
