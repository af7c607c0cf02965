using System.Security.Cryptography;
using System.Text;
using Intake.Core.Crypto;
using Intake.Storage.Ledger;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Intake.Web.Ledger;

/// <summary>
/// Public transparency endpoints: anyone may fetch the signed checkpoint, the key that signs it,
/// and proofs, to check that the log only ever grows. They reveal hashes and sizes, never content.
/// See docs/ledger.md for a worked verification.
/// </summary>
public static class LedgerEndpoints
{
    public static IEndpointRouteBuilder MapIntakeLedger(this IEndpointRouteBuilder endpoints)
    {
        var ledger = endpoints.MapGroup("/ledger");
        ledger.MapGet("/checkpoint", GetCheckpointAsync);
        ledger.MapGet("/key", GetKey);
        ledger.MapGet("/proofs/inclusion/{seq:long}", GetInclusionProofAsync);
        ledger.MapGet("/proofs/consistency", GetConsistencyProofAsync);
        return endpoints;
    }

    internal static async Task<Results<ContentHttpResult, ProblemHttpResult>> GetCheckpointAsync(LedgerReader reader, CancellationToken cancellationToken)
    {
        var checkpoint = await reader.GetLatestCheckpointAsync(cancellationToken);
        return checkpoint is null
            ? TypedResults.Problem("No checkpoint has been signed yet.", statusCode: StatusCodes.Status404NotFound, title: "No checkpoint yet")
            : TypedResults.Text(checkpoint.Note, "text/plain; charset=utf-8", Encoding.UTF8);
    }

    internal static ContentHttpResult GetKey(NoteSigner signer) =>
        TypedResults.Text(
            $"# checkpoint key of {signer.KeyName}, key id {signer.KeyId:x8}\n{PemEncoding.WriteString("PUBLIC KEY", signer.ExportSubjectPublicKeyInfo())}\n",
            "text/plain; charset=utf-8", Encoding.UTF8);

    internal static async Task<Results<Ok<InclusionProofResponse>, ProblemHttpResult>> GetInclusionProofAsync(
        long seq, long? treeSize, LedgerReader reader, CancellationToken cancellationToken)
    {
        // Without a size, prove against the latest signed checkpoint: a root someone can check.
        var size = treeSize ?? (await reader.GetLatestCheckpointAsync(cancellationToken))?.TreeSize;
        if (size is null)
        {
            return TypedResults.Problem("No checkpoint has been signed yet; pass treeSize.", statusCode: StatusCodes.Status404NotFound, title: "No checkpoint yet");
        }
        var head = await reader.GetHeadAsync(cancellationToken);
        if (seq < 0 || size < 1 || size > head.TreeSize)
        {
            return BadRequest($"seq must be at least 0 and treeSize between 1 and the log's size ({head.TreeSize}).");
        }
        if (seq >= size)
        {
            return TypedResults.Problem($"Entry {seq} is not in the tree of size {size}.", statusCode: StatusCodes.Status404NotFound, title: "Not in this tree");
        }
        var proof = await reader.GetInclusionProofAsync(seq, size.Value, cancellationToken);
        var leaf = await reader.GetLeafAsync(seq, cancellationToken);
        return TypedResults.Ok(new InclusionProofResponse(seq, size.Value, Convert.ToBase64String(leaf!.LeafHash()), proof.Select(Convert.ToBase64String).ToList()));
    }

    internal static async Task<Results<Ok<ConsistencyProofResponse>, ProblemHttpResult>> GetConsistencyProofAsync(
        long? from, long? to, LedgerReader reader, CancellationToken cancellationToken)
    {
        var head = await reader.GetHeadAsync(cancellationToken);
        if (from is null || to is null || from < 1 || from > to || to > head.TreeSize)
        {
            return BadRequest($"Pass from and to with 1 <= from <= to <= the log's size ({head.TreeSize}).");
        }
        var proof = await reader.GetConsistencyProofAsync(from.Value, to.Value, cancellationToken);
        return TypedResults.Ok(new ConsistencyProofResponse(from.Value, to.Value, proof.Select(Convert.ToBase64String).ToList()));
    }

    private static ProblemHttpResult BadRequest(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status400BadRequest, title: "Invalid proof request");
}

/// <summary>An RFC 9162 inclusion proof; hashes are base64.</summary>
public sealed record InclusionProofResponse(long LeafIndex, long TreeSize, string LeafHash, IReadOnlyList<string> Proof);

/// <summary>An RFC 9162 consistency proof between two tree sizes; hashes are base64.</summary>
public sealed record ConsistencyProofResponse(long From, long To, IReadOnlyList<string> Proof);
