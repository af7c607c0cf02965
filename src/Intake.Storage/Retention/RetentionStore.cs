using System.Text.Json;
using Intake.Core.Ledger;
using Intake.Storage.Ledger;
using Npgsql;

namespace Intake.Storage.Retention;

/// <summary>
/// How long cases are kept, in days, by what has happened to them. <see cref="Channel"/> is null
/// for the default, which every channel without its own policy follows.
/// </summary>
public sealed record RetentionPolicy(string? Channel, int UnreadDays, int OpenDays, int ClosedDays)
{
    public const int MinDays = 1;
    public const int MaxDays = 3650;

    /// <summary>The first value out of range, by name, or null when all are valid.</summary>
    public string? Invalid() =>
        !InRange(UnreadDays) ? "unreadDays" : !InRange(OpenDays) ? "openDays" : !InRange(ClosedDays) ? "closedDays" : null;

    private static bool InRange(int days) => days is >= MinDays and <= MaxDays;
}

/// <summary>
/// When one case falls due for purge, as <c>intake.case_retention</c> computes it (docs/retention.md):
/// from its last activity and its channel's policy (<see cref="DueOn"/>), moved later by an approved
/// legal hold (<see cref="HeldUntil"/>, its last day) or a postponement (<see cref="PostponedUntil"/>,
/// the last day it keeps the case), and never later than the end of the period the survivor chose
/// herself (<see cref="SurvivorUntil"/>). <see cref="PurgeDay"/> is the result: the first day the
/// purge job takes the case.
/// </summary>
public sealed record CaseRetention(
    Guid Id, string Channel, string Status, DateOnly OpenedOn, DateOnly LastActivityOn, bool EverRead, string? PolicyChannel,
    DateOnly DueOn, DateOnly? HeldUntil, DateOnly? PostponedUntil = null, DateOnly? SurvivorUntil = null, DateOnly? PurgeDay = null)
{
    /// <summary>True while an approved hold covers <paramref name="today"/>.</summary>
    public bool IsHeld(DateOnly today) => HeldUntil is { } until && until >= today;

    /// <summary>The first day the case may be purged (the database's <c>purge_on</c>).</summary>
    public DateOnly PurgeOn(DateOnly today) => PurgeDay ?? (IsHeld(today) && HeldUntil!.Value >= DueOn ? HeldUntil.Value.AddDays(1) : DueOn);

    /// <summary>Days left before <see cref="PurgeOn"/>; 0 or less means due.</summary>
    public int DaysLeft(DateOnly today) => PurgeOn(today).DayNumber - today.DayNumber;
}

public sealed class RetentionException(string field, string message) : LedgerAppendException(message)
{
    public string Field { get; } = field;
}

/// <summary>
/// Retention policies (the admin console edits them; every change is a ledger entry) and each
/// case's purge day. Reads only dates, statuses and channels: nothing here touches content.
/// </summary>
public sealed class RetentionStore(NpgsqlDataSource dataSource, LedgerWriter writer)
{
    internal const string CaseColumns =
        "id, channel, status, opened_on, last_activity_on, ever_read, policy_channel, due_on, held_until, postponed_until, survivor_until, purge_on";

    /// <summary>The default policy first, then the channels' own, by channel id.</summary>
    public async Task<IReadOnlyList<RetentionPolicy>> ListPoliciesAsync(CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand(
            "SELECT channel, unread_days, open_days, closed_days FROM intake.retention_policies ORDER BY channel NULLS FIRST");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var policies = new List<RetentionPolicy>();
        while (await reader.ReadAsync(cancellationToken))
        {
            policies.Add(new RetentionPolicy(reader.IsDBNull(0) ? null : reader.GetString(0), reader.GetInt32(1), reader.GetInt32(2), reader.GetInt32(3)));
        }
        return policies;
    }

