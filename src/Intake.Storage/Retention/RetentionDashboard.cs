using System.Data;
using System.Text.Json;
using Intake.Core.Ledger;
using Npgsql;

namespace Intake.Storage.Retention;

/// <summary>How many cases follow one policy (<see cref="Channel"/> null for the default), by state.</summary>
public sealed record PolicyCaseCounts(string? Channel, int Unread, int Open, int Closed, int Withdrawn)
{
    public int Total => Unread + Open + Closed + Withdrawn;
}

/// <summary>A number of cases on one day.</summary>
public sealed record DayCount(DateOnly Day, int Count);

/// <summary>
/// The retention dashboard's figures for <see cref="Today"/> (docs/retention.md, "Dashboard"):
/// counts, days, channels and states, nothing else.
/// </summary>
/// <param name="ByPolicy">Every policy, the default first, with the cases that follow it (zero rows included).</param>
/// <param name="Overdue">Cases whose purge day is before today: the job should have purged them, so this must be zero.</param>
/// <param name="DueToday">Cases whose purge day is today (the job takes them at its next run).</param>
/// <param name="DueIn7Days">Cases whose purge day is after today and at most 7 days away.</param>
/// <param name="DueIn30Days">Cases whose purge day is after today and at most 30 days away (includes <paramref name="DueIn7Days"/>).</param>
/// <param name="Purged">Cases with a purge tombstone dated within the last 30 days (today included), each counted once.</param>
/// <param name="PurgedByRetention">Of those, purged by the retention job (tombstone reason "retention").</param>
/// <param name="PurgedWithdrawn">Of those, withdrawn by the survivor (tombstone reason "withdrawn").</param>
/// <param name="ActiveHolds">Approved holds that still cover today.</param>
/// <param name="WaitingRequests">Hold requests waiting for an admin.</param>
/// <param name="DuePerDay">Cases due on each of the next 30 days (today + 1 to today + 30); the sum is <paramref name="DueIn30Days"/>.</param>
/// <param name="PurgedPerDay">Cases purged on each of the last 30 days (today - 29 to today); the sum is <paramref name="Purged"/>.</param>
public sealed record RetentionFigures(
    DateOnly Today,
    IReadOnlyList<PolicyCaseCounts> ByPolicy,
    int Overdue, int DueToday, int DueIn7Days, int DueIn30Days,
    int Purged, int PurgedByRetention, int PurgedWithdrawn,
    int ActiveHolds, int WaitingRequests,
    IReadOnlyList<DayCount> DuePerDay, IReadOnlyList<DayCount> PurgedPerDay)
{
    public const int Days = 30;

    public int Unread => ByPolicy.Sum(p => p.Unread);
    public int Open => ByPolicy.Sum(p => p.Open);
    public int Closed => ByPolicy.Sum(p => p.Closed);
    public int Withdrawn => ByPolicy.Sum(p => p.Withdrawn);
    public int Total => ByPolicy.Sum(p => p.Total);

    /// <summary>Purges whose tombstone names another reason, or none (not written by Intake today).</summary>
    public int PurgedOther => Purged - PurgedByRetention - PurgedWithdrawn;
}

