using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Intake.Storage.Cases;
using Intake.Storage.Ledger;
using Intake.Storage.Routing;
using Npgsql;

namespace Intake.Storage.Retention;

/// <summary>What one run of the retention job did.</summary>
public sealed record RetentionRun(int HoldsExpired, int Purged, int Reminded, int Failed);

/// <summary>Settings of the retention job (configuration section <c>Retention</c>).</summary>
/// <remarks><see cref="BatchPause"/> is a rest between batches, which leaves the ledger and the disks to survivors' submissions.</remarks>
public sealed record RetentionRunSettings(int BatchSize = 100, int ReminderDays = 14, TimeSpan BatchPause = default);

/// <summary>
/// The scheduled side of retention (docs/retention.md §5): expires lapsed legal holds, purges every
/// case whose purge day has come, in batches, and reminds each assigned advocate once before her
/// case's purge day. Idempotent: a second run, or a run after a crash, finds only what is left to
/// do, and each case's purge is itself safe to repeat (tombstones first, then the deletion).
/// </summary>
public sealed class RetentionPurger(
    NpgsqlDataSource dataSource, LedgerPurger purger, NpgsqlDataSource purgerDataSource, LegalHoldStore holds,
    StaffNotifications notifications, TimeProvider time)
{
    public const string ReminderKind = "retention_reminder";

    private static readonly byte[] Reason = JsonSerializer.SerializeToUtf8Bytes(new { reason = "retention" });

    /// <summary>The most due cases one scan of <c>intake.case_retention</c> reads; the run scans again until none are left.</summary>
    internal const int ScanLimit = 20_000;

    /// <summary>
    /// Called after a batch's tombstones are appended and before its cases are deleted, the worst place to stop;
    /// a test uses it to stop a run there as a crash would.
    /// </summary>
    internal Func<IReadOnlyList<Guid>, Task>? AfterBatchTombstoned { get; set; }

    private DateOnly Today => DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);

    public async Task<RetentionRun> RunAsync(RetentionRunSettings settings, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(settings.BatchSize, 1);
        var expired = await holds.ExpireAsync(cancellationToken);
        var (purged, failed) = await PurgeDueAsync(settings, cancellationToken);
        var reminded = await RemindAsync(settings.ReminderDays, cancellationToken);
        return new RetentionRun(expired, purged, reminded, failed);
    }

    /// <summary>The ids of the cases due today or earlier, soonest first, leaving out those that failed in this run.</summary>
    private async Task<List<Guid>> DueAsync(DateOnly today, int limit, IReadOnlyCollection<Guid> skip, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            SELECT id FROM intake.case_retention
            WHERE purge_on <= @today AND NOT (id = ANY(@skip))
            ORDER BY purge_on, id LIMIT @limit
            """);
        command.Parameters.AddWithValue("today", today);
        command.Parameters.AddWithValue("skip", skip.ToArray());
        command.Parameters.AddWithValue("limit", limit);
        return await ReadIdsAsync(command, cancellationToken);
    }

    // One scan of the view finds what is due (it computes every case's purge day, so it runs once per
    // ScanLimit cases, not once per batch); each batch is then asked again by id, which is cheap.
    private async Task<(int Purged, int Failed)> PurgeDueAsync(RetentionRunSettings settings, CancellationToken cancellationToken)
    {
        var today = Today;
        var failed = new HashSet<Guid>();
        var purged = 0;
        while (true)
        {
            var due = await DueAsync(today, ScanLimit, failed, cancellationToken);
            if (due.Count == 0)
            {
                return (purged, failed.Count);
            }
            foreach (var batch in due.Chunk(settings.BatchSize))
            {
                purged += await PurgeBatchAsync(batch, today, failed, cancellationToken);
                if (settings.BatchPause > TimeSpan.Zero)
                {
                    await Task.Delay(settings.BatchPause, cancellationToken);
                }
            }
        }
    }

    /// <summary>
    /// Purges a batch of cases together: one query for which are still due, one for their
    /// ciphertext entries, their tombstones committed together by the ledger writer, then one
    /// statement of <c>intake.purge_case</c> for all of them as the purger role. If any step is
    /// refused (her follow-up arriving meanwhile, a database error), each case of the batch is
    /// purged on its own, as a withdrawal is, and a case that still fails is left due.
    /// Returns how many case rows this call deleted.
    /// </summary>
    private async Task<int> PurgeBatchAsync(Guid[] batch, DateOnly today, HashSet<Guid> failed, CancellationToken cancellationToken)
    {
        try
        {
            var ids = await ClaimAsync(batch, today, cancellationToken);
            if (ids.Length == 0)
            {
                return 0;
            }
            foreach (var held in await WithOpenHoldsAsync(ids, cancellationToken))
            {
                await holds.EndForPurgeAsync(held, cancellationToken);
            }
            await purger.RecordManyAsync(await CasePurge.UntombstonedAsync(dataSource, ids, cancellationToken), Reason, cancellationToken);
            if (AfterBatchTombstoned is { } hook)
            {
                await hook(ids);
            }
            var deleted = 0;
            await using var purge = purgerDataSource.CreateCommand("SELECT intake.purge_case(t.id) FROM unnest(@ids) AS t(id)");
            purge.Parameters.AddWithValue("ids", ids);
            await using var reader = await purge.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                deleted += reader.GetBoolean(0) ? 1 : 0;
            }
            return deleted;
        }
        catch (Exception e) when (e is NpgsqlException or LedgerAppendException && !cancellationToken.IsCancellationRequested)
        {
            var deleted = 0;
            foreach (var caseId in batch)
            {
                switch (await PurgeOneAsync(caseId, today, cancellationToken))
                {
                    case true:
                        deleted++;
                        break;
                    case null:
                        failed.Add(caseId);
                        break;
                }
            }
            return deleted;
        }
    }

    /// <summary>
    /// Which of these cases are still due, asked under a lock on their rows, and for those a
    /// marker that their purge has begun, in the same transaction. A hold, a hold request or a
    /// postponement locks the case row too and is refused once the marker is there, so each
    /// either comes first (and the case is no longer due) or not at all; and a case with a marker
    /// is due at once until it is gone, so a purge cut short is always finished.
    /// </summary>
    private async Task<Guid[]> ClaimAsync(Guid[] batch, DateOnly today, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var lockRows = new NpgsqlCommand("SELECT id FROM intake.cases WHERE id = ANY(@ids) ORDER BY id FOR UPDATE", connection, transaction))
        {
            lockRows.Parameters.AddWithValue("ids", batch);
            await lockRows.ExecuteNonQueryAsync(cancellationToken);
        }
        Guid[] due;
        await using (var check = new NpgsqlCommand("SELECT id FROM intake.case_retention WHERE id = ANY(@ids) AND purge_on <= @today", connection, transaction))
        {
            check.Parameters.AddWithValue("ids", batch);
            check.Parameters.AddWithValue("today", today);
            due = [.. await ReadIdsAsync(check, cancellationToken)];
        }
        await using (var mark = new NpgsqlCommand(
            "INSERT INTO intake.case_purges (case_id, started_on) SELECT id, @today FROM unnest(@ids) AS t(id) ON CONFLICT DO NOTHING", connection, transaction))
        {
            mark.Parameters.AddWithValue("ids", due);
            mark.Parameters.AddWithValue("today", today);
            await mark.ExecuteNonQueryAsync(cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
        return due;
    }

    private async Task<List<Guid>> WithOpenHoldsAsync(Guid[] ids, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            "SELECT DISTINCT case_id FROM intake.legal_holds WHERE case_id = ANY(@ids) AND status IN ('requested', 'active')");
        command.Parameters.AddWithValue("ids", ids);
        return await ReadIdsAsync(command, cancellationToken);
    }

    private static async Task<List<Guid>> ReadIdsAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        var ids = new List<Guid>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            ids.Add(reader.GetGuid(0));
        }
        return ids;
    }

    /// <summary>One case on its own (a batch was refused). True when purged, false when it was no longer due (or gone), null when the purge failed.</summary>
    private async Task<bool?> PurgeOneAsync(Guid caseId, DateOnly today, CancellationToken cancellationToken)
    {
        try
        {
            if ((await ClaimAsync([caseId], today, cancellationToken)).Length == 0)
            {
                return false;
            }
            await holds.EndForPurgeAsync(caseId, cancellationToken);
            // False when another worker deleted the case row first: it counts the purge, not both.
            return await CasePurge.RunAsync(dataSource, purger, purgerDataSource, caseId, Reason, cancellationToken);
        }
        catch (Exception e) when (e is NpgsqlException or LedgerAppendException && !cancellationToken.IsCancellationRequested)
        {
            return null;
        }
    }

    /// <summary>Tells each assigned advocate, once per purge day, that her case will be purged within <paramref name="days"/> days.</summary>
    private async Task<int> RemindAsync(int days, CancellationToken cancellationToken)
    {
        if (days <= 0)
        {
            return 0;
        }
        var today = Today;
        var due = new List<(Guid CaseId, DateOnly PurgeOn, Guid Advocate)>();
        await using (var command = dataSource.CreateCommand("""
            SELECT r.id, r.purge_on, a.advocate_id
            FROM intake.case_retention r
            JOIN intake.case_assignments a ON a.case_id = r.id AND a.ended_at IS NULL
            WHERE r.purge_on > @today AND r.purge_on <= @until
              AND NOT EXISTS (SELECT 1 FROM intake.retention_reminders m
                              WHERE m.case_id = r.id AND m.purge_on = r.purge_on AND m.advocate_id = a.advocate_id)
            ORDER BY r.purge_on, r.id
            """))
        {
            command.Parameters.AddWithValue("today", today);
            command.Parameters.AddWithValue("until", today.AddDays(days));
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                due.Add((reader.GetGuid(0), reader.GetFieldValue<DateOnly>(1), reader.GetGuid(2)));
            }
        }
        var reminded = 0;
        foreach (var (caseId, purgeOn, advocate) in due)
        {
            // The notice first, then the record that it was sent: both are idempotent, so a crash between them repeats nothing.
            await notifications.NotifyAdvocateAsync(advocate, ReminderKind, caseId, ReminderSource(caseId, purgeOn), cancellationToken);
            await using var record = dataSource.CreateCommand("""
                INSERT INTO intake.retention_reminders (case_id, purge_on, advocate_id, sent_on)
                SELECT @case, @purge, @advocate, @today WHERE EXISTS (SELECT 1 FROM intake.cases WHERE id = @case)
                ON CONFLICT DO NOTHING
                """);
            record.Parameters.AddWithValue("case", caseId);
            record.Parameters.AddWithValue("purge", purgeOn);
            record.Parameters.AddWithValue("advocate", advocate);
            record.Parameters.AddWithValue("today", today);
            try
            {
                reminded += await record.ExecuteNonQueryAsync(cancellationToken);
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.ForeignKeyViolation)
            {
                // Withdrawn between the list and this line: nothing left to remind anyone of.
            }
        }
        return reminded;
    }

    /// <summary>One notice per case and purge day: its source id is derived from both.</summary>
    internal static Guid ReminderSource(Guid caseId, DateOnly purgeOn)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"retention-reminder:{caseId:N}:{purgeOn:yyyy-MM-dd}"));
        return new Guid(hash.AsSpan(0, 16));
    }
}
