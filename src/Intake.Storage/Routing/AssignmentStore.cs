using System.Text.Json;
using Intake.Core.Ledger;
using Intake.Core.Routing;
using Intake.Storage.Ledger;
using Npgsql;
using NpgsqlTypes;

namespace Intake.Storage.Routing;

/// <summary>A case as routing sees it: channel, hints, its active assignment and whom it was taken from.</summary>
public sealed record RoutingCaseState(RoutingCase Case, string Status, ActiveAssignment? Active, bool Waiting);

/// <summary>The case's current assignee.</summary>
public sealed record ActiveAssignment(Guid Id, Guid CaseId, Guid AdvocateId, long AssignedSequence, DateTimeOffset AssignedAt, DateTimeOffset? OpenedAt);

/// <summary>An assignment that was not opened in time.</summary>
public sealed record OverdueAssignment(Guid Id, Guid CaseId, Guid AdvocateId);

/// <summary>
/// Assignments and the waiting queue. Every assignment, reassignment and ending is one ledger
/// entry (<see cref="LedgerEntryKind.Assignment"/>) whose companion writes the rows, so the rows
/// exist only if the entry does. The companion runs under the ledger's head lock, which orders
/// all routing writes across processes; its guards (no active assignee, room left, assignment
/// still unopened) make a stale or duplicate decision fail instead of double-assigning, and the
/// unique index on active assignments stands behind them.
/// </summary>
public sealed class AssignmentStore(NpgsqlDataSource dataSource, LedgerWriter writer, TimeProvider time)
{
    private static readonly string[] Gone = ["withdrawn", "closed"];

    public async Task<RoutingCaseState?> LoadCaseAsync(Guid caseId, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand("""
            SELECT c.channel, c.status, r.language, r.region_id, coalesce(r.excluded_organisations, '{}'),
                   ARRAY(SELECT p.advocate_id FROM intake.case_assignments p WHERE p.case_id = c.id AND p.end_reason = 'not_opened'),
                   a.id, a.advocate_id, a.assigned_seq, a.assigned_at, a.opened_at,
                   EXISTS (SELECT 1 FROM intake.routing_waiting w WHERE w.case_id = c.id)
            FROM intake.cases c
            LEFT JOIN intake.case_routing r ON r.case_id = c.id
            LEFT JOIN intake.case_assignments a ON a.case_id = c.id AND a.ended_at IS NULL
            WHERE c.id = @id
            """);
        command.Parameters.AddWithValue("id", caseId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }
        var routingCase = new RoutingCase(caseId, reader.GetString(0),
            reader.IsDBNull(2) ? null : reader.GetString(2),
            reader.IsDBNull(3) ? null : reader.GetString(3),
            reader.GetFieldValue<string[]>(4),
            reader.GetFieldValue<Guid[]>(5));
        var active = reader.IsDBNull(6) ? null : new ActiveAssignment(reader.GetGuid(6), caseId, reader.GetGuid(7), reader.GetInt64(8),
            reader.GetFieldValue<DateTimeOffset>(9), reader.IsDBNull(10) ? null : reader.GetFieldValue<DateTimeOffset>(10));
        return new RoutingCaseState(routingCase, reader.GetString(1), active, reader.GetBoolean(11));
    }

