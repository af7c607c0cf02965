using System.Text.Json;
using Intake.Core.Ledger;
using Intake.Storage.Ledger;
using Npgsql;

namespace Intake.Storage.Accounts;

/// <summary>Why an admin action was refused; pages turn it into a kind message.</summary>
public enum AccountRefusal
{
    NotAnActiveAdmin,
    UnknownRole,
    AdminExists,
    BootstrapOpen,
    NotFound,
    WrongStatus,
    SameAdminAsInviter,
    OwnAccount,
}

/// <summary>An admin action that was refused; nothing was written, not even the ledger entry.</summary>
public sealed class AccountActionRefusedException(AccountRefusal refusal, string message) : LedgerAppendException(message)
{
    public AccountRefusal Refusal { get; } = refusal;
}

/// <summary>A new invitation: the token is returned once, to be shown once, and is stored only as a hash.</summary>
public sealed record IssuedInvitation(Guid Id, string Token, string Role, DateTimeOffset ExpiresAt, long LedgerSequence);

/// <summary>
/// The admin actions on people: bootstrap, invite, approve, suspend, reactivate. Each is one
/// AdminAction ledger entry, and the change it records is its companion, checked and written
/// in the ledger's transaction: the entry exists exactly when the change does, and batches are
/// serialised on the ledger head, so two admins cannot both pass a check that only one should.
/// The entry's public record names the actor, the action and the target, never a token.
/// </summary>
public sealed class StaffAdministration(LedgerWriter writer, TimeProvider time)
{
    public const string Operator = "operator";

    /// <summary>The first admin's invitation (<c>intake admin bootstrap</c>). Refused once an admin exists or while another is open.</summary>
    public Task<IssuedInvitation> BootstrapAsync(TimeSpan lifetime, CancellationToken cancellationToken = default) =>
        IssueAsync(StaffRoles.Admin, inviter: null, lifetime, "account.bootstrap", async (connection, ct) =>
        {
            await using var check = new NpgsqlCommand("""
                SELECT EXISTS (SELECT 1 FROM accounts.users u JOIN accounts.user_roles ur ON ur.user_id = u.id
                               JOIN accounts.roles r ON r.id = ur.role_id WHERE r.normalized_name = 'ADMIN'),
                       EXISTS (SELECT 1 FROM accounts.invitations WHERE invited_by IS NULL AND accepted_by IS NULL AND expires_at > now())
                """, connection);
            await using var reader = await check.ExecuteReaderAsync(ct);
            await reader.ReadAsync(ct);
            if (reader.GetBoolean(0))
            {
                throw new AccountActionRefusedException(AccountRefusal.AdminExists,
                    "An admin already exists. Admins invite everyone else from the People page.");
            }
            if (reader.GetBoolean(1))
            {
                throw new AccountActionRefusedException(AccountRefusal.BootstrapOpen,
                    "An invitation for the first admin is still open. Use it, or wait until it expires.");
            }
        }, cancellationToken);

    /// <summary>An invitation from an active admin, for the role she chose.</summary>
    public Task<IssuedInvitation> InviteAsync(string role, Guid inviter, TimeSpan lifetime, CancellationToken cancellationToken = default)
    {
        if (!StaffRoles.IsKnown(role))
        {
            throw new AccountActionRefusedException(AccountRefusal.UnknownRole, $"'{role}' is not a staff role.");
        }
        return IssueAsync(role, inviter, lifetime, "account.invite", (connection, ct) => RequireActiveAdminAsync(connection, inviter, ct), cancellationToken);
    }

