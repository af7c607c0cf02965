using Intake.Core.Ledger;
using static Intake.Core.Tests.Ledger.MerkleTestTrees;

namespace Intake.Core.Tests.Ledger;

/// <summary>Known answers for the RFC 6962 test tree shared by certificate-transparency implementations.</summary>
public sealed class MerkleKnownAnswerTests
{
    // MTH of the first n leaves of the test tree, index n - 1.
    private static readonly string[] ExpectedRoots =
    [
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    ];

    public static TheoryData<int> TreeSizes1To8 => [1, 2, 3, 4, 5, 6, 7, 8];

    // (leaf index, tree size, audit path), 0-based indices.
    public static TheoryData<int, int, string[]> InclusionVectors => new()
    {
        { 0, 1, [] },
        {
            0, 8,
            [
                "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
            ]
        },
        {
            5, 8,
            [
                "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
                "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
            ]
        },
        { 2, 3, ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"] },
        {
            1, 5,
            [
                "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            ]
        },
    };

    // (first size, second size, consistency proof).
    public static TheoryData<int, int, string[]> ConsistencyVectors => new()
    {
        { 1, 1, [] },
        {
            1, 8,
            [
                "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
            ]
        },
        {
            6, 8,
            [
                "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
                "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
            ]
        },
        {
            2, 5,
            [
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            ]
        },
    };

    [Fact]
    public void Empty_tree_hash_is_sha256_of_the_empty_string()
    {
        Assert.Equal(
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            Hex(MerkleHash.EmptyTreeHash()));
        Assert.Equal(Hex(MerkleHash.EmptyTreeHash()), Hex(MerkleTree.ComputeRoot([])));
        Assert.Equal(Hex(MerkleHash.EmptyTreeHash()), Hex(new MerkleFrontier().Root()));
    }

    [Fact]
    public void Leaf_hashes_of_the_rfc6962_test_tree_match_the_published_values()
    {
        string[] expected =
        [
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7",
            "07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658",
            "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
            "46f6ffadd3d06a09ff3c5860d2755c8b9819db7df44251788c7d8e3180de8eb1",
        ];

        Assert.Equal(expected, Hex(Rfc6962LeafHashes()));
    }

    [Theory]
    [MemberData(nameof(TreeSizes1To8))]
    public void Root_of_the_rfc6962_test_tree_matches_the_published_value_by_every_computation(int size)
    {
        var leaves = Rfc6962LeafHashes().Take(size).ToList();
        var frontier = new MerkleFrontier();
        leaves.ForEach(leaf => frontier.Append(leaf));

        Assert.Equal(ExpectedRoots[size - 1], Hex(MerkleTree.ComputeRoot(leaves)));
        Assert.Equal(ExpectedRoots[size - 1], Hex(MerkleTree.ComputeRoot(new MerkleInMemoryHashSource(leaves), size)));
        Assert.Equal(ExpectedRoots[size - 1], Hex(frontier.Root()));
    }

    [Theory]
    [MemberData(nameof(InclusionVectors))]
    public void Inclusion_proof_of_the_rfc6962_test_tree_matches_the_published_path_and_verifies(
        int leafIndex, int treeSize, string[] expectedPath)
    {
        var leaves = Rfc6962LeafHashes();
        var source = new MerkleInMemoryHashSource(leaves);

        var proof = MerkleTree.InclusionProof(source, leafIndex, treeSize);

        Assert.Equal(expectedPath, Hex(proof));
        Assert.True(MerkleVerifier.VerifyInclusion(
            leafIndex, treeSize, leaves[leafIndex], [.. expectedPath.Select(Convert.FromHexString)],
            Convert.FromHexString(ExpectedRoots[treeSize - 1])));
    }

    [Theory]
    [MemberData(nameof(ConsistencyVectors))]
    public void Consistency_proof_of_the_rfc6962_test_tree_matches_the_published_proof_and_verifies(
        int firstSize, int secondSize, string[] expectedProof)
    {
        var source = new MerkleInMemoryHashSource(Rfc6962LeafHashes());

        var proof = MerkleTree.ConsistencyProof(source, firstSize, secondSize);

        Assert.Equal(expectedProof, Hex(proof));
        Assert.True(MerkleVerifier.VerifyConsistency(
            firstSize, secondSize,
            Convert.FromHexString(ExpectedRoots[firstSize - 1]),
            Convert.FromHexString(ExpectedRoots[secondSize - 1]),
            [.. expectedProof.Select(Convert.FromHexString)]));
    }
}
