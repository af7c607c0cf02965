using System.Text;
using System.Text.Json;
using Intake.Core.Ledger;
using Npgsql;

namespace Intake.Storage.Audit;

/// <summary>
/// One staff action as the ledger records it: the entry's sequence, kind, day and case, and the
/// members of its public metadata (action, actor, target, role, statuses...) as text.
/// </summary>
public sealed record AuditEntry(long Sequence, LedgerEntryKind Kind, DateOnly Day, Guid? CaseId, IReadOnlyDictionary<string, string> Details)
{
    /// <summary>Who acted, as recorded: a staff account id, "operator", or null (routing acts for no one).</summary>
    public string? Actor => Details.GetValueOrDefault("actor");

    /// <summary>The recorded action (account.invite, key.approve, case.open, status...), or null (replies and notes record none).</summary>
    public string? Action => Details.GetValueOrDefault("action");
}

/// <summary>Narrows the audit log. Every filter is optional; together they all apply.</summary>
public sealed record AuditFilter(LedgerEntryKind? Kind = null, Guid? Actor = null, Guid? CaseId = null);

/// <summary>
/// A page of the audit log, newest first. <see cref="OlderThan"/> is the cursor for the next page
/// (older entries) and <see cref="NewerThan"/> the cursor for the previous page (newer entries);
/// each is null when there is nothing that way.
/// </summary>
public sealed record AuditPage(IReadOnlyList<AuditEntry> Entries, long? OlderThan, long? NewerThan);

/// <summary>
/// Reads the staff actions out of the ledger: the audit view. Read-only, and it reads only what
/// is public in every entry (kind, day, case, metadata): never a payload, never a wrapped key.
/// Pages are cursors on the sequence number, which never changes, so a page reads the same
/// while new entries arrive.
/// </summary>
public sealed class AuditLog(NpgsqlDataSource dataSource)
{
    public const int DefaultPageSize = 50;
    public const int MaxPageSize = 200;

    /// <summary>The kinds that record something a staff member (or routing, on staff's behalf) did.</summary>
    public static readonly IReadOnlyList<LedgerEntryKind> Kinds =
    [
        LedgerEntryKind.AdminAction,
        LedgerEntryKind.KeyDirectoryChange,
        LedgerEntryKind.Access,
        LedgerEntryKind.StatusChange,
        LedgerEntryKind.Reply,
        LedgerEntryKind.Note,
        LedgerEntryKind.Assignment,
        LedgerEntryKind.LegalHold,
    ];

