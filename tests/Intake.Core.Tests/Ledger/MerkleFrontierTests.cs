using System.Numerics;
using Intake.Core.Ledger;
using static Intake.Core.Tests.Ledger.MerkleTestTrees;

namespace Intake.Core.Tests.Ledger;

public sealed class MerkleFrontierTests
{
    private const int MaxSize = 300;

    private static readonly List<byte[]> Leaves = RandomLeafHashes(MaxSize, seed: 300);
    private static readonly byte[][] Roots = PrefixRoots(Leaves);

    [Fact]
    public void Frontier_root_equals_mth_for_every_size_from_0_to_300()
    {
        var frontier = new MerkleFrontier();
        Assert.Equal(Hex(Roots[0]), Hex(frontier.Root()));

        for (var size = 1; size <= MaxSize; size++)
        {
            frontier.Append(Leaves[size - 1]);
            Assert.Equal(size, frontier.Size);
            Assert.Equal(Hex(Roots[size]), Hex(frontier.Root()));
        }
    }

    [Fact]
    public void Frontier_restored_from_its_state_at_any_size_continues_with_the_same_roots()
    {
        for (var split = 0; split <= MaxSize; split += split < 70 ? 1 : 23)
        {
            var original = BuildFrontier(split);
            var restored = MerkleFrontier.FromState(original.Size, original.GetSubtreeHashes());
            Assert.Equal(split, restored.Size);
            Assert.Equal(Hex(Roots[split]), Hex(restored.Root()));

            for (var size = split + 1; size <= MaxSize; size++)
            {
                restored.Append(Leaves[size - 1]);
                Assert.Equal(Hex(Roots[size]), Hex(restored.Root()));
            }
        }
    }

    [Fact]
    public void Frontier_restored_from_its_bytes_at_any_size_continues_with_the_same_roots()
    {
        for (var split = 0; split <= MaxSize; split += split < 70 ? 1 : 29)
        {
            var bytes = BuildFrontier(split).ToBytes();
            Assert.Equal(8 + (32 * BitOperations.PopCount((uint)split)), bytes.Length);

            var restored = MerkleFrontier.FromBytes(bytes);
            Assert.Equal(split, restored.Size);
            Assert.Equal(Hex(Roots[split]), Hex(restored.Root()));

            for (var size = split + 1; size <= MaxSize; size++)
            {
                restored.Append(Leaves[size - 1]);
                Assert.Equal(Hex(Roots[size]), Hex(restored.Root()));
            }
        }
    }

    [Fact]
    public void Frontier_round_trips_through_state_repeatedly_mid_way()
    {
        var frontier = new MerkleFrontier();
        for (var size = 1; size <= MaxSize; size++)
        {
            frontier.Append(Leaves[size - 1]);
            frontier = size % 2 == 0
                ? MerkleFrontier.FromBytes(frontier.ToBytes())
                : MerkleFrontier.FromState(frontier.Size, frontier.GetSubtreeHashes());
            Assert.Equal(Hex(Roots[size]), Hex(frontier.Root()));
        }
    }

    [Fact]
    public void Frontier_state_is_the_perfect_subtrees_of_the_tree_largest_first()
    {
        var source = new MerkleInMemoryHashSource(Leaves);
        for (var size = 0; size <= MaxSize; size++)
        {
            var expected = new List<byte[]>();
            long start = 0;
            for (var bit = 62; bit >= 0; bit--)
            {
                var count = 1L << bit;
                if ((size & count) != 0)
                {
                    expected.Add(source.SubtreeHash(start, count));
                    start += count;
                }
            }

            Assert.Equal(Hex(expected), Hex(BuildFrontier(size).GetSubtreeHashes()));
        }
    }

    [Fact]
    public void Frontier_encoding_is_big_endian_size_then_subtree_hashes()
    {
        var frontier = BuildFrontier(6);
        var hashes = frontier.GetSubtreeHashes();

        byte[] expected = [0, 0, 0, 0, 0, 0, 0, 6, .. hashes[0], .. hashes[1]];

        Assert.Equal(2, hashes.Count);
        Assert.Equal(expected, frontier.ToBytes());
        Assert.Equal(new byte[8], new MerkleFrontier().ToBytes());
    }