    /// <summary>Sets the default policy (channel null) or a channel's own; an admin action in the ledger.</summary>
    public async Task<AppendedEntry> SetPolicyAsync(RetentionPolicy policy, Guid actor, CancellationToken cancellationToken = default)
    {
        if (policy.Invalid() is { } field)
        {
            throw new RetentionException(field, $"Days are whole numbers from {RetentionPolicy.MinDays} to {RetentionPolicy.MaxDays}.");
        }
        if (policy.Channel is { } channel && !await ChannelExistsAsync(channel, cancellationToken))
        {
            throw new RetentionException("channel", "There is no such channel.");
        }
        var metadata = JsonSerializer.SerializeToUtf8Bytes(new
        {
            action = "retention.set",
            channel = policy.Channel,
            unread_days = policy.UnreadDays,
            open_days = policy.OpenDays,
            closed_days = policy.ClosedDays,
            actor,
        });
        return await writer.AppendAsync(new LedgerAppend(LedgerEntryKind.AdminAction, Metadata: metadata,
            Companion: async (connection, sequence, ct) =>
            {
                await using var upsert = new NpgsqlCommand("""
                    INSERT INTO intake.retention_policies (channel, unread_days, open_days, closed_days, changed_seq)
                    VALUES (@channel, @unread, @open, @closed, @seq)
                    ON CONFLICT (channel) DO UPDATE
                    SET unread_days = excluded.unread_days, open_days = excluded.open_days,
                        closed_days = excluded.closed_days, changed_seq = excluded.changed_seq
                    """, connection);
                upsert.Parameters.AddWithValue("channel", (object?)policy.Channel ?? DBNull.Value);
                upsert.Parameters.AddWithValue("unread", policy.UnreadDays);
                upsert.Parameters.AddWithValue("open", policy.OpenDays);
                upsert.Parameters.AddWithValue("closed", policy.ClosedDays);
                upsert.Parameters.AddWithValue("seq", sequence);
                await upsert.ExecuteNonQueryAsync(ct);
            }), cancellationToken);
    }

    /// <summary>Removes a channel's own policy, so it follows the default again; an admin action in the ledger.</summary>
    public async Task<AppendedEntry> ClearPolicyAsync(string channel, Guid actor, CancellationToken cancellationToken = default)
    {
        if ((await ListPoliciesAsync(cancellationToken)).All(p => p.Channel != channel))
        {
            throw new RetentionException("channel", "This channel has no policy of its own.");
        }
        var metadata = JsonSerializer.SerializeToUtf8Bytes(new { action = "retention.clear", channel, actor });
        return await writer.AppendAsync(new LedgerAppend(LedgerEntryKind.AdminAction, Metadata: metadata,
            Companion: async (connection, _, ct) =>
            {
                await using var delete = new NpgsqlCommand("DELETE FROM intake.retention_policies WHERE channel = @channel", connection);
                delete.Parameters.AddWithValue("channel", channel);
                if (await delete.ExecuteNonQueryAsync(ct) != 1)
                {
                    throw new RetentionException("channel", "This channel has no policy of its own.");
                }
            }), cancellationToken);
    }

    /// <summary>One case's purge day, or null when there is no such case.</summary>
    public async Task<CaseRetention?> ForCaseAsync(Guid caseId, CancellationToken cancellationToken = default) =>
        (await ForCasesAsync([caseId], cancellationToken)).GetValueOrDefault(caseId);

    /// <summary>The purge days of these cases, by id; unknown ids are left out.</summary>
    public async Task<IReadOnlyDictionary<Guid, CaseRetention>> ForCasesAsync(IReadOnlyCollection<Guid> caseIds, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand($"SELECT {CaseColumns} FROM intake.case_retention WHERE id = ANY(@ids)");
        command.Parameters.AddWithValue("ids", caseIds.ToArray());
        return (await ReadAsync(command, cancellationToken)).ToDictionary(c => c.Id);
    }

    /// <summary>The cases with the nearest purge days first, at most <paramref name="limit"/>.</summary>
    public async Task<IReadOnlyList<CaseRetention>> SoonestAsync(int limit, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        await using var command = dataSource.CreateCommand($"SELECT {CaseColumns} FROM intake.case_retention ORDER BY purge_on, id LIMIT @limit");
        command.Parameters.AddWithValue("limit", limit);
        return await ReadAsync(command, cancellationToken);
    }

    private async Task<bool> ChannelExistsAsync(string channel, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("SELECT EXISTS (SELECT 1 FROM intake.channels WHERE id = @id)");
        command.Parameters.AddWithValue("id", channel);
        return await command.ExecuteScalarAsync(cancellationToken) is true;
    }

    private static DateOnly? Day(NpgsqlDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetFieldValue<DateOnly>(ordinal);

    internal static async Task<List<CaseRetention>> ReadAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var cases = new List<CaseRetention>();
        while (await reader.ReadAsync(cancellationToken))
        {
            cases.Add(new CaseRetention(reader.GetGuid(0), reader.GetString(1), reader.GetString(2), reader.GetFieldValue<DateOnly>(3),
                reader.GetFieldValue<DateOnly>(4), reader.GetBoolean(5), reader.IsDBNull(6) ? null : reader.GetString(6),
                reader.GetFieldValue<DateOnly>(7), Day(reader, 8), Day(reader, 9), Day(reader, 10), reader.GetFieldValue<DateOnly>(11)));
        }
        return cases;
    }
}
