using Npgsql;

namespace Intake.Storage.Routing;

/// <summary>A notice in the staff workspace: a kind and, for in-workspace links, a case id. No content; the hour it was made.</summary>
public sealed record StaffNotification(Guid Id, Guid? Recipient, string? Audience, string Kind, Guid? CaseId, DateTimeOffset CreatedAt, bool Read);

/// <summary>Content-free staff notifications (<c>intake.staff_notifications</c>).</summary>
public sealed class StaffNotifications(NpgsqlDataSource dataSource, TimeProvider time)
{
    public const string Admins = "admins";

    /// <summary>Writes a notice for one advocate unless one of this kind already exists for <paramref name="sourceId"/>.
    /// Returns the notice's id and whether it still has to be e-mailed.</summary>
    public async Task<(Guid Id, bool EmailPending)> NotifyAdvocateAsync(Guid advocateId, string kind, Guid? caseId, Guid sourceId, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand("""
            WITH added AS (
                INSERT INTO intake.staff_notifications (id, recipient, kind, case_id, source_id, created_at)
                VALUES (@id, @recipient, @kind, @case, @source, @hour)
                ON CONFLICT DO NOTHING
                RETURNING id, emailed)
            SELECT id, emailed FROM added
            UNION ALL
            SELECT id, emailed FROM intake.staff_notifications
            WHERE kind = @kind AND source_id = @source AND recipient = @recipient AND NOT EXISTS (SELECT 1 FROM added)
            """);
        command.Parameters.AddWithValue("id", Guid.NewGuid());
        command.Parameters.AddWithValue("recipient", advocateId);
        command.Parameters.AddWithValue("kind", kind);
        command.Parameters.Add(new NpgsqlParameter("case", NpgsqlTypes.NpgsqlDbType.Uuid) { Value = (object?)caseId ?? DBNull.Value });
        command.Parameters.AddWithValue("source", sourceId);
        command.Parameters.AddWithValue("hour", RoutingTime.CurrentHour(time));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return (reader.GetGuid(0), !reader.GetBoolean(1));
    }

    public async Task MarkEmailedAsync(Guid notificationId, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand("UPDATE intake.staff_notifications SET emailed = true WHERE id = @id");
        command.Parameters.AddWithValue("id", notificationId);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>An advocate's notices, newest first.</summary>
    public Task<IReadOnlyList<StaffNotification>> ForAdvocateAsync(Guid advocateId, bool unreadOnly = false, CancellationToken cancellationToken = default) =>
        ListAsync("recipient = @who", advocateId, unreadOnly, cancellationToken);

    /// <summary>Notices for every admin (waiting cases, failed routing messages), newest first.</summary>
    public Task<IReadOnlyList<StaffNotification>> ForAdminsAsync(bool unreadOnly = false, CancellationToken cancellationToken = default) =>
        ListAsync("audience = 'admins' AND @who IS NULL", null, unreadOnly, cancellationToken);

    public async Task<bool> MarkReadAsync(Guid notificationId, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand("UPDATE intake.staff_notifications SET read = true WHERE id = @id");
        command.Parameters.AddWithValue("id", notificationId);
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    private async Task<IReadOnlyList<StaffNotification>> ListAsync(string filter, Guid? who, bool unreadOnly, CancellationToken cancellationToken)
    {
        var list = new List<StaffNotification>();
        await using var command = dataSource.CreateCommand($"""
            SELECT id, recipient, audience, kind, case_id, created_at, read FROM intake.staff_notifications
            WHERE {filter} AND (NOT read OR NOT @unreadOnly)
            ORDER BY created_at DESC, id LIMIT 500
            """);
        command.Parameters.Add(new NpgsqlParameter("who", NpgsqlTypes.NpgsqlDbType.Uuid) { Value = (object?)who ?? DBNull.Value });
        command.Parameters.AddWithValue("unreadOnly", unreadOnly);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            list.Add(new StaffNotification(reader.GetGuid(0), reader.IsDBNull(1) ? null : reader.GetGuid(1), reader.IsDBNull(2) ? null : reader.GetString(2),
                reader.GetString(3), reader.IsDBNull(4) ? null : reader.GetGuid(4), reader.GetFieldValue<DateTimeOffset>(5), reader.GetBoolean(6)));
        }
        return list;
    }
}