    /// <summary>Every advocate with a routing profile, with her open cases and latest assignment.</summary>
    public async Task<IReadOnlyList<AdvocateCandidate>> LoadCandidatesAsync(CancellationToken cancellationToken = default)
    {
        var list = new List<AdvocateCandidate>();
        await using var command = dataSource.CreateCommand("""
            SELECT p.advocate_id, p.active, p.channels, p.languages, p.regions, p.affiliations, p.capacity,
                   (SELECT count(*) FROM intake.case_assignments a JOIN intake.cases c ON c.id = a.case_id
                    WHERE a.advocate_id = p.advocate_id AND a.ended_at IS NULL AND c.status <> ALL(@gone)),
                   (SELECT max(a.assigned_seq) FROM intake.case_assignments a WHERE a.advocate_id = p.advocate_id)
            FROM intake.advocate_profiles p
            """);
        command.Parameters.AddWithValue("gone", Gone);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            list.Add(new AdvocateCandidate(reader.GetGuid(0), reader.GetBoolean(1), reader.GetFieldValue<string[]>(2),
                reader.GetFieldValue<string[]>(3), reader.GetFieldValue<string[]>(4), reader.GetFieldValue<string[]>(5),
                reader.GetInt32(6), (int)reader.GetInt64(7), reader.IsDBNull(8) ? null : reader.GetInt64(8)));
        }
        return list;
    }

    /// <summary>
    /// Gives the case to the chosen advocate: one ledger entry, the assignment row and the decision.
    /// When <paramref name="ending"/> is set, that assignment is ended in the same entry (a reassignment).
    /// </summary>
    /// <exception cref="CaseAlreadyAssignedException">Somebody else assigned the case first.</exception>
    /// <exception cref="RoutingStaleException">The advocate has no room or is no longer eligible, or the ending assignment changed.</exception>
    /// <exception cref="RoutingCaseGoneException">The case was withdrawn or closed.</exception>
    public async Task<(Guid AssignmentId, AppendedEntry Entry)> AssignAsync(
        RoutingCase routingCase, RoutingDecision decision, (OverdueAssignment Assignment, string Reason)? ending = null,
        CancellationToken cancellationToken = default)
    {
        var advocate = decision.AdvocateId ?? throw new ArgumentException("The decision chose nobody.", nameof(decision));
        var assignmentId = Guid.NewGuid();
        var hour = RoutingTime.CurrentHour(time);
        var steps = StepsJson(decision);
        var metadata = ending is { } e
            ? JsonSerializer.SerializeToUtf8Bytes(new { action = "case.reassigned", @case = routingCase.CaseId, from = e.Assignment.AdvocateId, reason = e.Reason, advocate, rule = decision.ChosenBy })
            : JsonSerializer.SerializeToUtf8Bytes(new { action = "case.assigned", @case = routingCase.CaseId, advocate, rule = decision.ChosenBy });
        var entry = await writer.AppendAsync(new LedgerAppend(LedgerEntryKind.Assignment, routingCase.CaseId, Metadata: metadata,
            Companion: async (connection, sequence, ct) =>
            {
                if (ending is { } end)
                {
                    await EndInCompanionAsync(connection, end.Assignment, end.Reason, hour, ct);
                }
                await using var insert = new NpgsqlCommand("""
                    WITH target AS (
                        SELECT id FROM intake.cases WHERE id = @case AND status <> ALL(@gone) FOR KEY SHARE),
                    busy AS (
                        SELECT 1 FROM intake.case_assignments WHERE case_id = @case AND ended_at IS NULL),
                    room AS (
                        SELECT 1 FROM intake.advocate_profiles p
                        WHERE p.advocate_id = @advocate AND p.active AND @channel = ANY(p.channels)
                          AND (SELECT count(*) FROM intake.case_assignments a JOIN intake.cases c ON c.id = a.case_id
                               WHERE a.advocate_id = @advocate AND a.ended_at IS NULL AND c.status <> ALL(@gone)) < p.capacity),
                    ins AS (
                        INSERT INTO intake.case_assignments (id, case_id, advocate_id, assigned_seq, assigned_at)
                        SELECT @id, @case, @advocate, @seq, @hour
                        WHERE EXISTS (SELECT 1 FROM target) AND NOT EXISTS (SELECT 1 FROM busy) AND EXISTS (SELECT 1 FROM room)
                        RETURNING id),
                    decided AS (
                        INSERT INTO intake.routing_decisions (case_id, decided_seq, decided_at, advocate_id, chosen_by, steps)
                        SELECT @case, @seq, @hour, @advocate, @rule, @steps FROM ins
                        RETURNING 1),
                    unwait AS (
                        DELETE FROM intake.routing_waiting WHERE case_id = @case AND EXISTS (SELECT 1 FROM ins)
                        RETURNING 1)
                    SELECT EXISTS (SELECT 1 FROM target), EXISTS (SELECT 1 FROM busy), EXISTS (SELECT 1 FROM ins),
                           (SELECT count(*) FROM decided) + (SELECT count(*) FROM unwait)
                    """, connection);
                insert.Parameters.AddWithValue("case", routingCase.CaseId);
                insert.Parameters.AddWithValue("gone", Gone);
                insert.Parameters.AddWithValue("advocate", advocate);
                insert.Parameters.AddWithValue("channel", routingCase.Channel);
                insert.Parameters.AddWithValue("id", assignmentId);
                insert.Parameters.AddWithValue("seq", sequence);
                insert.Parameters.AddWithValue("hour", hour);
                insert.Parameters.AddWithValue("rule", decision.ChosenBy ?? "");
                insert.Parameters.Add(new NpgsqlParameter("steps", NpgsqlDbType.Jsonb) { Value = steps });
                await using var reader = await insert.ExecuteReaderAsync(ct);
                await reader.ReadAsync(ct);
                if (!reader.GetBoolean(0))
                {
                    throw new RoutingCaseGoneException();
                }
                if (reader.GetBoolean(1))
                {
                    throw new CaseAlreadyAssignedException();
                }
                if (!reader.GetBoolean(2))
                {
                    throw new RoutingStaleException("The chosen advocate has no room left or is no longer eligible.");
                }
            }), cancellationToken);
        return (assignmentId, entry);
    }

    /// <summary>
    /// Ends an unopened assignment because nobody else is eligible, and puts the case in the
    /// waiting queue: one ledger entry.
    /// </summary>
    public async Task<AppendedEntry> UnassignToWaitingAsync(
        RoutingCase routingCase, OverdueAssignment assignment, string reason, RoutingDecision decision, CancellationToken cancellationToken = default)
    {
        var hour = RoutingTime.CurrentHour(time);
        var metadata = JsonSerializer.SerializeToUtf8Bytes(new
        {
            action = "case.unassigned", @case = routingCase.CaseId, from = assignment.AdvocateId, reason, waiting = decision.WaitingReason,
        });
        return await writer.AppendAsync(new LedgerAppend(LedgerEntryKind.Assignment, routingCase.CaseId, Metadata: metadata,
            Companion: async (connection, sequence, ct) =>
            {
                await EndInCompanionAsync(connection, assignment, reason, hour, ct);
                await WaitAsync(connection, routingCase.CaseId, decision, hour, sequence, ct);
            }), cancellationToken);
    }

    /// <summary>Puts a case nobody is eligible for in the waiting queue and, the first time, tells the admins.
    /// Returns true when the case was not waiting before.</summary>
    public async Task<bool> WaitAsync(Guid caseId, RoutingDecision decision, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await WaitAsync(connection, caseId, decision, RoutingTime.CurrentHour(time), null, cancellationToken);
    }

    private static async Task<bool> WaitAsync(NpgsqlConnection connection, Guid caseId, RoutingDecision decision, DateTimeOffset hour, long? sequence, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("""
            WITH target AS (
                SELECT id FROM intake.cases WHERE id = @case AND status <> ALL(@gone) FOR KEY SHARE),
            waits AS (
                INSERT INTO intake.routing_waiting (case_id, reason, since)
                SELECT @case, @reason, @hour FROM target
                WHERE NOT EXISTS (SELECT 1 FROM intake.case_assignments WHERE case_id = @case AND ended_at IS NULL)
                ON CONFLICT (case_id) DO UPDATE SET reason = EXCLUDED.reason, attempts = intake.routing_waiting.attempts + 1
                RETURNING (xmax = 0) AS inserted),
            decided AS (
                INSERT INTO intake.routing_decisions (case_id, decided_seq, decided_at, waiting_reason, steps)
                SELECT @case, @seq, @hour, @reason, @steps FROM waits WHERE inserted
                RETURNING 1),
            told AS (
                INSERT INTO intake.staff_notifications (id, audience, kind, case_id, source_id, created_at)
                SELECT @notice, 'admins', 'case_waiting', @case, @notice, @hour FROM waits WHERE inserted
                ON CONFLICT DO NOTHING
                RETURNING 1)
            SELECT coalesce((SELECT inserted FROM waits), false), (SELECT count(*) FROM decided) + (SELECT count(*) FROM told)
            """, connection);
        command.Parameters.AddWithValue("case", caseId);
        command.Parameters.AddWithValue("gone", Gone);
        command.Parameters.AddWithValue("reason", decision.WaitingReason ?? RuleNames.NoAdvocates);
        command.Parameters.AddWithValue("hour", hour);
        command.Parameters.Add(new NpgsqlParameter("seq", NpgsqlDbType.Bigint) { Value = (object?)sequence ?? DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter("steps", NpgsqlDbType.Jsonb) { Value = StepsJson(decision) });
        command.Parameters.AddWithValue("notice", Guid.NewGuid());
        return await command.ExecuteScalarAsync(cancellationToken) is true;
    }

    private static async Task EndInCompanionAsync(NpgsqlConnection connection, OverdueAssignment assignment, string reason, DateTimeOffset hour, CancellationToken cancellationToken)
    {
        await using var end = new NpgsqlCommand("""
            WITH ended AS (
                UPDATE intake.case_assignments SET ended_at = @hour, end_reason = @reason
                WHERE id = @id AND ended_at IS NULL AND (opened_at IS NULL OR @reason = 'handed_over')
                RETURNING advocate_id, case_id),
            notice AS (
                -- She is told a case was taken back; an advocate who hands a case over knows already.
                INSERT INTO intake.staff_notifications (id, recipient, kind, case_id, source_id, created_at)
                SELECT @notice, advocate_id, 'case_taken_back', case_id, @id, @hour FROM ended WHERE @reason <> 'handed_over'
                ON CONFLICT DO NOTHING
                RETURNING 1)
            SELECT count(*) FROM ended
            """, connection);
        end.Parameters.AddWithValue("hour", hour);
        end.Parameters.AddWithValue("reason", reason);
        end.Parameters.AddWithValue("id", assignment.Id);
        end.Parameters.AddWithValue("notice", Guid.NewGuid());
        if (await end.ExecuteScalarAsync(cancellationToken) is not 1L)
        {
            throw new RoutingStaleException("The assignment was opened or ended meanwhile.");
        }
    }

    /// <summary>Removes a case from the waiting queue (it turned out to be assigned already).</summary>
    public async Task ClearWaitingAsync(Guid caseId, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand("DELETE FROM intake.routing_waiting WHERE case_id = @case");
        command.Parameters.AddWithValue("case", caseId);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>
    /// Records that the assigned advocate opened the case (hour granularity), which stops the
    /// not-opened reassignment. Only the first opening counts. For the advocate workspace to call.
    /// Returns false when she is not the case's active assignee.
    /// </summary>
    public async Task<bool> MarkOpenedAsync(Guid caseId, Guid advocateId, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand("""
            UPDATE intake.case_assignments SET opened_at = coalesce(opened_at, @hour)
            WHERE case_id = @case AND advocate_id = @advocate AND ended_at IS NULL
            """);
        command.Parameters.AddWithValue("hour", RoutingTime.CurrentHour(time));
        command.Parameters.AddWithValue("case", caseId);
        command.Parameters.AddWithValue("advocate", advocateId);
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    /// <summary>The case's active assignment, if any.</summary>
    public async Task<ActiveAssignment?> ActiveAsync(Guid caseId, CancellationToken cancellationToken = default) =>
        (await LoadCaseAsync(caseId, cancellationToken))?.Active;

    /// <summary>Cases that are stored but neither assigned nor waiting, oldest first (for the reconciler).</summary>
    public async Task<IReadOnlyList<(Guid CaseId, string Channel)>> FindUnroutedAsync(int limit, CancellationToken cancellationToken = default)
    {
        var list = new List<(Guid, string)>();
        await using var command = dataSource.CreateCommand("""
            SELECT c.id, c.channel FROM intake.cases c
            WHERE c.status <> ALL(@gone)
              AND NOT EXISTS (SELECT 1 FROM intake.case_assignments a WHERE a.case_id = c.id AND a.ended_at IS NULL)
              AND NOT EXISTS (SELECT 1 FROM intake.routing_waiting w WHERE w.case_id = c.id)
            ORDER BY c.submission_seq
            LIMIT @limit
            """);
        command.Parameters.AddWithValue("gone", Gone);
        command.Parameters.AddWithValue("limit", limit);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            list.Add((reader.GetGuid(0), reader.GetString(1)));
        }
        return list;
    }

    /// <summary>Waiting cases, longest waiting first.</summary>
    public async Task<IReadOnlyList<Guid>> FindWaitingAsync(int limit, CancellationToken cancellationToken = default)
    {
        var list = new List<Guid>();
        await using var command = dataSource.CreateCommand("SELECT case_id FROM intake.routing_waiting ORDER BY since, case_id LIMIT @limit");
        command.Parameters.AddWithValue("limit", limit);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            list.Add(reader.GetGuid(0));
        }
        return list;
    }

    /// <summary>Active assignments not opened within <paramref name="within"/> (compared at hour granularity).</summary>
    public async Task<IReadOnlyList<OverdueAssignment>> FindNotOpenedAsync(TimeSpan within, int limit, CancellationToken cancellationToken = default)
    {
        var list = new List<OverdueAssignment>();
        await using var command = dataSource.CreateCommand("""
            SELECT a.id, a.case_id, a.advocate_id FROM intake.case_assignments a JOIN intake.cases c ON c.id = a.case_id
            WHERE a.ended_at IS NULL AND a.opened_at IS NULL AND a.assigned_at <= @cutoff AND c.status <> ALL(@gone)
            ORDER BY a.assigned_seq
            LIMIT @limit
            """);
        command.Parameters.AddWithValue("cutoff", RoutingTime.CurrentHour(time) - within);
        command.Parameters.AddWithValue("gone", Gone);
        command.Parameters.AddWithValue("limit", limit);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            list.Add(new OverdueAssignment(reader.GetGuid(0), reader.GetGuid(1), reader.GetGuid(2)));
        }
        return list;
    }

    internal static string StepsJson(RoutingDecision decision) =>
        JsonSerializer.Serialize(decision.Steps.Where(s => s.Removed.Count > 0).Select(s => new { rule = s.Rule, removed = s.Removed }));
}
