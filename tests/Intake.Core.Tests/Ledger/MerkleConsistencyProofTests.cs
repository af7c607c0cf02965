using Intake.Core.Ledger;
using static Intake.Core.Tests.Ledger.MerkleTestTrees;

namespace Intake.Core.Tests.Ledger;

public sealed class MerkleConsistencyProofTests
{
    private const int MaxSize = 64;

    private static readonly List<byte[]> Leaves = RandomLeafHashes(MaxSize, seed: 9162);
    private static readonly byte[][] Roots = PrefixRoots(Leaves);

    private static IEnumerable<(int First, int Second, IReadOnlyList<byte[]> Proof)> AllProofs()
    {
        var source = new MerkleInMemoryHashSource(Leaves);
        for (var second = 1; second <= MaxSize; second++)
        {
            for (var first = 1; first <= second; first++)
            {
                yield return (first, second, MerkleTree.ConsistencyProof(source, first, second));
            }
        }
    }

    [Fact]
    public void Consistency_proof_verifies_for_every_pair_of_sizes_1_le_m_le_n_le_64()
    {
        var verified = 0;
        foreach (var (first, second, proof) in AllProofs())
        {
            Assert.True(
                MerkleVerifier.VerifyConsistency(first, second, Roots[first], Roots[second], proof),
                $"{first} -> {second}");
            verified++;
        }

        Assert.Equal(MaxSize * (MaxSize + 1) / 2, verified);
    }

    [Fact]
    public void Consistency_proof_equals_a_direct_transcription_of_PROOF_for_every_pair_of_sizes_up_to_64()
    {
        foreach (var (first, second, proof) in AllProofs())
        {
            Assert.Equal(Hex(ReferenceProof(first, Leaves[..second])), Hex(proof));
        }
    }

    [Fact]
    public void Consistency_proof_is_empty_exactly_when_the_sizes_are_equal()
    {
        foreach (var (first, second, proof) in AllProofs())
        {
            Assert.Equal(first == second, proof.Count == 0);
        }
    }

    [Fact]
    public void Consistency_verification_fails_when_any_single_proof_element_is_tampered()
    {
        var tampered = 0;
        foreach (var (first, second, proof) in AllProofs())
        {
            for (var element = 0; element < proof.Count; element++)
            {
                foreach (var bit in new[] { 0, 131, 255 })
                {
                    var bad = Replace(proof, element, FlipBit(proof[element], bit));
                    Assert.False(
                        MerkleVerifier.VerifyConsistency(first, second, Roots[first], Roots[second], bad),
                        $"{first} -> {second}, element {element}, bit {bit}");
                    tampered++;
                }
            }
        }

        Assert.True(tampered > 1000);
    }

    [Fact]
    public void Consistency_verification_fails_when_two_proof_elements_are_swapped()
    {
        foreach (var (first, second, proof) in AllProofs().Where(p => p.Proof.Count >= 2))
        {
            for (var element = 0; element + 1 < proof.Count; element++)
            {
                var swapped = proof.ToList();
                (swapped[element], swapped[element + 1]) = (swapped[element + 1], swapped[element]);
                Assert.False(
                    MerkleVerifier.VerifyConsistency(first, second, Roots[first], Roots[second], swapped),
                    $"{first} -> {second}, swap at {element}");
            }
        }
    }

    [Fact]
    public void Consistency_verification_fails_when_either_root_is_tampered_or_the_roots_are_exchanged()
    {
        foreach (var (first, second, proof) in AllProofs())
        {
            Assert.False(MerkleVerifier.VerifyConsistency(first, second, FlipBit(Roots[first], 3), Roots[second], proof));
            Assert.False(MerkleVerifier.VerifyConsistency(first, second, Roots[first], FlipBit(Roots[second], 250), proof));
            if (first != second)
            {
                Assert.False(MerkleVerifier.VerifyConsistency(first, second, Roots[second], Roots[first], proof));
            }
        }
    }

    [Fact]
    public void Consistency_verification_fails_for_any_other_first_size_checked_against_that_sizes_root()
    {
        foreach (var (first, second, proof) in AllProofs())
        {
            for (var other = 1; other <= second; other++)
            {
                if (other != first)
                {
                    Assert.False(
                        MerkleVerifier.VerifyConsistency(other, second, Roots[other], Roots[second], proof),
                        $"proof for {first} -> {second} claimed for {other} -> {second}");
                }
            }
        }
    }

    [Fact]
    public void Consistency_verification_fails_for_any_other_second_size_checked_against_that_sizes_root()
    {
        foreach (var (first, second, proof) in AllProofs())
        {
            for (var other = first; other <= MaxSize; other++)
            {
                if (other != second)
                {
                    Assert.False(
                        MerkleVerifier.VerifyConsistency(first, other, Roots[first], Roots[other], proof),
                        $"proof for {first} -> {second} claimed for {first} -> {other}");
                }
            }
        }
    }

