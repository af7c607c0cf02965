using System.Security.Cryptography;
using Intake.Core.Ledger;
using static Intake.Core.Tests.Ledger.MerkleTestTrees;

namespace Intake.Core.Tests.Ledger;

public sealed class MerkleHashTests
{
    [Fact]
    public void Leaf_hash_is_sha256_of_zero_byte_prefix_and_input()
    {
        byte[] input = [0x20, 0x21];

        Assert.Equal(Hex(SHA256.HashData([0x00, 0x20, 0x21])), Hex(MerkleHash.LeafHash(input)));
    }

    [Fact]
    public void Node_hash_is_sha256_of_one_byte_prefix_left_and_right()
    {
        var left = MerkleHash.LeafHash([1]);
        var right = MerkleHash.LeafHash([2]);

        Assert.Equal(Hex(SHA256.HashData([0x01, .. left, .. right])), Hex(MerkleHash.NodeHash(left, right)));
        Assert.NotEqual(Hex(MerkleHash.NodeHash(left, right)), Hex(MerkleHash.NodeHash(right, left)));
    }

    [Fact]
    public void Leaf_and_node_hashes_of_the_same_bytes_differ_so_a_node_cannot_pose_as_a_leaf()
    {
        var left = MerkleHash.LeafHash([1]);
        var right = MerkleHash.LeafHash([2]);

        Assert.NotEqual(Hex(MerkleHash.LeafHash([.. left, .. right])), Hex(MerkleHash.NodeHash(left, right)));
    }

    [Theory]
    [InlineData(0, 32)]
    [InlineData(31, 32)]
    [InlineData(33, 32)]
    [InlineData(32, 0)]
    [InlineData(32, 64)]
    public void Node_hash_rejects_children_that_are_not_32_bytes(int leftLength, int rightLength)
    {
        Assert.Throws<ArgumentException>(() => MerkleHash.NodeHash(new byte[leftLength], new byte[rightLength]));
    }

    [Fact]
    public void Fixed_time_equality_is_true_only_for_identical_bytes_of_equal_length()
    {
        var hash = MerkleHash.LeafHash([7]);

        Assert.True(MerkleHash.FixedTimeEquals(hash, (byte[])hash.Clone()));
        Assert.False(MerkleHash.FixedTimeEquals(hash, FlipBit(hash, 255)));
        Assert.False(MerkleHash.FixedTimeEquals(hash, hash.AsSpan(0, 31)));
        Assert.False(MerkleHash.FixedTimeEquals(hash, [.. hash, 0]));
    }

    [Fact]
    public void Empty_tree_hash_returns_a_fresh_array_each_time()
    {
        var first = MerkleHash.EmptyTreeHash();
        first[0] ^= 0xff;

        Assert.Equal(
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            Hex(MerkleHash.EmptyTreeHash()));
    }
}
