using Intake.Core.Ledger;
using Npgsql;

namespace Intake.Storage.Ledger;

/// <summary>
/// Crypto-shreds an entry: appends a tombstone naming it, then deletes its ciphertext and every
/// wrapped key through <c>intake.purge_payload</c> as the purger role. The leaf stays, so the
/// tree, old checkpoints and old proofs still verify.
/// </summary>
/// <remarks>
/// Tombstone first: a crash between the two steps leaves a recorded purge whose ciphertext is
/// still there, which the next run finishes. The other order would leave ciphertext missing
/// without a record, which verification must treat as tampering.
/// </remarks>
public sealed class LedgerPurger(LedgerWriter writer, NpgsqlDataSource appDataSource, NpgsqlDataSource purgerDataSource)
{
    /// <summary>Purges the entry; safe to repeat. Returns whether ciphertext was removed by this call.</summary>
    public async Task<bool> PurgeAsync(long sequence, ReadOnlyMemory<byte> metadata = default, CancellationToken cancellationToken = default)
    {
        var leaf = await new LedgerReader(appDataSource).GetLeafAsync(sequence, cancellationToken)
            ?? throw new LedgerAppendException($"Entry {sequence} does not exist.");
        if (leaf.Kind == LedgerEntryKind.PurgeTombstone)
        {
            throw new LedgerAppendException($"Entry {sequence} is a tombstone; tombstones are never purged.");
        }
        if (!await HasTombstoneAsync(sequence, cancellationToken))
        {
            try
            {
                await writer.AppendAsync(new LedgerAppend(LedgerEntryKind.PurgeTombstone, leaf.CaseId, PurgedSequence: sequence, Metadata: metadata), cancellationToken);
            }
            catch (LedgerAppendException)
            {
                // Another worker may have recorded the same purge first; then finish the deletion.
                if (!await HasTombstoneAsync(sequence, cancellationToken))
                {
                    throw;
                }
            }
        }
        await using var purge = purgerDataSource.CreateCommand("SELECT intake.purge_payload(@seq)");
        purge.Parameters.AddWithValue("seq", sequence);
        return (bool)(await purge.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>
    /// Appends a tombstone for each of many entries at once, so the ledger writer commits them
    /// together (the retention job's batches). An entry that already has its tombstone (another
    /// worker, an earlier run) is fine. The ciphertext is deleted afterwards by
    /// <c>intake.purge_case</c>, which also checks that every tombstone is there.
    /// </summary>
    public async Task RecordManyAsync(IReadOnlyList<(long Sequence, Guid CaseId)> entries, ReadOnlyMemory<byte> metadata, CancellationToken cancellationToken = default)
    {
        var appends = entries.Select(e => writer.AppendAsync(
            new LedgerAppend(LedgerEntryKind.PurgeTombstone, e.CaseId, PurgedSequence: e.Sequence, Metadata: metadata), cancellationToken)).ToList();
        for (var i = 0; i < appends.Count; i++)
        {
            try
            {
                await appends[i];
            }
            catch (LedgerAppendException)
            {
                // Recorded by someone else first is fine; anything else is not.
                if (!await HasTombstoneAsync(entries[i].Sequence, cancellationToken))
                {
                    throw;
                }
            }
        }
    }

    private async Task<bool> HasTombstoneAsync(long sequence, CancellationToken cancellationToken)
    {
        await using var command = appDataSource.CreateCommand("SELECT EXISTS (SELECT 1 FROM intake.ledger_entries WHERE purged_seq = @seq)");
        command.Parameters.AddWithValue("seq", sequence);
        return (bool)(await command.ExecuteScalarAsync(cancellationToken))!;
    }
}