    [Fact]
    public void Consistency_verification_fails_for_a_truncated_or_extended_proof()
    {
        foreach (var (first, second, proof) in AllProofs())
        {
            List<List<byte[]>> variants =
            [
                [.. proof, new byte[MerkleHash.Size]],
                [.. proof, Roots[second]],
                [Roots[first], .. proof],
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
                    MerkleVerifier.VerifyConsistency(first, second, Roots[first], Roots[second], variant),
                    $"{first} -> {second}, {variant.Count} elements instead of {proof.Count}");
            }
        }
    }

    [Fact]
    public void Consistency_verification_fails_when_the_proof_stops_short_of_the_claimed_second_size()
    {
        // Read as 2 -> 5, the proof for 2 -> 4 still rebuilds both supplied roots; only the RFC's
        // final check that the path reached the top of a size-5 tree (sn == 0) rejects it.
        var proof = MerkleTree.ConsistencyProof(new MerkleInMemoryHashSource(Leaves), 2, 4);

        Assert.True(MerkleVerifier.VerifyConsistency(2, 4, Roots[2], Roots[4], proof));
        Assert.False(MerkleVerifier.VerifyConsistency(2, 5, Roots[2], Roots[4], proof));
    }

    [Fact]
    public void Consistency_verification_of_different_sizes_rejects_an_empty_proof_even_with_matching_roots()
    {
        Assert.False(MerkleVerifier.VerifyConsistency(3, 7, Roots[3], Roots[7], []));
        Assert.False(MerkleVerifier.VerifyConsistency(4, 8, Roots[4], Roots[8], []));
        Assert.False(MerkleVerifier.VerifyConsistency(4, 8, Roots[8], Roots[8], []));
    }

    [Fact]
    public void Consistency_verification_of_equal_sizes_needs_an_empty_proof_and_equal_roots()
    {
        Assert.True(MerkleVerifier.VerifyConsistency(5, 5, Roots[5], Roots[5], []));
        Assert.False(MerkleVerifier.VerifyConsistency(5, 5, Roots[5], Roots[6], []));
        Assert.False(MerkleVerifier.VerifyConsistency(5, 5, Roots[5], Roots[5], [Roots[5]]));
    }

    [Fact]
    public void Consistency_from_the_empty_tree_needs_an_empty_proof_and_the_empty_tree_hash()
    {
        var empty = MerkleHash.EmptyTreeHash();
        var source = new MerkleInMemoryHashSource(Leaves);

        Assert.Empty(MerkleTree.ConsistencyProof(source, 0, 10));
        Assert.Empty(MerkleTree.ConsistencyProof(source, 0, 0));
        Assert.True(MerkleVerifier.VerifyConsistency(0, 10, empty, Roots[10], []));
        Assert.True(MerkleVerifier.VerifyConsistency(0, 0, empty, empty, []));
        Assert.False(MerkleVerifier.VerifyConsistency(0, 10, Roots[1], Roots[10], []));
        Assert.False(MerkleVerifier.VerifyConsistency(0, 10, empty, Roots[10], [Roots[10]]));
        Assert.False(MerkleVerifier.VerifyConsistency(0, 0, empty, Roots[1], []));
        Assert.False(MerkleVerifier.VerifyConsistency(0, 0, Roots[1], Roots[1], []));
    }

    [Fact]
    public void Consistency_verification_returns_false_instead_of_throwing_on_malformed_hashes()
    {
        var source = new MerkleInMemoryHashSource(Leaves);
        var proof = MerkleTree.ConsistencyProof(source, 6, 13);
        Assert.True(MerkleVerifier.VerifyConsistency(6, 13, Roots[6], Roots[13], proof));

        for (var element = 0; element < proof.Count; element++)
        {
            foreach (var bad in new byte[]?[] { null, [], new byte[31], [.. proof[element], 0] })
            {
                Assert.False(MerkleVerifier.VerifyConsistency(6, 13, Roots[6], Roots[13], Replace(proof, element, bad)));
            }
        }

        Assert.False(MerkleVerifier.VerifyConsistency(6, 13, Roots[6].AsSpan(1), Roots[13], proof));
        Assert.False(MerkleVerifier.VerifyConsistency(6, 13, Roots[6], [.. Roots[13], 0], proof));
        Assert.False(MerkleVerifier.VerifyConsistency(6, 6, Roots[6].AsSpan(1), Roots[6].AsSpan(1), []));
        Assert.False(MerkleVerifier.VerifyConsistency(6, 13, Roots[6], Roots[13], [.. Enumerable.Repeat(Roots[6], 10_000)]));
    }

    [Theory]
    [InlineData(-1, 4)]
    [InlineData(5, 4)]
    [InlineData(1, 0)]
    public void Consistency_verification_throws_only_for_impossible_sizes(long first, long second)
    {
        Assert.ThrowsAny<ArgumentException>(
            () => MerkleVerifier.VerifyConsistency(first, second, Roots[1], Roots[1], []));
    }

    [Theory]
    [InlineData(-1, 4)]
    [InlineData(5, 4)]
    public void Consistency_proof_generation_rejects_impossible_sizes(long first, long second)
    {
        var source = new MerkleInMemoryHashSource(Leaves);

        Assert.ThrowsAny<ArgumentException>(() => MerkleTree.ConsistencyProof(source, first, second));
    }

    [Theory]
    [InlineData(1L, 1_099_511_627_776L)]
    [InlineData(549_755_813_888L, 1_099_511_640_121)]
    [InlineData(1_099_511_640_120, 1_099_511_640_121)]
    [InlineData(3_000_000_000_000_000_001, long.MaxValue)]
    public void Consistency_proof_for_trees_beyond_int_range_verifies_with_logarithmic_lookups(long first, long second)
    {
        // The marked leaf sits just before the first size so that both roots depend on it.
        var source = new SparseMerkleHashSource(first - 1);

        var proof = MerkleTree.ConsistencyProof(source, first, second);
        var lookups = source.Lookups;
        var firstRoot = MerkleTree.ComputeRoot(source, first);
        var secondRoot = MerkleTree.ComputeRoot(source, second);

        Assert.InRange(proof.Count, 1, 126);
        Assert.InRange(lookups, proof.Count, 64 * 64);
        Assert.True(MerkleVerifier.VerifyConsistency(first, second, firstRoot, secondRoot, proof));
        Assert.False(MerkleVerifier.VerifyConsistency(first, second, firstRoot, FlipBit(secondRoot, 0), proof));
    }
}
