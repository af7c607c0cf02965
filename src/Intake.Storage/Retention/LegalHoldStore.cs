using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Intake.Core.Ledger;
using Intake.Storage.Ledger;
using Npgsql;

namespace Intake.Storage.Retention;

/// <summary>A legal hold on one case, as staff see it. The reason is staff text about why, never testimony.</summary>
public sealed record LegalHold(
    Guid Id, Guid CaseId, string Status, string Reason, int Days, Guid RequestedBy, DateOnly RequestedOn, Guid? DecidedBy, DateOnly? ExpiresOn)
{
    /// <summary>True for an approved hold that still covers <paramref name="today"/>.</summary>
    public bool IsActive(DateOnly today) => Status == LegalHoldStatus.Active && ExpiresOn >= today;
}

public static class LegalHoldStatus
{
    public const string Requested = "requested";
    public const string Active = "active";
    public const string Refused = "refused";
    public const string Released = "released";
    public const string Expired = "expired";
}

public enum LegalHoldFailure
{
    Invalid,
    NotFound,
    Conflict,
    Forbidden,
}

public sealed class LegalHoldException(LegalHoldFailure kind, string field, string message) : LedgerAppendException(message)
{
    public LegalHoldFailure Kind { get; } = kind;
    public string Field { get; } = field;
}

/// <summary>
/// Legal holds: an advocate requests one with a reason and a length in days, an admin other than
/// her approves or refuses it, an admin may release it early, and it expires by itself. Each step
/// is a ledger entry (kind 9) naming the hold and the actor; the reason is recorded in the ledger
/// only as its SHA-256, and stays in <c>intake.legal_holds</c> until the case is purged.
/// Authorization (is she the case's advocate, is he an admin) is the caller's.
/// </summary>
public sealed class LegalHoldStore(NpgsqlDataSource dataSource, LedgerWriter writer, TimeProvider time)
{
    public const int MaxReasonLength = 500;
    public const int MaxDays = 365;

    private const string Columns = "id, case_id, status, reason, days, requested_by, requested_on, decided_by, expires_on";

