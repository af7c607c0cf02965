using Intake.Core.Ledger;
using static Intake.Core.Tests.Ledger.MerkleTestTrees;

namespace Intake.Core.Tests.Ledger;

public sealed class MerkleInclusionProofTests
{
    private const int MaxSize = 64;

    private static readonly List<byte[]> Leaves = RandomLeafHashes(MaxSize, seed: 6962);
    private static readonly byte[][] Roots = PrefixRoots(Leaves);

    private static IEnumerable<(int Index, int Size, IReadOnlyList<byte[]> Proof)> AllProofs()
    {
        var source = new MerkleInMemoryHashSource(Leaves);
        for (var size = 1; size <= MaxSize; size++)
        {
            for (var index = 0; index < size; index++)
            {
                yield return (index, size, MerkleTree.InclusionProof(source, index, size));
            }
        }
    }

    [Fact]
    public void Inclusion_proof_verifies_for_every_leaf_of_every_tree_size_from_1_to_64()
    {
        var verified = 0;
        foreach (var (index, size, proof) in AllProofs())
        {
            Assert.True(
                MerkleVerifier.VerifyInclusion(index, size, Leaves[index], proof, Roots[size]),
                $"leaf {index} of size {size}");
            verified++;
        }

        Assert.Equal(MaxSize * (MaxSize + 1) / 2, verified);
    }

    [Fact]
    public void Inclusion_proof_equals_a_direct_transcription_of_PATH_for_every_leaf_of_every_tree_size_from_1_to_64()
    {
        foreach (var (index, size, proof) in AllProofs())
        {
            Assert.Equal(Hex(ReferencePath(index, Leaves[..size])), Hex(proof));
        }
    }

    [Fact]
    public void Inclusion_proof_has_one_element_per_level_between_leaf_and_root()
    {
        // A leaf's depth is at most ceil(log2 n); the last leaf of 2^k + 1 sits directly under the root.
        foreach (var (index, size, proof) in AllProofs())
        {
            var maxDepth = size == 1 ? 0 : (int)Math.Ceiling(Math.Log2(size));
            Assert.InRange(proof.Count, size == 1 ? 0 : 1, maxDepth);
        }

        var source = new MerkleInMemoryHashSource(Leaves);
        Assert.Single(MerkleTree.InclusionProof(source, 32, 33));
        Assert.Equal(6, MerkleTree.InclusionProof(source, 0, 33).Count);
    }

    [Fact]
    public void Inclusion_verification_fails_when_any_single_proof_element_is_tampered()
    {
        var tampered = 0;
        foreach (var (index, size, proof) in AllProofs())
        {
            for (var element = 0; element < proof.Count; element++)
            {
                foreach (var bit in new[] { 0, 131, 255 })
                {
                    var bad = Replace(proof, element, FlipBit(proof[element], bit));
                    Assert.False(
                        MerkleVerifier.VerifyInclusion(index, size, Leaves[index], bad, Roots[size]),
                        $"leaf {index} of size {size}, element {element}, bit {bit}");
                    tampered++;
                }
            }
        }

        Assert.True(tampered > 1000);
    }

    [Fact]
    public void Inclusion_verification_fails_when_two_proof_elements_are_swapped()
    {
        foreach (var (index, size, proof) in AllProofs().Where(p => p.Proof.Count >= 2))
        {
            for (var element = 0; element + 1 < proof.Count; element++)
            {
                var swapped = proof.ToList();
                (swapped[element], swapped[element + 1]) = (swapped[element + 1], swapped[element]);
                Assert.False(
                    MerkleVerifier.VerifyInclusion(index, size, Leaves[index], swapped, Roots[size]),
                    $"leaf {index} of size {size}, swap at {element}");
            }
        }
    }