    /// <summary>
    /// Makes an enrolled account active. With <paramref name="adminsPerApproval"/> 2 (the default)
    /// the approver must not be the admin who invited her.
    /// </summary>
    public Task<long> ApproveAsync(Guid actor, Guid target, int adminsPerApproval, CancellationToken cancellationToken = default) =>
        ChangeAsync(actor, target, "account.approve", async (connection, ct) =>
        {
            var (status, invitedBy) = await TargetAsync(connection, target, ct);
            if (status != StaffStatus.PendingApproval)
            {
                throw new AccountActionRefusedException(AccountRefusal.WrongStatus, "This account is not waiting for approval.");
            }
            // The two-admin rule starts once there can be two: the first admin approves the second
            // admin she invited herself while nobody else could (docs/accounts.md).
            if (adminsPerApproval > 1 && invitedBy == actor && !await IsSecondAdminOfTeamAsync(connection, actor, target, ct))
            {
                throw new AccountActionRefusedException(AccountRefusal.SameAdminAsInviter,
                    "You invited this person, so another admin must approve her.");
            }
            await UpdateAsync(connection, target, """
                UPDATE accounts.users SET status = 'Active', approved_by = @actor, approved_on = @day,
                    concurrency_stamp = @stamp WHERE id = @target
                """, actor, ct);
        }, cancellationToken);

    /// <summary>Suspends an account; her session ends on her next request (the security stamp changes).</summary>
    public Task<long> SuspendAsync(Guid actor, Guid target, CancellationToken cancellationToken = default) =>
        ChangeAsync(actor, target, "account.suspend", async (connection, ct) =>
        {
            if (actor == target)
            {
                throw new AccountActionRefusedException(AccountRefusal.OwnAccount, "You cannot suspend your own account.");
            }
            var (status, _) = await TargetAsync(connection, target, ct);
            if (status == StaffStatus.Suspended)
            {
                throw new AccountActionRefusedException(AccountRefusal.WrongStatus, "This account is already suspended.");
            }
            await UpdateAsync(connection, target, """
                UPDATE accounts.users SET status = 'Suspended', security_stamp = @stamp, concurrency_stamp = @stamp WHERE id = @target
                """, actor, ct);
        }, cancellationToken);

    /// <summary>Lifts a suspension: back to where she was (active if she had been approved).</summary>
    public Task<long> ReactivateAsync(Guid actor, Guid target, CancellationToken cancellationToken = default) =>
        ChangeAsync(actor, target, "account.reactivate", async (connection, ct) =>
        {
            var (status, _) = await TargetAsync(connection, target, ct);
            if (status != StaffStatus.Suspended)
            {
                throw new AccountActionRefusedException(AccountRefusal.WrongStatus, "This account is not suspended.");
            }
            await UpdateAsync(connection, target, """
                UPDATE accounts.users SET status = CASE WHEN NOT two_factor_enabled THEN 'PendingEnrollment'
                    WHEN approved_on IS NULL THEN 'PendingApproval' ELSE 'Active' END,
                    security_stamp = @stamp, concurrency_stamp = @stamp WHERE id = @target
                """, actor, ct);
        }, cancellationToken);

