using System.Numerics;

namespace Intake.Core.Ledger;

/// <summary>
/// Proof verification as the iterative algorithms of RFC 9162 §2.1.3.2 and §2.1.4.2, step for step.
/// Proofs are untrusted input, so anything malformed (wrong lengths, null elements, too few or too
/// many elements) yields <c>false</c>; only arguments no caller could legitimately pass throw.
/// </summary>
/// <remarks>
/// A proof authenticates a tree size only through the root it is checked against: take the size
/// and the root from the same signed tree head, never the size from the proof's sender.
/// </remarks>
public static class MerkleVerifier
{
    /// <summary>
    /// RFC 9162 §2.1.3.2: does <paramref name="proof"/> show that <paramref name="leafHash"/> is leaf
    /// <paramref name="leafIndex"/> of the tree of size <paramref name="treeSize"/> with root
    /// <paramref name="rootHash"/>?
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Not <c>0 &lt;= leafIndex &lt; treeSize</c>.</exception>
    public static bool VerifyInclusion(
        long leafIndex,
        long treeSize,
        ReadOnlySpan<byte> leafHash,
        IReadOnlyList<byte[]> proof,
        ReadOnlySpan<byte> rootHash)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(leafIndex);
        ArgumentOutOfRangeException.ThrowIfNegative(treeSize);
        // Step 1 of the RFC fails the proof here; the index and size are the caller's, so this is a bug.
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(leafIndex, treeSize);
        ArgumentNullException.ThrowIfNull(proof);

        if (leafHash.Length != MerkleHash.Size || rootHash.Length != MerkleHash.Size)
        {
            return false;
        }

        // Step 2-3.
        var fn = leafIndex;
        var sn = treeSize - 1;
        var r = leafHash.ToArray();

        // Step 4.
        for (var i = 0; i < proof.Count; i++)
        {
            var p = proof[i];
            if (p is not { Length: MerkleHash.Size })
            {
                return false;
            }

            // 4a. Also bounds the work on an over-long proof: sn reaches 0 within 63 iterations.
            if (sn == 0)
            {
                return false;
            }

            // 4b.
            if (IsOdd(fn) || fn == sn)
            {
                r = MerkleHash.NodeHash(p, r);
                if (!IsOdd(fn))
                {
                    while (!IsOdd(fn) && fn != 0)
                    {
                        fn >>= 1;
                        sn >>= 1;
                    }
                }
            }
            else
            {
                r = MerkleHash.NodeHash(r, p);
            }

            // 4c.
            fn >>= 1;
            sn >>= 1;
        }

        // Step 5.
        return sn == 0 & MerkleHash.FixedTimeEquals(r, rootHash);
    }

    /// <summary>
    /// RFC 9162 §2.1.4.2: does <paramref name="proof"/> show that the tree of size
    /// <paramref name="firstSize"/> with root <paramref name="firstRoot"/> is a prefix of the tree of
    /// size <paramref name="secondSize"/> with root <paramref name="secondRoot"/>?
    /// </summary>
    /// <remarks>
    /// The RFC covers <c>0 &lt; firstSize &lt; secondSize</c>. Equal sizes are consistent only with an
    /// empty proof and equal roots. <c>firstSize == 0</c> is consistent with any later tree, but only
    /// with an empty proof and a first root that really is the empty-tree hash.
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException">Not <c>0 &lt;= firstSize &lt;= secondSize</c>.</exception>
    public static bool VerifyConsistency(
        long firstSize,
        long secondSize,
        ReadOnlySpan<byte> firstRoot,
        ReadOnlySpan<byte> secondRoot,
        IReadOnlyList<byte[]> proof)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(firstSize);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(firstSize, secondSize);
        ArgumentNullException.ThrowIfNull(proof);

        if (firstRoot.Length != MerkleHash.Size || secondRoot.Length != MerkleHash.Size)
        {
            return false;
        }

        if (firstSize == 0)
        {
            var isEmptyTree = MerkleHash.FixedTimeEquals(firstRoot, MerkleHash.EmptyTreeHash());
            var rootsAgree = secondSize != 0 || MerkleHash.FixedTimeEquals(firstRoot, secondRoot);
            return proof.Count == 0 & isEmptyTree & rootsAgree;
        }

        if (firstSize == secondSize)
        {
            return proof.Count == 0 & MerkleHash.FixedTimeEquals(firstRoot, secondRoot);
        }

        // Step 1.
        if (proof.Count == 0)
        {
            return false;
        }

        var path = new List<byte[]>(proof.Count + 1);

        // Step 2.
        if (BitOperations.IsPow2(firstSize))
        {
            path.Add(firstRoot.ToArray());
        }

        foreach (var c in proof)
        {
            if (c is not { Length: MerkleHash.Size })
            {
                return false;
            }

            path.Add(c);
        }

        // Step 3.
        var fn = firstSize - 1;
        var sn = secondSize - 1;

        // Step 4.
        while (IsOdd(fn))
        {
            fn >>= 1;
            sn >>= 1;
        }

        // Step 5.
        var fr = path[0];
        var sr = path[0];

        // Step 6.
        for (var i = 1; i < path.Count; i++)
        {
            var c = path[i];

            // 6a.
            if (sn == 0)
            {
                return false;
            }

            // 6b.
            if (IsOdd(fn) || fn == sn)
            {
                fr = MerkleHash.NodeHash(c, fr);
                sr = MerkleHash.NodeHash(c, sr);
                if (!IsOdd(fn))
                {
                    while (!IsOdd(fn) && fn != 0)
                    {
                        fn >>= 1;
                        sn >>= 1;
                    }
                }
            }
            else
            {
                sr = MerkleHash.NodeHash(sr, c);
            }

            // 6c.
            fn >>= 1;
            sn >>= 1;
        }

        // Step 7.
        return MerkleHash.FixedTimeEquals(fr, firstRoot) & MerkleHash.FixedTimeEquals(sr, secondRoot) & sn == 0;
    }

    private static bool IsOdd(long value) => (value & 1) != 0;
}