    [Fact]
    public void Inclusion_verification_fails_for_any_other_leaf_index()
    {
        foreach (var (index, size, proof) in AllProofs())
        {
            for (var other = 0; other < size; other++)
            {
                if (other != index)
                {
                    Assert.False(
                        MerkleVerifier.VerifyInclusion(other, size, Leaves[index], proof, Roots[size]),
                        $"proof for leaf {index} of size {size} claimed for leaf {other}");
                }
            }
        }
    }

    [Fact]
    public void Inclusion_verification_fails_for_another_leafs_hash_or_a_tampered_root()
    {
        foreach (var (index, size, proof) in AllProofs())
        {
            var otherLeaf = Leaves[(index + 1) % MaxSize];
            Assert.False(MerkleVerifier.VerifyInclusion(index, size, otherLeaf, proof, Roots[size]));
            Assert.False(MerkleVerifier.VerifyInclusion(index, size, FlipBit(Leaves[index], 7), proof, Roots[size]));
            Assert.False(MerkleVerifier.VerifyInclusion(index, size, Leaves[index], proof, FlipBit(Roots[size], 200)));
        }
    }

    [Fact]
    public void Inclusion_verification_fails_for_any_other_tree_size_checked_against_that_sizes_root()
    {
        foreach (var (index, size, proof) in AllProofs())
        {
            for (var otherSize = index + 1; otherSize <= MaxSize; otherSize++)
            {
                if (otherSize != size)
                {
                    Assert.False(
                        MerkleVerifier.VerifyInclusion(index, otherSize, Leaves[index], proof, Roots[otherSize]),
                        $"proof for leaf {index} of size {size} claimed for size {otherSize}");
                }
            }
        }
    }

    [Fact]
    public void Inclusion_verification_binds_the_size_only_through_the_root_so_both_must_come_from_one_tree_head()
    {
        // Leaf 0's path in a tree of 4 has the same shape as in a tree of 3, so a mismatched size
        // passes against the size-4 root. This is inherent to RFC 9162; the signed tree head closes it.
        var source = new MerkleInMemoryHashSource(Leaves);
        var proof = MerkleTree.InclusionProof(source, 0, 4);

        Assert.True(MerkleVerifier.VerifyInclusion(0, 3, Leaves[0], proof, Roots[4]));
        Assert.False(MerkleVerifier.VerifyInclusion(0, 3, Leaves[0], proof, Roots[3]));
    }

    [Fact]
    public void Inclusion_verification_fails_when_the_path_stops_short_of_the_claimed_tree_size()
    {
        // Read as leaf 2 of 5, the path of leaf 2 of 4 still rebuilds the supplied root; only the
        // RFC's final check that the path reached the top of a size-5 tree (sn == 0) rejects it.
        var proof = MerkleTree.InclusionProof(new MerkleInMemoryHashSource(Leaves), 2, 4);

        Assert.True(MerkleVerifier.VerifyInclusion(2, 4, Leaves[2], proof, Roots[4]));
        Assert.False(MerkleVerifier.VerifyInclusion(2, 5, Leaves[2], proof, Roots[4]));
    }

    [Fact]
    public void Inclusion_verification_fails_for_a_truncated_or_extended_proof()
    {
        var empty = MerkleHash.EmptyTreeHash();
        foreach (var (index, size, proof) in AllProofs())
        {
            List<List<byte[]>> variants =
            [
                [.. proof, new byte[MerkleHash.Size]],
                [.. proof, Roots[size]],
                [.. proof, empty, empty],
                [new byte[MerkleHash.Size], .. proof],
            ];
            if (proof.Count > 0)
            {
                variants.Add([.. proof.Take(proof.Count - 1)]);
                variants.Add([.. proof.Skip(1)]);
                variants.Add([.. proof, proof[^1]]);
            }

            foreach (var variant in variants)
            {
                Assert.False(
                    MerkleVerifier.VerifyInclusion(index, size, Leaves[index], variant, Roots[size]),
                    $"leaf {index} of size {size}, {variant.Count} elements instead of {proof.Count}");
            }
        }
    }

