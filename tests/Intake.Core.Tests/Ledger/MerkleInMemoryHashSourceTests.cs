using Intake.Core.Ledger;
using static Intake.Core.Tests.Ledger.MerkleTestTrees;

namespace Intake.Core.Tests.Ledger;

public sealed class MerkleInMemoryHashSourceTests
{
    [Theory]
    [InlineData(0, 3)]
    [InlineData(1, 2)]
    [InlineData(2, 4)]
    [InlineData(0, 6)]
    [InlineData(0, 0)]
    [InlineData(-1, 1)]
    public void Subtree_hash_rejects_ranges_that_are_not_perfect_aligned_subtrees(long start, long count)
    {
        var source = new MerkleInMemoryHashSource(RandomLeafHashes(8, seed: 1));

        Assert.ThrowsAny<ArgumentException>(() => source.SubtreeHash(start, count));
    }

    [Theory]
    [InlineData(8, 1)]
    [InlineData(8, 8)]
    [InlineData(0, 16)]
    public void Subtree_hash_rejects_ranges_past_the_leaves_held(long start, long count)
    {
        var source = new MerkleInMemoryHashSource(RandomLeafHashes(8, seed: 1));

        Assert.Throws<ArgumentOutOfRangeException>(() => source.SubtreeHash(start, count));
    }

    [Fact]
    public void Subtree_hash_of_every_perfect_subtree_equals_mth_of_its_leaves()
    {
        var leaves = RandomLeafHashes(32, seed: 2);
        var source = new MerkleInMemoryHashSource(leaves);

        var checkedCount = 0;
        for (var count = 1; count <= 32; count *= 2)
        {
            for (var start = 0; start + count <= 32; start += count)
            {
                Assert.Equal(Hex(MerkleTree.ComputeRoot(leaves.GetRange(start, count))), Hex(source.SubtreeHash(start, count)));
                checkedCount++;
            }
        }

        Assert.Equal(63, checkedCount);
    }

    [Fact]
    public void Subtree_hash_returns_copies_so_callers_cannot_corrupt_the_source()
    {
        var leaves = RandomLeafHashes(4, seed: 3);
        var source = new MerkleInMemoryHashSource(leaves);

        source.SubtreeHash(0, 4)[0] ^= 0xff;
        source.SubtreeHash(0, 1)[0] ^= 0xff;
        leaves[1][0] ^= 0xff;

        Assert.Equal(Hex(MerkleTree.ComputeRoot(RandomLeafHashes(4, seed: 3))), Hex(source.SubtreeHash(0, 4)));
        Assert.Equal(Hex(RandomLeafHashes(4, seed: 3)[0]), Hex(source.SubtreeHash(0, 1)));
    }

    [Fact]
    public void Append_rejects_leaf_hashes_that_are_not_32_bytes()
    {
        var source = new MerkleInMemoryHashSource();

        Assert.Throws<ArgumentException>(() => source.Append(new byte[31]));
        Assert.Equal(0, source.Count);
    }
}