    /// <summary>
    /// One page: the newest entries when no cursor is given, entries older than
    /// <paramref name="olderThan"/>, or entries newer than <paramref name="newerThan"/> (at most one cursor).
    /// </summary>
    public async Task<AuditPage> PageAsync(AuditFilter filter, long? olderThan = null, long? newerThan = null, int pageSize = DefaultPageSize,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(filter);
        if (filter.Kind is { } kind && !Kinds.Contains(kind))
        {
            throw new ArgumentException($"{kind} is not a staff-action kind.", nameof(filter));
        }
        if (olderThan is not null && newerThan is not null)
        {
            throw new ArgumentException("Give at most one cursor.", nameof(newerThan));
        }
        ArgumentOutOfRangeException.ThrowIfLessThan(pageSize, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(pageSize, MaxPageSize);

        if (newerThan is { } newer)
        {
            // Walk up from the cursor, then show the page newest first like every other page.
            var up = await FetchAsync(filter, newer, ascending: true, pageSize + 1, cancellationToken);
            var entries = up.Take(pageSize).Reverse().ToList();
            if (entries.Count == 0)
            {
                return await PageAsync(filter, pageSize: pageSize, cancellationToken: cancellationToken);
            }
            var hasOlder = (await FetchAsync(filter, entries[^1].Sequence, ascending: false, 1, cancellationToken)).Count > 0;
            return new AuditPage(entries, hasOlder ? entries[^1].Sequence : null, up.Count > pageSize ? entries[0].Sequence : null);
        }
        else
        {
            var down = await FetchAsync(filter, olderThan, ascending: false, pageSize + 1, cancellationToken);
            var entries = down.Take(pageSize).ToList();
            var hasNewer = olderThan is not null && entries.Count > 0
                && (await FetchAsync(filter, entries[0].Sequence, ascending: true, 1, cancellationToken)).Count > 0;
            return new AuditPage(entries, down.Count > pageSize ? entries[^1].Sequence : null, hasNewer ? entries[0].Sequence : null);
        }
    }

    /// <summary>
    /// Up to <paramref name="count"/> matching entries beyond <paramref name="cursor"/> (exclusive),
    /// in the direction given. The actor filter is checked twice: in SQL as a byte search for the
    /// id (metadata is bytes that need not be JSON, so the database cannot parse it safely), then
    /// exactly on the parsed "actor" member, which is why this may read more than one batch.
    /// </summary>
    private async Task<List<AuditEntry>> FetchAsync(AuditFilter filter, long? cursor, bool ascending, int count, CancellationToken cancellationToken)
    {
        var found = new List<AuditEntry>(count);
        var batch = filter.Actor is null ? count : Math.Max(count, 64);
        while (true)
        {
            var sql = new StringBuilder("SELECT seq, kind, entry_day, case_id, metadata FROM intake.ledger_entries WHERE kind = ANY(@kinds)");
            await using var command = dataSource.CreateCommand();
            command.Parameters.AddWithValue("kinds", filter.Kind is { } only ? new[] { (short)only } : Kinds.Select(k => (short)k).ToArray());
            if (filter.CaseId is { } caseId)
            {
                sql.Append(" AND case_id = @case");
                command.Parameters.AddWithValue("case", caseId);
            }
            if (filter.Actor is { } actorId)
            {
                sql.Append(" AND position(@actor IN metadata) > 0");
                command.Parameters.AddWithValue("actor", Encoding.UTF8.GetBytes(actorId.ToString("D")));
            }
            if (cursor is { } at)
            {
                sql.Append(ascending ? " AND seq > @cursor" : " AND seq < @cursor");
                command.Parameters.AddWithValue("cursor", at);
            }
            sql.Append(ascending ? " ORDER BY seq LIMIT @limit" : " ORDER BY seq DESC LIMIT @limit");
            command.Parameters.AddWithValue("limit", batch);
            command.CommandText = sql.ToString();

            var read = 0;
            await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
            {
                while (await reader.ReadAsync(cancellationToken))
                {
                    read++;
                    var entry = new AuditEntry(reader.GetInt64(0), (LedgerEntryKind)reader.GetInt16(1), reader.GetFieldValue<DateOnly>(2),
                        reader.IsDBNull(3) ? null : reader.GetGuid(3), ParseMetadata((byte[])reader[4]));
                    cursor = entry.Sequence;
                    if (filter.Actor is not { } wanted || (Guid.TryParse(entry.Actor, out var actor) && actor == wanted))
                    {
                        found.Add(entry);
                        if (found.Count == count)
                        {
                            return found;
                        }
                    }
                }
            }
            if (read < batch)
            {
                return found;
            }
        }
    }

    /// <summary>
    /// The top-level members of an entry's metadata as text: strings as they are, numbers and
    /// booleans as written, nested values as JSON; null members are left out. Metadata that is
    /// empty or not a JSON object gives no members rather than an error.
    /// </summary>
    public static IReadOnlyDictionary<string, string> ParseMetadata(byte[] metadata)
    {
        var members = new Dictionary<string, string>(StringComparer.Ordinal);
        if (metadata.Length == 0)
        {
            return members;
        }
        try
        {
            using var document = JsonDocument.Parse(metadata);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return members;
            }
            foreach (var member in document.RootElement.EnumerateObject())
            {
                switch (member.Value.ValueKind)
                {
                    case JsonValueKind.Null or JsonValueKind.Undefined:
                        break;
                    case JsonValueKind.String:
                        members[member.Name] = member.Value.GetString()!;
                        break;
                    default:
                        members[member.Name] = member.Value.GetRawText();
                        break;
                }
            }
        }
        catch (Exception e) when (e is JsonException or ArgumentException)
        {
            members.Clear();
        }
        return members;
    }
}