/// <summary>
/// Read-only figures for the retention dashboard, for admins and auditors: cases by policy and
/// state, purges due and overdue, purges done (from the ledger's kind-10 tombstones) and legal
/// holds. It reads purge days, statuses, channels, hold states and the tombstones' public
/// metadata; never a payload, a wrapped key, a hold's reason or anything a survivor wrote.
/// </summary>
public sealed class RetentionDashboard(NpgsqlDataSource dataSource, TimeProvider time)
{
    private DateOnly Today => DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);

    public async Task<RetentionFigures> ReadAsync(CancellationToken cancellationToken = default)
    {
        var today = Today;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        // One snapshot for every query: a purge finishing between two of them would otherwise make
        // the totals disagree (a case neither due nor purged, or both).
        await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken);

        var policies = new List<string?>();
        await using (var command = new NpgsqlCommand("SELECT channel FROM intake.retention_policies ORDER BY channel NULLS FIRST", connection, transaction))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                policies.Add(reader.IsDBNull(0) ? null : reader.GetString(0));
            }
        }

        // One pass over the view: a row per policy, state (in PolicyCaseCounts' order: unread, open,
        // closed, withdrawn) and purge day.
        var byPolicy = policies.ToDictionary(p => p ?? "", p => new int[4]);
        var dueByDay = new Dictionary<DateOnly, int>();
        await using (var command = new NpgsqlCommand("""
            SELECT policy_channel,
                   CASE WHEN status = 'withdrawn' THEN 3 WHEN status = 'closed' THEN 2 WHEN NOT ever_read THEN 0 ELSE 1 END AS state,
                   purge_on, count(*)::int
            FROM intake.case_retention
            GROUP BY 1, 2, 3
            """, connection, transaction))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                // The view's policy_channel names a row of retention_policies, read above in the same snapshot.
                var count = reader.GetInt32(3);
                byPolicy[reader.IsDBNull(0) ? "" : reader.GetString(0)][reader.GetInt32(1)] += count;
                var purgeOn = reader.GetFieldValue<DateOnly>(2);
                dueByDay[purgeOn] = dueByDay.GetValueOrDefault(purgeOn) + count;
            }
        }

        int activeHolds, waitingRequests;
        await using (var command = new NpgsqlCommand("""
            SELECT count(*) FILTER (WHERE status = 'active' AND expires_on >= @today)::int,
                   count(*) FILTER (WHERE status = 'requested')::int
            FROM intake.legal_holds
            """, connection, transaction))
        {
            command.Parameters.AddWithValue("today", today);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            await reader.ReadAsync(cancellationToken);
            (activeHolds, waitingRequests) = (reader.GetInt32(0), reader.GetInt32(1));
        }

        // A purged case has one tombstone per entry that carried ciphertext, sometimes on two days (a
        // follow-up that arrived during the purge): each case counts once, on its first tombstone's
        // day, with that tombstone's reason. No index on kind or day: this scans the ledger (see docs).
        var purgedByDay = new Dictionary<DateOnly, int>();
        var purged = 0;
        var byRetention = 0;
        var withdrawn = 0;
        var from = today.AddDays(1 - RetentionFigures.Days);
        await using (var command = new NpgsqlCommand("""
            SELECT entry_day, metadata FROM (
                SELECT DISTINCT ON (case_id) entry_day, metadata
                FROM intake.ledger_entries
                WHERE kind = @kind AND case_id IS NOT NULL
                ORDER BY case_id, seq) first
            WHERE entry_day BETWEEN @from AND @today
            """, connection, transaction))
        {
            command.Parameters.AddWithValue("kind", (short)LedgerEntryKind.PurgeTombstone);
            command.Parameters.AddWithValue("from", from);
            command.Parameters.AddWithValue("today", today);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                var day = reader.GetFieldValue<DateOnly>(0);
                purgedByDay[day] = purgedByDay.GetValueOrDefault(day) + 1;
                purged++;
                switch (ReasonOf(reader.GetFieldValue<byte[]>(1)))
                {
                    case "retention":
                        byRetention++;
                        break;
                    case "withdrawn":
                        withdrawn++;
                        break;
                }
            }
        }
        await transaction.CommitAsync(cancellationToken);

        var duePerDay = Enumerable.Range(1, RetentionFigures.Days).Select(i => today.AddDays(i)).Select(d => new DayCount(d, dueByDay.GetValueOrDefault(d))).ToList();
        var purgedPerDay = Enumerable.Range(0, RetentionFigures.Days).Select(i => from.AddDays(i)).Select(d => new DayCount(d, purgedByDay.GetValueOrDefault(d))).ToList();
        int DueBetween(DateOnly after, DateOnly until) => dueByDay.Where(d => d.Key > after && d.Key <= until).Sum(d => d.Value);
        PolicyCaseCounts Counts(string? policy)
        {
            var states = byPolicy[policy ?? ""];
            return new PolicyCaseCounts(policy, states[0], states[1], states[2], states[3]);
        }
        return new RetentionFigures(
            today,
            [.. policies.Select(Counts)],
            Overdue: dueByDay.Where(d => d.Key < today).Sum(d => d.Value),
            DueToday: dueByDay.GetValueOrDefault(today),
            DueIn7Days: DueBetween(today, today.AddDays(7)),
            DueIn30Days: DueBetween(today, today.AddDays(RetentionFigures.Days)),
            purged, byRetention, withdrawn, activeHolds, waitingRequests, duePerDay, purgedPerDay);
    }

    /// <summary>The tombstone's <c>reason</c> member, or null when its metadata is not a JSON object naming one.</summary>
    private static string? ReasonOf(byte[] metadata)
    {
        try
        {
            using var document = JsonDocument.Parse(metadata);
            return document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("reason", out var reason) && reason.ValueKind == JsonValueKind.String
                ? reason.GetString()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