    private async Task<IssuedInvitation> IssueAsync(string role, Guid? inviter, TimeSpan lifetime, string action,
        Func<NpgsqlConnection, CancellationToken, Task> check, CancellationToken cancellationToken)
    {
        if (lifetime <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(lifetime), "An invitation must live for some time.");
        }
        var id = Guid.CreateVersion7();
        var (token, hash) = InvitationToken.New();
        var now = time.GetUtcNow();
        var expires = now + lifetime;
        var metadata = JsonSerializer.SerializeToUtf8Bytes(new { action, actor = inviter?.ToString() ?? Operator, target = id.ToString(), role });
        var entry = await writer.AppendAsync(new LedgerAppend(LedgerEntryKind.AdminAction, Metadata: metadata,
            Companion: async (connection, _, ct) =>
            {
                await check(connection, ct);
                await using var insert = new NpgsqlCommand("""
                    INSERT INTO accounts.invitations (id, token_hash, role, invited_by, created_on, expires_at)
                    VALUES (@id, @hash, @role, @inviter, @day, @expires)
                    """, connection);
                insert.Parameters.AddWithValue("id", id);
                insert.Parameters.AddWithValue("hash", hash);
                insert.Parameters.AddWithValue("role", role);
                insert.Parameters.AddWithValue("inviter", inviter is { } i ? i : DBNull.Value);
                insert.Parameters.AddWithValue("day", DateOnly.FromDateTime(now.UtcDateTime));
                insert.Parameters.AddWithValue("expires", expires);
                await insert.ExecuteNonQueryAsync(ct);
            }), cancellationToken);
        return new IssuedInvitation(id, token, role, expires, entry.Sequence);
    }

    private async Task<long> ChangeAsync(Guid actor, Guid target, string action, Func<NpgsqlConnection, CancellationToken, Task> change,
        CancellationToken cancellationToken)
    {
        var metadata = JsonSerializer.SerializeToUtf8Bytes(new { action, actor = actor.ToString(), target = target.ToString() });
        var entry = await writer.AppendAsync(new LedgerAppend(LedgerEntryKind.AdminAction, Metadata: metadata,
            Companion: async (connection, _, ct) =>
            {
                await RequireActiveAdminAsync(connection, actor, ct);
                await change(connection, ct);
            }), cancellationToken);
        return entry.Sequence;
    }

    private static async Task RequireActiveAdminAsync(NpgsqlConnection connection, Guid actor, CancellationToken ct)
    {
        await using var check = new NpgsqlCommand("""
            SELECT EXISTS (SELECT 1 FROM accounts.users u JOIN accounts.user_roles ur ON ur.user_id = u.id
                           JOIN accounts.roles r ON r.id = ur.role_id
                           WHERE u.id = @actor AND u.status = 'Active' AND r.normalized_name = 'ADMIN')
            """, connection);
        check.Parameters.AddWithValue("actor", actor);
        if (await check.ExecuteScalarAsync(ct) is not true)
        {
            throw new AccountActionRefusedException(AccountRefusal.NotAnActiveAdmin, "Only an active admin may do this.");
        }
    }

    private static async Task<bool> IsSecondAdminOfTeamAsync(NpgsqlConnection connection, Guid actor, Guid target, CancellationToken ct)
    {
        await using var check = new NpgsqlCommand("""
            SELECT EXISTS (SELECT 1 FROM accounts.user_roles ur JOIN accounts.roles r ON r.id = ur.role_id
                           WHERE ur.user_id = @target AND r.normalized_name = 'ADMIN')
               AND NOT EXISTS (SELECT 1 FROM accounts.users u JOIN accounts.user_roles ur ON ur.user_id = u.id
                               JOIN accounts.roles r ON r.id = ur.role_id
                               WHERE r.normalized_name = 'ADMIN' AND u.status = 'Active' AND u.id <> @actor)
            """, connection);
        check.Parameters.AddWithValue("actor", actor);
        check.Parameters.AddWithValue("target", target);
        return await check.ExecuteScalarAsync(ct) is true;
    }

    private static async Task<(StaffStatus Status, Guid? InvitedBy)> TargetAsync(NpgsqlConnection connection, Guid target, CancellationToken ct)
    {
        await using var read = new NpgsqlCommand("SELECT status, invited_by FROM accounts.users WHERE id = @target FOR UPDATE", connection);
        read.Parameters.AddWithValue("target", target);
        await using var reader = await read.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct))
        {
            throw new AccountActionRefusedException(AccountRefusal.NotFound, "There is no such account.");
        }
        return (Enum.Parse<StaffStatus>(reader.GetString(0)), reader.IsDBNull(1) ? null : reader.GetGuid(1));
    }

    private async Task UpdateAsync(NpgsqlConnection connection, Guid target, string sql, Guid actor, CancellationToken ct)
    {
        await using var update = new NpgsqlCommand(sql, connection);
        update.Parameters.AddWithValue("target", target);
        if (sql.Contains("@actor", StringComparison.Ordinal))
        {
            update.Parameters.AddWithValue("actor", actor);
        }
        if (sql.Contains("@day", StringComparison.Ordinal))
        {
            update.Parameters.AddWithValue("day", DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime));
        }
        update.Parameters.AddWithValue("stamp", Guid.NewGuid().ToString("N").ToUpperInvariant());
        await update.ExecuteNonQueryAsync(ct);
    }
}
