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
public sealed record RetentionRunSettings(int BatchSize = 100, int Parallelism = 4, int ReminderDays = 14);

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

    /// <summary>Called after each case is purged; a test uses it to stop a run half-way as a crash would.</summary>
    internal Func<Guid, Task>? AfterCasePurged { get; set; }

    private DateOnly Today => DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);

    public async Task<RetentionRun> RunAsync(RetentionRunSettings settings, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(settings.BatchSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(settings.Parallelism, 1);
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
        var ids = new List<Guid>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            ids.Add(reader.GetGuid(0));
        }
        return ids;
    }

    private async Task<(int Purged, int Failed)> PurgeDueAsync(RetentionRunSettings settings, CancellationToken cancellationToken)
    {
        var today = Today;
        var failed = new HashSet<Guid>();
        var purged = 0;
        while (true)
        {
            var batch = await DueAsync(today, settings.BatchSize, failed, cancellationToken);
            if (batch.Count == 0)
            {
                return (purged, failed.Count);
            }
            var outcomes = new bool?[batch.Count];
            await Parallel.ForEachAsync(Enumerable.Range(0, batch.Count),
                new ParallelOptions { MaxDegreeOfParallelism = settings.Parallelism, CancellationToken = cancellationToken },
                async (i, ct) => outcomes[i] = await PurgeOneAsync(batch[i], today, ct));
            for (var i = 0; i < batch.Count; i++)
            {
                switch (outcomes[i])
                {
                    case true:
                        purged++;
                        break;
                    case null:
                        failed.Add(batch[i]);
                        break;
                }
            }
        }
    }

    /// <summary>True when purged, false when it was no longer due (or gone), null when the purge failed.</summary>
    private async Task<bool?> PurgeOneAsync(Guid caseId, DateOnly today, CancellationToken cancellationToken)
    {
        try
        {
            // Asked again for this one case: a follow-up, a hold or a postponement since the batch was read moves the day.
            await using (var check = dataSource.CreateCommand("SELECT purge_on <= @today FROM intake.case_retention WHERE id = @id"))
            {
                check.Parameters.AddWithValue("id", caseId);
                check.Parameters.AddWithValue("today", today);
                if (await check.ExecuteScalarAsync(cancellationToken) is not true)
                {
                    return false;
                }
            }
            await holds.EndForPurgeAsync(caseId, cancellationToken);
            // False when another worker deleted the case row first: it counts the purge, not both.
            var deleted = await CasePurge.RunAsync(dataSource, purger, purgerDataSource, caseId, Reason, cancellationToken);
            if (AfterCasePurged is { } after)
            {
                await after(caseId);
            }
            return deleted;
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
              AND NOT EXISTS (SELECT 1 FROM intake.retention_reminders m WHERE m.case_id = r.id AND m.purge_on = r.purge_on)
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
                INSERT INTO intake.retention_reminders (case_id, purge_on, sent_on) VALUES (@case, @purge, @today) ON CONFLICT DO NOTHING
                """);
            record.Parameters.AddWithValue("case", caseId);
            record.Parameters.AddWithValue("purge", purgeOn);
            record.Parameters.AddWithValue("today", today);
            reminded += await record.ExecuteNonQueryAsync(cancellationToken);
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
