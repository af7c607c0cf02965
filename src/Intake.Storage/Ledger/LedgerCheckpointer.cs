using Intake.Core.Crypto;
using Intake.Core.Ledger;
using Npgsql;

namespace Intake.Storage.Ledger;

/// <summary>
/// Signs the current head of the log as a checkpoint (signed note) and stores it. Idempotent:
/// one checkpoint per tree size, so several workers on a schedule do no harm.
/// </summary>
public sealed class LedgerCheckpointer(NpgsqlDataSource dataSource, NoteSigner signer, string origin, TimeProvider time)
{
    public string Origin => origin;

    public async Task<StoredCheckpoint> CheckpointAsync(CancellationToken cancellationToken = default)
    {
        var reader = new LedgerReader(dataSource);
        var head = await reader.GetHeadAsync(cancellationToken);
        // A signature lasts forever: never sign a head that the stored tree does not back.
        var stored = head.TreeSize == 0 ? MerkleHash.EmptyTreeHash() : (await reader.ComputeRootAsync(head.TreeSize, cancellationToken))[0];
        if (!MerkleHash.FixedTimeEquals(stored, head.RootHash))
        {
            throw new InvalidOperationException($"The ledger head (size {head.TreeSize}) does not match the stored tree; not signing. Run `intake ledger verify`.");
        }
        var today = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
        var note = signer.Sign(new CheckpointBody(origin, head.TreeSize, head.RootHash, today).ToNoteBody());
        await using (var insert = dataSource.CreateCommand("""
            INSERT INTO intake.ledger_checkpoints (tree_size, root_hash, issued_on, note)
            VALUES (@size, @root, @day, @note) ON CONFLICT (tree_size) DO NOTHING
            """))
        {
            insert.Parameters.AddWithValue("size", head.TreeSize);
            insert.Parameters.AddWithValue("root", head.RootHash);
            insert.Parameters.AddWithValue("day", today);
            insert.Parameters.AddWithValue("note", note);
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }
        // The checkpoint at exactly this size (ours, or one another worker signed first): the
        // insert above guarantees it exists, so the earliest one covering size - 1 is it.
        return (await reader.GetCheckpointCoveringAsync(head.TreeSize - 1, cancellationToken))!;
    }

    /// <summary>A checkpoint that covers the entry: the earliest stored one, or a new one.</summary>
    public async Task<StoredCheckpoint> CheckpointCoveringAsync(long sequence, CancellationToken cancellationToken = default) =>
        await new LedgerReader(dataSource).GetCheckpointCoveringAsync(sequence, cancellationToken)
        ?? await CheckpointAsync(cancellationToken);
}
