using System.Numerics;
using Intake.Core.Ledger;

namespace Intake.Core.Tests.Ledger;

/// <summary>Shared fixtures: the RFC 6962 test tree, random trees and an independent reference prover.</summary>
internal static class MerkleTestTrees
{
    /// <summary>Leaf inputs of the RFC 6962 test tree used across certificate-transparency implementations.</summary>
    public static readonly string[] Rfc6962LeafInputsHex =
    [
        "",
        "00",
        "10",
        "2021",
        "3031",
        "40414243",
        "5051525354555657",
        "606162636465666768696a6b6c6d6e6f",
    ];

    public static List<byte[]> Rfc6962LeafHashes() =>
        [.. Rfc6962LeafInputsHex.Select(hex => MerkleHash.LeafHash(Convert.FromHexString(hex)))];

    /// <summary>Distinct, reproducible leaf hashes (distinct so that no two proof orders can coincide).</summary>
    public static List<byte[]> RandomLeafHashes(int count, int seed)
    {
        var random = new Random(seed);
        var leaves = new List<byte[]>(count);
        for (var i = 0; i < count; i++)
        {
            var input = new byte[1 + random.Next(48)];
            random.NextBytes(input);
            // Index suffix guarantees distinct inputs even if the random bytes repeat.
            leaves.Add(MerkleHash.LeafHash([.. input, .. BitConverter.GetBytes(i)]));
        }

        return leaves;
    }

    /// <summary>Roots of every prefix, index = tree size, by the definitional MTH.</summary>
    public static byte[][] PrefixRoots(IReadOnlyList<byte[]> leaves) =>
        [.. Enumerable.Range(0, leaves.Count + 1).Select(n => MerkleTree.ComputeRoot([.. leaves.Take(n)]))];

    public static string Hex(byte[] bytes) => Convert.ToHexStringLower(bytes);

    public static List<string> Hex(IEnumerable<byte[]> hashes) => [.. hashes.Select(Hex)];

    public static byte[] FlipBit(byte[] hash, int bit)
    {
        var copy = (byte[])hash.Clone();
        copy[bit / 8 % copy.Length] ^= (byte)(1 << (bit % 8));
        return copy;
    }

    public static List<byte[]> Replace(IReadOnlyList<byte[]> proof, int index, byte[]? element)
    {
        var copy = proof.ToList();
        copy[index] = element!;
        return copy;
    }

    /// <summary>
    /// PATH and PROOF transcribed a second time, directly over a list with the definitional MTH and
    /// no perfect-subtree decomposition, to cross-check <see cref="MerkleTree"/>.
    /// </summary>
    public static List<byte[]> ReferencePath(int m, List<byte[]> d)
    {
        if (d.Count == 1)
        {
            return [];
        }

        var k = LargestPowerOfTwoBelow(d.Count);
        return m < k
            ? [.. ReferencePath(m, d[..k]), MerkleTree.ComputeRoot(d[k..])]
            : [.. ReferencePath(m - k, d[k..]), MerkleTree.ComputeRoot(d[..k])];
    }

    public static List<byte[]> ReferenceProof(int m, List<byte[]> d) => ReferenceSubProof(m, d, true);

    private static List<byte[]> ReferenceSubProof(int m, List<byte[]> d, bool b)
    {
        if (m == d.Count)
        {
            return b ? [] : [MerkleTree.ComputeRoot(d)];
        }

        var k = LargestPowerOfTwoBelow(d.Count);
        return m <= k
            ? [.. ReferenceSubProof(m, d[..k], b), MerkleTree.ComputeRoot(d[k..])]
            : [.. ReferenceSubProof(m - k, d[k..], false), MerkleTree.ComputeRoot(d[..k])];
    }

    private static int LargestPowerOfTwoBelow(int n)
    {
        var k = 1;
        while (k * 2 < n)
        {
            k *= 2;
        }

        return k;
    }
}

/// <summary>
/// A consistent tree of up to 2^62 leaves without storing them: every leaf is the same except one
/// marked leaf, so all perfect subtrees not containing it share one hash per height. Counts lookups.
/// </summary>
internal sealed class SparseMerkleHashSource : IMerkleHashSource
{
    private readonly long _markedIndex;
    private readonly byte[] _markedLeaf = MerkleHash.LeafHash("marked"u8);
    private readonly List<byte[]> _uniformByHeight = [MerkleHash.LeafHash("filler"u8)];

    public SparseMerkleHashSource(long markedIndex)
    {
        _markedIndex = markedIndex;
        for (var height = 1; height < 63; height++)
        {
            _uniformByHeight.Add(MerkleHash.NodeHash(_uniformByHeight[^1], _uniformByHeight[^1]));
        }
    }

    public int Lookups { get; private set; }

    public byte[] MarkedLeafHash => (byte[])_markedLeaf.Clone();

    public byte[] SubtreeHash(long start, long count)
    {
        Assert.True(BitOperations.IsPow2(count) && start % count == 0, $"non-perfect request [{start}, +{count})");
        Lookups++;
        return Compute(start, count);
    }

    private byte[] Compute(long start, long count)
    {
        if (_markedIndex < start || _markedIndex >= start + count)
        {
            return _uniformByHeight[BitOperations.Log2((ulong)count)];
        }

        if (count == 1)
        {
            return _markedLeaf;
        }

        var half = count / 2;
        return MerkleHash.NodeHash(Compute(start, half), Compute(start + half, half));
    }
}
