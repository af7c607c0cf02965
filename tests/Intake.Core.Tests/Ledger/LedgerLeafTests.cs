using Intake.Core.Ledger;

namespace Intake.Core.Tests.Ledger;

public sealed class LedgerLeafTests
{
    private static readonly byte[] Hash = Enumerable.Range(0, 32).Select(i => (byte)i).ToArray();

    private static LedgerLeaf Sample(long sequence = 7) =>
        new(sequence, LedgerEntryKind.Submission, new DateOnly(2026, 11, 21), Guid.Parse("0f8fad5b-d9cb-469f-a165-70867728950e"), Hash, null, "{\"channel\":\"campus\"}"u8.ToArray());

    [Fact]
    public void Leaf_input_round_trips_including_absent_fields()
    {
        var withAll = Sample();
        var tombstone = new LedgerLeaf(9, LedgerEntryKind.PurgeTombstone, new DateOnly(2026, 1, 1), null, null, 3, ReadOnlyMemory<byte>.Empty);

        foreach (var leaf in new[] { withAll, tombstone })
        {
            var parsed = LedgerLeaf.FromLeafInput(leaf.ToLeafInput());
            Assert.Equal(leaf.ToLeafInput(), parsed.ToLeafInput());
            Assert.Equal(leaf.LeafHash(), parsed.LeafHash());
        }
        Assert.Null(LedgerLeaf.FromLeafInput(tombstone.ToLeafInput()).PayloadHash);
        Assert.Null(LedgerLeaf.FromLeafInput(tombstone.ToLeafInput()).CaseId);
    }

    [Fact]
    public void Leaf_hash_is_the_RFC_9162_leaf_hash_of_the_leaf_input()
    {
        var leaf = Sample();
        Assert.Equal(MerkleHash.LeafHash(leaf.ToLeafInput()), leaf.LeafHash());
    }

    [Fact]
    public void Every_field_changes_the_leaf_hash()
    {
        var original = Sample().LeafHash();
        var variants = new[]
        {
            Sample() with { Sequence = 8 },
            Sample() with { Kind = LedgerEntryKind.FollowUp },
            Sample() with { Day = new DateOnly(2026, 11, 22) },
            Sample() with { CaseId = Guid.Empty },
            Sample() with { CaseId = null },
            Sample() with { PayloadHash = new byte[32] },
            Sample() with { PayloadHash = null },
            Sample() with { Metadata = "{\"channel\":\"public\"}"u8.ToArray() },
        };

        Assert.All(variants, v => Assert.NotEqual(original, v.LeafHash()));
        Assert.Equal(variants.Length, variants.Select(v => Convert.ToHexString(v.LeafHash())).Distinct().Count());
    }

    [Theory]
    [InlineData(-1L, LedgerEntryKind.Submission, null)]
    [InlineData(5L, LedgerEntryKind.PurgeTombstone, null)]
    [InlineData(5L, LedgerEntryKind.Submission, 2L)]
    [InlineData(5L, LedgerEntryKind.PurgeTombstone, 5L)]
    [InlineData(5L, (LedgerEntryKind)0, null)]
    public void Impossible_leaves_are_refused(long sequence, LedgerEntryKind kind, long? purged)
    {
        var leaf = new LedgerLeaf(sequence, kind, new DateOnly(2026, 1, 1), null, null, purged, ReadOnlyMemory<byte>.Empty);
        Assert.ThrowsAny<ArgumentException>(() => leaf.ToLeafInput());
    }

    [Fact]
    public void Truncated_or_extended_leaf_input_is_refused()
    {
        var input = Sample().ToLeafInput();
        Assert.Throws<FormatException>(() => LedgerLeaf.FromLeafInput(input.AsSpan(0, input.Length - 1)));
        Assert.Throws<FormatException>(() => LedgerLeaf.FromLeafInput([.. input, 0]));
        Assert.Throws<FormatException>(() => LedgerLeaf.FromLeafInput([2, .. input.AsSpan(1)]));
    }

    [Theory]
    [InlineData(15, 2)]   // case flag neither 0 nor 1
    [InlineData(32, 7)]   // payload flag neither 0 nor 1
    [InlineData(70, 1)]   // a byte inside the absent purged-sequence field
    public void Non_canonical_leaf_input_is_refused(int offset, byte value)
    {
        var tombstoneless = new LedgerLeaf(9, LedgerEntryKind.StatusChange, new DateOnly(2026, 1, 1), Guid.NewGuid(), Hash, null, ReadOnlyMemory<byte>.Empty);
        var input = tombstoneless.ToLeafInput();
        input[offset] = value;

        Assert.Throws<FormatException>(() => LedgerLeaf.FromLeafInput(input));
    }

    [Fact]
    public void Frontier_reports_each_completed_subtree_with_its_hash()
    {
        var leaves = Enumerable.Range(0, 13).Select(i => MerkleHash.LeafHash([(byte)i])).ToList();
        var frontier = new MerkleFrontier();
        var nodes = new Dictionary<(int, long), byte[]>();

        foreach (var leaf in leaves)
        {
            frontier.Append(leaf, (level, index, hash) => nodes.Add((level, index), hash));
        }

        // 13 leaves complete 6 + 3 + 1 perfect subtrees at levels 1, 2 and 3.
        Assert.Equal(10, nodes.Count);
        foreach (var ((level, index), hash) in nodes)
        {
            var count = 1 << level;
            Assert.Equal(MerkleTree.ComputeRoot(leaves.Skip((int)index * count).Take(count).ToList()), hash);
        }
    }
}
