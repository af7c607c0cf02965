using Intake.Storage.Ledger;
using Npgsql;

namespace Intake.Storage.Cases;

/// <summary>
/// The purge of one whole case, for a withdrawal or a retention purge: a tombstone for every entry
/// of the case that carried ciphertext, then <c>intake.purge_case</c> as the purger role, which
/// deletes every stream, wrapped key, the vault, the case row and everything that hangs off it.
/// Safe to repeat after a crash: each step skips what is already done.
/// </summary>
internal static class CasePurge
{
    /// <summary>How often new ciphertext entries (a follow-up that arrived during the purge) are tombstoned again before giving up.</summary>
    private const int Attempts = 3;

    /// <summary>Purges the case; returns false when there was no case row left to delete (already purged).</summary>
    public static async Task<bool> RunAsync(NpgsqlDataSource dataSource, LedgerPurger purger, NpgsqlDataSource purgerDataSource, Guid caseId,
        byte[] reason, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            await purger.RecordManyAsync(await UntombstonedAsync(dataSource, [caseId], cancellationToken), reason, cancellationToken);
            try
            {
                await using var purge = purgerDataSource.CreateCommand("SELECT intake.purge_case(@id)");
                purge.Parameters.AddWithValue("id", caseId);
                return await purge.ExecuteScalarAsync(cancellationToken) is true;
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.InsufficientPrivilege && attempt < Attempts)
            {
                // An entry with ciphertext arrived between the tombstones and the purge (a follow-up):
                // a purge once begun is finished, so it is tombstoned too and the purge runs again.
                if ((await UntombstonedAsync(dataSource, [caseId], cancellationToken)).Count == 0)
                {
                    throw;
                }
            }
        }
    }

    /// <summary>The entries of these cases that carry ciphertext and have no tombstone yet, in ledger order.</summary>
    public static async Task<List<(long Sequence, Guid CaseId)>> UntombstonedAsync(NpgsqlDataSource dataSource, Guid[] caseIds,
        CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            SELECT e.seq, e.case_id FROM intake.ledger_entries e
            WHERE e.case_id = ANY(@ids) AND e.payload_hash IS NOT NULL
              AND NOT EXISTS (SELECT 1 FROM intake.ledger_entries t WHERE t.purged_seq = e.seq)
            ORDER BY e.seq
            """);
        command.Parameters.AddWithValue("ids", caseIds);
        var entries = new List<(long, Guid)>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            entries.Add((reader.GetInt64(0), reader.GetGuid(1)));
        }
        return entries;
    }
}