    [Fact]
    public void Frontier_returns_copies_so_callers_cannot_corrupt_its_state()
    {
        var frontier = BuildFrontier(7);

        frontier.GetSubtreeHashes()[0][0] ^= 0xff;
        frontier.Root()[0] ^= 0xff;
        var single = BuildFrontier(1);
        single.Root()[0] ^= 0xff;

        Assert.Equal(Hex(Roots[7]), Hex(frontier.Root()));
        Assert.Equal(Hex(Roots[1]), Hex(single.Root()));
    }

    [Fact]
    public void Frontier_keeps_its_own_copy_of_restored_and_appended_hashes()
    {
        var hashes = BuildFrontier(5).GetSubtreeHashes().ToList();
        var restored = MerkleFrontier.FromState(5, hashes);
        hashes[0][0] ^= 0xff;

        var leaf = (byte[])Leaves[5].Clone();
        restored.Append(leaf);
        leaf[0] ^= 0xff;

        Assert.Equal(Hex(Roots[6]), Hex(restored.Root()));
    }

    [Theory]
    [InlineData(-1, 0)]
    [InlineData(0, 1)]
    [InlineData(1, 0)]
    [InlineData(6, 1)]
    [InlineData(6, 3)]
    [InlineData(7, 2)]
    public void Frontier_state_with_the_wrong_number_of_hashes_for_its_size_is_rejected(long size, int hashCount)
    {
        var hashes = Enumerable.Range(0, hashCount).Select(i => Leaves[i]).ToList();

        Assert.ThrowsAny<ArgumentException>(() => MerkleFrontier.FromState(size, hashes));
    }

    [Fact]
    public void Frontier_state_with_a_hash_that_is_not_32_bytes_is_rejected()
    {
        Assert.Throws<ArgumentException>(() => MerkleFrontier.FromState(3, [Leaves[0], new byte[31]]));
        Assert.Throws<ArgumentException>(() => MerkleFrontier.FromState(3, [Leaves[0], null!]));
    }

    [Fact]
    public void Frontier_bytes_of_the_wrong_length_or_with_a_negative_size_are_rejected()
    {
        var bytes = BuildFrontier(6).ToBytes();

        Assert.Throws<ArgumentException>(() => MerkleFrontier.FromBytes(bytes.AsSpan(0, 7)));
        Assert.Throws<ArgumentException>(() => MerkleFrontier.FromBytes(bytes.AsSpan(0, bytes.Length - 1)));
        Assert.Throws<ArgumentException>(() => MerkleFrontier.FromBytes([.. bytes, 0]));
        Assert.Throws<ArgumentException>(() => MerkleFrontier.FromBytes([0xff, .. bytes.AsSpan(1)]));

        bytes[7] = 7; // size 7 needs three hashes, the encoding has two
        Assert.Throws<ArgumentException>(() => MerkleFrontier.FromBytes(bytes));
    }

    [Fact]
    public void Frontier_rejects_leaf_hashes_that_are_not_32_bytes_without_changing_state()
    {
        var frontier = BuildFrontier(3);

        Assert.Throws<ArgumentException>(() => frontier.Append(new byte[33]));
        Assert.Equal(3, frontier.Size);
        Assert.Equal(Hex(Roots[3]), Hex(frontier.Root()));
    }

    [Fact]
    public void Frontier_refuses_to_grow_past_the_largest_long_size()
    {
        var hashes = Enumerable.Repeat(Leaves[0], 63).ToList();
        var frontier = MerkleFrontier.FromState(long.MaxValue, hashes);

        Assert.Throws<InvalidOperationException>(() => frontier.Append(Leaves[1]));
        Assert.Equal(long.MaxValue, frontier.Size);
    }

    private static MerkleFrontier BuildFrontier(int size)
    {
        var frontier = new MerkleFrontier();
        for (var i = 0; i < size; i++)
        {
            frontier.Append(Leaves[i]);
        }

        return frontier;
    }
}