    [Fact]
    public void Inclusion_verification_returns_false_instead_of_throwing_on_malformed_hashes()
    {
        var source = new MerkleInMemoryHashSource(Leaves);
        var proof = MerkleTree.InclusionProof(source, 5, 13);
        Assert.True(MerkleVerifier.VerifyInclusion(5, 13, Leaves[5], proof, Roots[13]));

        foreach (var element in new byte[]?[] { null, [], new byte[31], new byte[33], [.. proof[1], 0] })
        {
            Assert.False(MerkleVerifier.VerifyInclusion(5, 13, Leaves[5], Replace(proof, 1, element), Roots[13]));
        }

        Assert.False(MerkleVerifier.VerifyInclusion(5, 13, Leaves[5].AsSpan(0, 31), proof, Roots[13]));
        Assert.False(MerkleVerifier.VerifyInclusion(5, 13, Leaves[5], proof, Roots[13].AsSpan(1)));
        Assert.False(MerkleVerifier.VerifyInclusion(5, 13, Leaves[5], proof, [.. Roots[13], 0]));
        Assert.False(MerkleVerifier.VerifyInclusion(5, 13, Leaves[5], [.. Enumerable.Repeat(Roots[13], 10_000)], Roots[13]));
    }

    [Fact]
    public void Inclusion_verification_of_a_single_leaf_tree_needs_an_empty_proof_and_the_leaf_as_root()
    {
        Assert.True(MerkleVerifier.VerifyInclusion(0, 1, Leaves[0], [], Leaves[0]));
        Assert.False(MerkleVerifier.VerifyInclusion(0, 1, Leaves[0], [], Leaves[1]));
        Assert.False(MerkleVerifier.VerifyInclusion(0, 1, Leaves[0], [Leaves[1]], MerkleHash.NodeHash(Leaves[0], Leaves[1])));
    }

    [Theory]
    [InlineData(-1, 4)]
    [InlineData(0, -1)]
    [InlineData(0, 0)]
    [InlineData(4, 4)]
    [InlineData(5, 4)]
    public void Inclusion_verification_throws_only_for_impossible_index_and_size(long index, long size)
    {
        Assert.ThrowsAny<ArgumentException>(
            () => MerkleVerifier.VerifyInclusion(index, size, Leaves[0], [], Roots[1]));
    }

    [Fact]
    public void Inclusion_verification_throws_for_a_null_proof_list()
    {
        Assert.Throws<ArgumentNullException>(() => MerkleVerifier.VerifyInclusion(0, 1, Leaves[0], null!, Roots[1]));
    }

    [Theory]
    [InlineData(-1, 4)]
    [InlineData(0, 0)]
    [InlineData(4, 4)]
    [InlineData(9, 4)]
    public void Inclusion_proof_generation_rejects_an_index_outside_the_tree(long index, long size)
    {
        var source = new MerkleInMemoryHashSource(Leaves);

        Assert.ThrowsAny<ArgumentException>(() => MerkleTree.InclusionProof(source, index, size));
    }

    [Theory]
    [InlineData(0L, 1_099_511_627_776L)]
    [InlineData(1_099_511_627_775, 1_099_511_640_121)]
    [InlineData(1_099_511_640_120, 1_099_511_640_121)]
    [InlineData(4_000_000_000_000_000_000, long.MaxValue)]
    public void Inclusion_proof_for_a_tree_beyond_int_range_verifies_with_logarithmic_lookups(long index, long size)
    {
        var source = new SparseMerkleHashSource(index);

        var proof = MerkleTree.InclusionProof(source, index, size);
        var lookups = source.Lookups;
        var root = MerkleTree.ComputeRoot(source, size);

        Assert.InRange(proof.Count, 1, 63);
        Assert.InRange(lookups, proof.Count, 64 * 64);
        Assert.True(MerkleVerifier.VerifyInclusion(index, size, source.MarkedLeafHash, proof, root));
        Assert.False(MerkleVerifier.VerifyInclusion(index, size, MerkleHash.LeafHash("other"u8), proof, root));
    }
}