    private DateOnly Today => DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);

    // A hold's or postponement's reason: trimmed, 1 to MaxReasonLength characters, no control
    // characters other than line breaks and tabs.
    private static string ValidReason(string reason)
    {
        reason = reason.Trim();
        if (reason.Length is 0 or > MaxReasonLength || reason.Any(c => char.IsControl(c) && c is not ('\n' or '\r' or '\t')))
        {
            throw new LegalHoldException(LegalHoldFailure.Invalid, "reason", $"Give a reason of 1 to {MaxReasonLength} characters.");
        }
        return reason;
    }

    public async Task<LegalHold> RequestAsync(Guid caseId, Guid advocateId, string reason, int days, CancellationToken cancellationToken = default)
    {
        reason = ValidReason(reason);
        if (days is < 1 or > MaxDays)
        {
            throw new LegalHoldException(LegalHoldFailure.Invalid, "days", $"A hold lasts from 1 to {MaxDays} days; ask again to extend it.");
        }
        var status = await CaseStatusAsync(caseId, cancellationToken)
            ?? throw new LegalHoldException(LegalHoldFailure.NotFound, "case", "There is no such case.");
        if (status == "withdrawn")
        {
            throw new LegalHoldException(LegalHoldFailure.Conflict, "case", "The survivor withdrew this case.");
        }
        if ((await ForCaseAsync(caseId, cancellationToken)).Any(h => h.Status == LegalHoldStatus.Requested))
        {
            throw new LegalHoldException(LegalHoldFailure.Conflict, "case", "A hold request for this case is already waiting for an admin.");
        }
        var id = Guid.NewGuid();
        var today = Today;
        var metadata = JsonSerializer.SerializeToUtf8Bytes(new
        {
            action = "legal_hold.request",
            hold = id,
            days,
            reason_sha256 = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(reason))),
            actor = advocateId,
        });
        try
        {
            await AppendRequestAsync();
        }
        catch (LedgerAppendException refused) when (refused.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            // Two requests at the same moment: the unique index lets one through.
            throw new LegalHoldException(LegalHoldFailure.Conflict, "case", "A hold request for this case is already waiting for an admin.");
        }
        return new LegalHold(id, caseId, LegalHoldStatus.Requested, reason, days, advocateId, today, null, null);

        Task<AppendedEntry> AppendRequestAsync() => writer.AppendAsync(new LedgerAppend(LedgerEntryKind.LegalHold, caseId, Metadata: metadata,
            Companion: async (connection, sequence, ct) =>
            {
                await RefuseIfPurgingAsync(connection, caseId, ct);
                await using var insert = new NpgsqlCommand("""
                    INSERT INTO intake.legal_holds (id, case_id, status, reason, days, requested_by, requested_seq, requested_on)
                    VALUES (@id, @case, 'requested', @reason, @days, @by, @seq, @on)
                    """, connection);
                insert.Parameters.AddWithValue("id", id);
                insert.Parameters.AddWithValue("case", caseId);
                insert.Parameters.AddWithValue("reason", reason);
                insert.Parameters.AddWithValue("days", days);
                insert.Parameters.AddWithValue("by", advocateId);
                insert.Parameters.AddWithValue("seq", sequence);
                insert.Parameters.AddWithValue("on", today);
                await insert.ExecuteNonQueryAsync(ct);
            }), cancellationToken);
    }

    /// <summary>How far postponements reach, in days past the policy's purge day; longer needs a legal hold.</summary>
    public const int MaxPostponeDays = 90;

    /// <summary>
    /// Inside a ledger entry's transaction: locks the case row and refuses once the retention job
    /// has begun to purge the case (<c>intake.case_purges</c>), so that a hold, a request or a
    /// postponement is either seen by the job's check or not made at all.
    /// </summary>
    private static async Task RefuseIfPurgingAsync(NpgsqlConnection connection, Guid caseId, CancellationToken cancellationToken)
    {
        await using var check = new NpgsqlCommand("""
            SELECT EXISTS (SELECT 1 FROM intake.case_purges p WHERE p.case_id = c.id) FROM intake.cases c WHERE c.id = @id FOR SHARE OF c
            """, connection);
        check.Parameters.AddWithValue("id", caseId);
        switch (await check.ExecuteScalarAsync(cancellationToken))
        {
            case null:
                throw new LegalHoldException(LegalHoldFailure.NotFound, "case", "There is no such case.");
            case true:
                throw new LegalHoldException(LegalHoldFailure.Conflict, "case", "This case is being purged.");
        }
    }

    /// <summary>
    /// The assigned advocate keeps a case <paramref name="days"/> days past its current purge day
    /// (docs/retention.md §5), with a reason. No admin decides it, so it is short: postponements
    /// reach at most <see cref="MaxPostponeDays"/> days past the policy's purge day in all, and
    /// never past the end of the period the survivor chose herself (refused, not shortened). One ledger entry (kind 9,
    /// <c>retention.postpone</c>) with the reason's SHA-256; the latest postponement replaces the
    /// one before. Returns the new purge day. Authorization (is she the case's advocate) is the caller's.
    /// </summary>
    public async Task<DateOnly> PostponeAsync(Guid caseId, Guid advocateId, string reason, int days, CancellationToken cancellationToken = default)
    {
        reason = ValidReason(reason);
        if (days is < 1 or > MaxPostponeDays)
        {
            throw new LegalHoldException(LegalHoldFailure.Invalid, "days", $"A postponement is 1 to {MaxPostponeDays} days.");
        }
        var today = Today;
        DateOnly purgeOn, policyDay;
        DateOnly? survivorUntil;
        await using (var command = dataSource.CreateCommand("SELECT status, purge_on, due_on, survivor_until FROM intake.case_retention WHERE id = @id"))
        {
            command.Parameters.AddWithValue("id", caseId);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            if (!await reader.ReadAsync(cancellationToken))
            {
                throw new LegalHoldException(LegalHoldFailure.NotFound, "case", "There is no such case.");
            }
            if (reader.GetString(0) == "withdrawn")
            {
                throw new LegalHoldException(LegalHoldFailure.Conflict, "case", "The survivor withdrew this case.");
            }
            (purgeOn, policyDay) = (reader.GetFieldValue<DateOnly>(1), reader.GetFieldValue<DateOnly>(2));
            survivorUntil = reader.IsDBNull(3) ? null : reader.GetFieldValue<DateOnly>(3);
        }
        var from = purgeOn > today ? purgeOn : today;
        // Postponements add up to at most MaxPostponeDays past the policy's day (activity moves that day; reading does not).
        if (from.AddDays(days).DayNumber - policyDay.DayNumber > MaxPostponeDays)
        {
            throw new LegalHoldException(LegalHoldFailure.Invalid, "days",
                $"Postponements keep a case at most {MaxPostponeDays} days past its policy's purge day; for longer, request a legal hold.");
        }
        if (survivorUntil is { } limit && from.AddDays(days) > limit)
        {
            throw new LegalHoldException(LegalHoldFailure.Conflict, "survivor",
                "The survivor chose how long her account may be kept; the case cannot be kept past that.");
        }
        var keepUntil = from.AddDays(days - 1);
        var metadata = JsonSerializer.SerializeToUtf8Bytes(new
        {
            action = "retention.postpone",
            days,
            keep_until = keepUntil.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
            reason_sha256 = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(reason))),
            actor = advocateId,
        });
        await writer.AppendAsync(new LedgerAppend(LedgerEntryKind.LegalHold, caseId, Metadata: metadata,
            Companion: async (connection, sequence, ct) =>
            {
                await RefuseIfPurgingAsync(connection, caseId, ct);
                await using var upsert = new NpgsqlCommand("""
                    INSERT INTO intake.retention_postponements (case_id, keep_until, reason, postponed_by, seq)
                    VALUES (@case, @until, @reason, @by, @seq)
                    ON CONFLICT (case_id) DO UPDATE SET keep_until = excluded.keep_until, reason = excluded.reason,
                        postponed_by = excluded.postponed_by, seq = excluded.seq
                    """, connection);
                upsert.Parameters.AddWithValue("case", caseId);
                upsert.Parameters.AddWithValue("until", keepUntil);
                upsert.Parameters.AddWithValue("reason", reason);
                upsert.Parameters.AddWithValue("by", advocateId);
                upsert.Parameters.AddWithValue("seq", sequence);
                await upsert.ExecuteNonQueryAsync(ct);
            }), cancellationToken);
        await using var after = dataSource.CreateCommand("SELECT purge_on FROM intake.case_retention WHERE id = @id");
        after.Parameters.AddWithValue("id", caseId);
        return await after.ExecuteScalarAsync(cancellationToken) is DateOnly day ? day : keepUntil.AddDays(1);
    }

    /// <summary>
    /// Approves a waiting request: the hold is active from today for its days. An active hold of
    /// the same case is replaced (released by this entry), so a renewal has no gap.
    /// </summary>
    public async Task<LegalHold> ApproveAsync(Guid holdId, Guid adminId, CancellationToken cancellationToken = default)
    {
        var hold = await WaitingAsync(holdId, adminId, cancellationToken);
        var expires = Today.AddDays(hold.Days - 1);
        var replaced = (await ForCaseAsync(hold.CaseId, cancellationToken)).FirstOrDefault(h => h.Status == LegalHoldStatus.Active);
        var metadata = JsonSerializer.SerializeToUtf8Bytes(new
        {
            action = "legal_hold.approve",
            hold = holdId,
            expires_on = expires.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
            replaces = replaced?.Id,
            actor = adminId,
        });
        await writer.AppendAsync(new LedgerAppend(LedgerEntryKind.LegalHold, hold.CaseId, Metadata: metadata,
            Companion: async (connection, sequence, ct) =>
            {
                await RefuseIfPurgingAsync(connection, hold.CaseId, ct);
                if (replaced is not null)
                {
                    await using var end = new NpgsqlCommand(
                        "UPDATE intake.legal_holds SET status = 'released', ended_seq = @seq WHERE id = @id AND status = 'active'", connection);
                    end.Parameters.AddWithValue("seq", sequence);
                    end.Parameters.AddWithValue("id", replaced.Id);
                    await end.ExecuteNonQueryAsync(ct);
                }
                await DecideAsync(connection, holdId, LegalHoldStatus.Active, adminId, sequence, expires, ct);
            }), cancellationToken);
        return hold with { Status = LegalHoldStatus.Active, DecidedBy = adminId, ExpiresOn = expires };
    }

    public async Task<LegalHold> RefuseAsync(Guid holdId, Guid adminId, CancellationToken cancellationToken = default)
    {
        var hold = await WaitingAsync(holdId, adminId, cancellationToken);
        var metadata = JsonSerializer.SerializeToUtf8Bytes(new { action = "legal_hold.refuse", hold = holdId, actor = adminId });
        await writer.AppendAsync(new LedgerAppend(LedgerEntryKind.LegalHold, hold.CaseId, Metadata: metadata,
            Companion: (connection, sequence, ct) => DecideAsync(connection, holdId, LegalHoldStatus.Refused, adminId, sequence, null, ct)),
            cancellationToken);
        return hold with { Status = LegalHoldStatus.Refused, DecidedBy = adminId };
    }

    /// <summary>Ends an active hold before its expiry; the case's normal purge day applies again.</summary>
    public async Task<LegalHold> ReleaseAsync(Guid holdId, Guid adminId, CancellationToken cancellationToken = default)
    {
        var hold = await GetAsync(holdId, cancellationToken)
            ?? throw new LegalHoldException(LegalHoldFailure.NotFound, "hold", "There is no such hold.");
        if (hold.Status != LegalHoldStatus.Active)
        {
            throw new LegalHoldException(LegalHoldFailure.Conflict, "hold", "Only an active hold can be released.");
        }
        await EndAsync(hold, LegalHoldStatus.Released, new { action = "legal_hold.release", hold = holdId, actor = adminId },
            cancellationToken);
        return hold with { Status = LegalHoldStatus.Released };
    }

    /// <summary>
    /// Records the end of every active hold whose last day is before today; returns how many.
    /// The retention job calls this; a hold past its expiry no longer blocks a purge even before it runs.
    /// </summary>
    public async Task<int> ExpireAsync(CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand($"SELECT {Columns} FROM intake.legal_holds WHERE status = 'active' AND expires_on < @today ORDER BY id");
        command.Parameters.AddWithValue("today", Today);
        var expired = await ReadAsync(command, cancellationToken);
        foreach (var hold in expired)
        {
            await EndAsync(hold, LegalHoldStatus.Expired, new { action = "legal_hold.expire", hold = hold.Id }, cancellationToken);
        }
        return expired.Count;
    }

    /// <summary>
    /// A survivor's withdrawal ends every waiting or active hold on her case before the purge
    /// (docs/retention.md: her withdrawal wins). One ledger entry per hold, naming the cause.
    /// </summary>
    public Task EndForWithdrawalAsync(Guid caseId, CancellationToken cancellationToken = default) =>
        EndAllAsync(caseId, "withdrawn", cancellationToken);

    /// <summary>
    /// The retention job ends what is left of a case's holds before purging it: a request nobody
    /// decided in time, a hold that lapsed since the job expired holds, or an active hold that the
    /// survivor's own shorter period overrides. One ledger entry each, cause "purged".
    /// </summary>
    public Task EndForPurgeAsync(Guid caseId, CancellationToken cancellationToken = default) =>
        EndAllAsync(caseId, "purged", cancellationToken);

    private async Task EndAllAsync(Guid caseId, string cause, CancellationToken cancellationToken)
    {
        foreach (var hold in (await ForCaseAsync(caseId, cancellationToken)).Where(h => h.Status is LegalHoldStatus.Requested or LegalHoldStatus.Active))
        {
            var status = hold.Status == LegalHoldStatus.Active ? LegalHoldStatus.Released : LegalHoldStatus.Refused;
            await EndAsync(hold, status, new { action = "legal_hold.end", hold = hold.Id, cause }, cancellationToken);
        }
    }

    public async Task<LegalHold?> GetAsync(Guid holdId, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand($"SELECT {Columns} FROM intake.legal_holds WHERE id = @id");
        command.Parameters.AddWithValue("id", holdId);
        return (await ReadAsync(command, cancellationToken)).SingleOrDefault();
    }

    /// <summary>Every hold of the case, newest request first.</summary>
    public async Task<IReadOnlyList<LegalHold>> ForCaseAsync(Guid caseId, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand($"SELECT {Columns} FROM intake.legal_holds WHERE case_id = @case ORDER BY requested_seq DESC");
        command.Parameters.AddWithValue("case", caseId);
        return await ReadAsync(command, cancellationToken);
    }

    /// <summary>Requests waiting for an admin and holds that are active, oldest request first.</summary>
    public async Task<IReadOnlyList<LegalHold>> OpenAsync(CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand(
            $"SELECT {Columns} FROM intake.legal_holds WHERE status IN ('requested', 'active') ORDER BY requested_seq");
        return await ReadAsync(command, cancellationToken);
    }

    private async Task<LegalHold> WaitingAsync(Guid holdId, Guid adminId, CancellationToken cancellationToken)
    {
        var hold = await GetAsync(holdId, cancellationToken)
            ?? throw new LegalHoldException(LegalHoldFailure.NotFound, "hold", "There is no such hold.");
        if (hold.Status != LegalHoldStatus.Requested)
        {
            throw new LegalHoldException(LegalHoldFailure.Conflict, "hold", "This request was decided already.");
        }
        if (hold.RequestedBy == adminId)
        {
            throw new LegalHoldException(LegalHoldFailure.Forbidden, "hold", "Someone other than the requester decides a hold.");
        }
        return hold;
    }

    private async Task EndAsync(LegalHold hold, string status, object metadata, CancellationToken cancellationToken)
    {
        await writer.AppendAsync(new LedgerAppend(LedgerEntryKind.LegalHold, hold.CaseId, Metadata: JsonSerializer.SerializeToUtf8Bytes(metadata),
            Companion: async (connection, sequence, ct) =>
            {
                // A request ended without a decision is recorded as refused, by this same entry.
                await using var end = new NpgsqlCommand("""
                    UPDATE intake.legal_holds
                    SET status = @status, ended_seq = CASE WHEN @status IN ('released', 'expired') THEN @seq END,
                        decided_seq = coalesce(decided_seq, @seq)
                    WHERE id = @id AND status = @from
                    """, connection);
                end.Parameters.AddWithValue("status", status);
                end.Parameters.AddWithValue("seq", sequence);
                end.Parameters.AddWithValue("id", hold.Id);
                end.Parameters.AddWithValue("from", hold.Status);
                if (await end.ExecuteNonQueryAsync(ct) != 1)
                {
                    throw new LegalHoldException(LegalHoldFailure.Conflict, "hold", "The hold changed meanwhile.");
                }
            }), cancellationToken);
    }

    private static async Task DecideAsync(NpgsqlConnection connection, Guid holdId, string status, Guid adminId, long sequence, DateOnly? expires,
        CancellationToken cancellationToken)
    {
        await using var decide = new NpgsqlCommand("""
            UPDATE intake.legal_holds SET status = @status, decided_by = @by, decided_seq = @seq, expires_on = @expires
            WHERE id = @id AND status = 'requested'
            """, connection);
        decide.Parameters.AddWithValue("status", status);
        decide.Parameters.AddWithValue("by", adminId);
        decide.Parameters.AddWithValue("seq", sequence);
        decide.Parameters.AddWithValue("expires", (object?)expires ?? DBNull.Value);
        decide.Parameters.AddWithValue("id", holdId);
        if (await decide.ExecuteNonQueryAsync(cancellationToken) != 1)
        {
            throw new LegalHoldException(LegalHoldFailure.Conflict, "hold", "This request was decided meanwhile.");
        }
    }

    private async Task<string?> CaseStatusAsync(Guid caseId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("SELECT status FROM intake.cases WHERE id = @id");
        command.Parameters.AddWithValue("id", caseId);
        return await command.ExecuteScalarAsync(cancellationToken) as string;
    }

    private static async Task<List<LegalHold>> ReadAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var holds = new List<LegalHold>();
        while (await reader.ReadAsync(cancellationToken))
        {
            holds.Add(new LegalHold(reader.GetGuid(0), reader.GetGuid(1), reader.GetString(2), reader.GetString(3), reader.GetInt32(4),
                reader.GetGuid(5), reader.GetFieldValue<DateOnly>(6), reader.IsDBNull(7) ? null : reader.GetGuid(7),
                reader.IsDBNull(8) ? null : reader.GetFieldValue<DateOnly>(8)));
        }
        return holds;
    }
}
