using System.Text.Json;
using Intake.Core.Contracts;
using Intake.Core.Ledger;
using Intake.Core.Routing;
using Intake.Storage.Ledger;
using Npgsql;

namespace Intake.Storage.Routing;

/// <summary>An entry of a list admins keep (a region or an organisation): an id survivors pick and its names.</summary>
public sealed record RoutingListItem(string Id, string NameEn, string NameZh, bool Active = true);

/// <summary>An advocate's routing profile. Empty <see cref="Regions"/>: every region.</summary>
public sealed record AdvocateProfile(
    Guid AdvocateId,
    bool Active,
    int Capacity,
    IReadOnlyList<string> Channels,
    IReadOnlyList<string> Languages,
    IReadOnlyList<string> Regions,
    IReadOnlyList<string> Affiliations,
    string? NotifyEmail = null);

/// <summary>A case in the waiting queue: ids, the rule that left nobody, and hour-granular times.</summary>
public sealed record WaitingCase(Guid CaseId, string Channel, string Reason, DateTimeOffset Since, int Attempts);

/// <summary>A routing message that failed every retry and sits in an error queue.</summary>
public sealed record RoutingFault(Guid MessageId, string MessageType, Guid? CaseId, string ExceptionType, DateTimeOffset FailedAt, bool Resolved);

/// <summary>One routing decision of a case: whom it chose (or why the case waits) and which rules removed whom.</summary>
public sealed record RecordedDecision(long? Sequence, DateTimeOffset DecidedAt, Guid? AdvocateId, string? ChosenBy, string? WaitingReason, string StepsJson);

public enum RoutingList
{
    Regions,
    Organisations,
}

/// <summary>
/// What admins edit and read about routing: the region and organisation lists, advocates'
/// routing profiles, the rule chain, the waiting queue and failed messages. Every change is an
/// admin action in the ledger, written in the same transaction. The admin console calls these.
/// </summary>
public sealed class RoutingDirectory(NpgsqlDataSource dataSource, LedgerWriter writer)
{
    public const int MaxCapacity = 10_000;

    private static string Table(RoutingList list) => list == RoutingList.Regions ? "intake.routing_regions" : "intake.routing_organisations";

    public async Task<IReadOnlyList<RoutingListItem>> ListAsync(RoutingList list, bool activeOnly = true, CancellationToken cancellationToken = default)
    {
        var items = new List<RoutingListItem>();
        await using var command = dataSource.CreateCommand(
            $"SELECT id, name_en, name_zh, active FROM {Table(list)} WHERE active OR NOT @activeOnly ORDER BY id");
        command.Parameters.AddWithValue("activeOnly", activeOnly);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            items.Add(new RoutingListItem(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetBoolean(3)));
        }
        return items;
    }

    /// <summary>Adds an entry or changes its names or active flag. Entries are never deleted: cases and profiles refer to them.</summary>
    public async Task<AppendedEntry> SaveAsync(RoutingList list, RoutingListItem item, string actor, CancellationToken cancellationToken = default)
    {
        if (!RoutingHints.IsValidListId(item.Id))
        {
            throw new RoutingSettingsException("id", $"'{Truncate(item.Id)}' is not a valid id (lowercase letters, digits and inner hyphens, at most 32).");
        }
        if (item.NameEn.Length is 0 or > 100 || item.NameZh.Length is 0 or > 100)
        {
            throw new RoutingSettingsException("name", "Names have 1 to 100 characters in each language.");
        }
        var action = list == RoutingList.Regions ? "routing.region.save" : "routing.organisation.save";
        var metadata = JsonSerializer.SerializeToUtf8Bytes(new { action, id = item.Id, active = item.Active, actor });
        return await writer.AppendAsync(new LedgerAppend(LedgerEntryKind.AdminAction, Metadata: metadata,
            Companion: async (connection, _, ct) =>
            {
                await using var upsert = new NpgsqlCommand($"""
                    INSERT INTO {Table(list)} (id, name_en, name_zh, active) VALUES (@id, @en, @zh, @active)
                    ON CONFLICT (id) DO UPDATE SET name_en = EXCLUDED.name_en, name_zh = EXCLUDED.name_zh, active = EXCLUDED.active
                    """, connection);
                upsert.Parameters.AddWithValue("id", item.Id);
                upsert.Parameters.AddWithValue("en", item.NameEn);
                upsert.Parameters.AddWithValue("zh", item.NameZh);
                upsert.Parameters.AddWithValue("active", item.Active);
                await upsert.ExecuteNonQueryAsync(ct);
            }), cancellationToken);
    }

    public async Task<IReadOnlyList<AdvocateProfile>> ListProfilesAsync(CancellationToken cancellationToken = default)
    {
        var list = new List<AdvocateProfile>();
        await using var command = dataSource.CreateCommand("""
            SELECT advocate_id, active, capacity, channels, languages, regions, affiliations, notify_email
            FROM intake.advocate_profiles ORDER BY advocate_id
            """);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            list.Add(new AdvocateProfile(reader.GetGuid(0), reader.GetBoolean(1), reader.GetInt32(2), reader.GetFieldValue<string[]>(3),
                reader.GetFieldValue<string[]>(4), reader.GetFieldValue<string[]>(5), reader.GetFieldValue<string[]>(6),
                reader.IsDBNull(7) ? null : reader.GetString(7)));
        }
        return list;
    }

    /// <summary>Where an advocate wants e-mail notices, or null.</summary>
    public async Task<string?> NotifyAddressAsync(Guid advocateId, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand("SELECT notify_email FROM intake.advocate_profiles WHERE advocate_id = @id");
        command.Parameters.AddWithValue("id", advocateId);
        return await command.ExecuteScalarAsync(cancellationToken) as string;
    }

    public async Task<AdvocateProfile?> GetProfileAsync(Guid advocateId, CancellationToken cancellationToken = default) =>
        (await ListProfilesAsync(cancellationToken)).FirstOrDefault(p => p.AdvocateId == advocateId);

    /// <summary>
    /// Creates or replaces an advocate's routing profile after checking every id it names. Raising
    /// her capacity or activating her lets the reconciler's next sweep route waiting cases to her.
    /// </summary>
    public async Task<AppendedEntry> SaveProfileAsync(AdvocateProfile profile, string actor, CancellationToken cancellationToken = default)
    {
        if (profile.AdvocateId == Guid.Empty)
        {
            throw new RoutingSettingsException("advocateId", "An advocate id is a non-empty uuid.");
        }
        if (profile.Capacity is < 0 or > MaxCapacity)
        {
            throw new RoutingSettingsException("capacity", $"Capacity (the most open cases) is between 0 and {MaxCapacity}.");
        }
        if (profile.Languages.Any(l => !RoutingHints.Languages.Contains(l)) || profile.Languages.Distinct().Count() != profile.Languages.Count)
        {
            throw new RoutingSettingsException("languages", "Languages are \"zh\" and \"en\", each at most once.");
        }
        if (profile.NotifyEmail is { } email && (email.Length is < 3 or > 254 || !System.Net.Mail.MailAddress.TryCreate(email, out _)))
        {
            throw new RoutingSettingsException("notifyEmail", "The notification address is not an e-mail address.");
        }
        await RequireKnownAsync("channels", "SELECT id FROM intake.channels WHERE id = ANY(@ids)", profile.Channels, cancellationToken);
        await RequireKnownAsync("regions", "SELECT id FROM intake.routing_regions WHERE id = ANY(@ids)", profile.Regions, cancellationToken);
        await RequireKnownAsync("affiliations", "SELECT id FROM intake.routing_organisations WHERE id = ANY(@ids)", profile.Affiliations, cancellationToken);
        // The e-mail address is personal data; the ledger records that a profile changed and how it routes.
        var metadata = JsonSerializer.SerializeToUtf8Bytes(new
        {
            action = "routing.profile.save",
            advocate = profile.AdvocateId,
            active = profile.Active,
            capacity = profile.Capacity,
            channels = profile.Channels,
            languages = profile.Languages,
            regions = profile.Regions,
            affiliations = profile.Affiliations,
            actor,
        });
        return await writer.AppendAsync(new LedgerAppend(LedgerEntryKind.AdminAction, Metadata: metadata,
            Companion: async (connection, _, ct) =>
            {
                await using var upsert = new NpgsqlCommand("""
                    INSERT INTO intake.advocate_profiles (advocate_id, active, capacity, channels, languages, regions, affiliations, notify_email, updated_on)
                    VALUES (@id, @active, @capacity, @channels, @languages, @regions, @affiliations, @email, current_date)
                    ON CONFLICT (advocate_id) DO UPDATE SET active = EXCLUDED.active, capacity = EXCLUDED.capacity,
                        channels = EXCLUDED.channels, languages = EXCLUDED.languages, regions = EXCLUDED.regions,
                        affiliations = EXCLUDED.affiliations, notify_email = EXCLUDED.notify_email, updated_on = current_date
                    """, connection);
                upsert.Parameters.AddWithValue("id", profile.AdvocateId);
                upsert.Parameters.AddWithValue("active", profile.Active);
                upsert.Parameters.AddWithValue("capacity", profile.Capacity);
                upsert.Parameters.AddWithValue("channels", profile.Channels.Distinct().ToArray());
                upsert.Parameters.AddWithValue("languages", profile.Languages.ToArray());
                upsert.Parameters.AddWithValue("regions", profile.Regions.Distinct().ToArray());
                upsert.Parameters.AddWithValue("affiliations", profile.Affiliations.Distinct().ToArray());
                upsert.Parameters.AddWithValue("email", (object?)profile.NotifyEmail ?? DBNull.Value);
                await upsert.ExecuteNonQueryAsync(ct);
            }), cancellationToken);
    }

    /// <summary>
    /// Checks a survivor's hints against the lists: the region and every excluded organisation must
    /// be an active entry. Returns the problem (member name and message) or null when they are fine.
    /// </summary>
    public async Task<(string Field, string Message)?> CheckHintsAsync(RoutingHints hints, CancellationToken cancellationToken = default)
    {
        if (hints.Language is { } language && !RoutingHints.Languages.Contains(language))
        {
            return ("routing.language", "The language is \"zh\" or \"en\".");
        }
        if (hints.Exclusions.Count > RoutingHints.MaxExclusions)
        {
            return ("routing.exclude", $"At most {RoutingHints.MaxExclusions} organisations can be excluded.");
        }
        if (hints.Region is { } region && (!RoutingHints.IsValidListId(region)
            || (await KnownAsync("SELECT id FROM intake.routing_regions WHERE active AND id = ANY(@ids)", [region], cancellationToken)).Count == 0))
        {
            return ("routing.region", "There is no such region; choose one from GET /api/routing/regions.");
        }
        if (hints.Exclusions.Count > 0)
        {
            var known = hints.Exclusions.All(RoutingHints.IsValidListId)
                ? await KnownAsync("SELECT id FROM intake.routing_organisations WHERE active AND id = ANY(@ids)", hints.Exclusions, cancellationToken)
                : [];
            var unknown = hints.Exclusions.Select((id, i) => (id, i)).FirstOrDefault(x => !known.Contains(x.id));
            if (unknown.id is not null)
            {
                return ($"routing.exclude[{unknown.i}]", "There is no such organisation; choose from GET /api/routing/organisations.");
            }
        }
        return null;
    }

    /// <summary>The rule chain as admins read it, in "en" or "zh".</summary>
    public static IReadOnlyList<(string Name, string Explanation)> RuleChainDescription(string language = "en") =>
        RuleChain.Standard.Describe(language);

    public async Task<IReadOnlyList<WaitingCase>> WaitingQueueAsync(int limit = 500, CancellationToken cancellationToken = default)
    {
        var list = new List<WaitingCase>();
        await using var command = dataSource.CreateCommand("""
            SELECT w.case_id, c.channel, w.reason, w.since, w.attempts
            FROM intake.routing_waiting w JOIN intake.cases c ON c.id = w.case_id
            ORDER BY w.since, w.case_id LIMIT @limit
            """);
        command.Parameters.AddWithValue("limit", limit);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            list.Add(new WaitingCase(reader.GetGuid(0), reader.GetString(1), reader.GetString(2), reader.GetFieldValue<DateTimeOffset>(3), reader.GetInt32(4)));
        }
        return list;
    }

    /// <summary>How many routing messages failed every retry and were not yet resolved by an admin.</summary>
    public async Task<long> UnresolvedFaultCountAsync(CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand("SELECT count(*) FROM intake.routing_faults WHERE NOT resolved");
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    public async Task<IReadOnlyList<RoutingFault>> FaultsAsync(bool unresolvedOnly = true, CancellationToken cancellationToken = default)
    {
        var list = new List<RoutingFault>();
        await using var command = dataSource.CreateCommand("""
            SELECT message_id, message_type, case_id, exception_type, failed_at, resolved FROM intake.routing_faults
            WHERE NOT resolved OR NOT @unresolvedOnly ORDER BY failed_at, message_id
            """);
        command.Parameters.AddWithValue("unresolvedOnly", unresolvedOnly);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            list.Add(new RoutingFault(reader.GetGuid(0), reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetGuid(2),
                reader.GetString(3), reader.GetFieldValue<DateTimeOffset>(4), reader.GetBoolean(5)));
        }
        return list;
    }

    /// <summary>An admin marks a failed message as dealt with (moved or dropped in RabbitMQ); an admin action in the ledger.</summary>
    public async Task<AppendedEntry> ResolveFaultAsync(Guid messageId, string actor, CancellationToken cancellationToken = default)
    {
        var metadata = JsonSerializer.SerializeToUtf8Bytes(new { action = "routing.fault.resolve", message = messageId, actor });
        return await writer.AppendAsync(new LedgerAppend(LedgerEntryKind.AdminAction, Metadata: metadata,
            Companion: async (connection, _, ct) =>
            {
                await using var update = new NpgsqlCommand("UPDATE intake.routing_faults SET resolved = true WHERE message_id = @id AND NOT resolved", connection);
                update.Parameters.AddWithValue("id", messageId);
                if (await update.ExecuteNonQueryAsync(ct) != 1)
                {
                    throw new LedgerAppendException("There is no unresolved fault with this message id.");
                }
            }), cancellationToken);
    }

    /// <summary>Records a routing message that failed every retry (idempotent per message id); the first time, the admins are told.</summary>
    public async Task<bool> RecordFaultAsync(Guid messageId, string messageType, Guid? caseId, string exceptionType, DateTimeOffset hour, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand("""
            WITH fault AS (
                INSERT INTO intake.routing_faults (message_id, message_type, case_id, exception_type, failed_at)
                VALUES (@id, @type, @case, @exception, @hour)
                ON CONFLICT (message_id) DO NOTHING
                RETURNING message_id)
            INSERT INTO intake.staff_notifications (id, audience, kind, case_id, source_id, created_at)
            SELECT @notice, 'admins', 'routing_fault', NULL, message_id, @hour FROM fault
            ON CONFLICT DO NOTHING
            RETURNING 1
            """);
        command.Parameters.AddWithValue("id", messageId);
        command.Parameters.AddWithValue("type", Truncate(messageType, 200));
        command.Parameters.Add(new NpgsqlParameter("case", NpgsqlTypes.NpgsqlDbType.Uuid) { Value = (object?)caseId ?? DBNull.Value });
        command.Parameters.AddWithValue("exception", Truncate(exceptionType, 200));
        command.Parameters.AddWithValue("hour", RoutingTime.Hour(hour));
        command.Parameters.AddWithValue("notice", Guid.NewGuid());
        return await command.ExecuteScalarAsync(cancellationToken) is not null;
    }

    /// <summary>The routing decisions of a case, oldest first.</summary>
    public async Task<IReadOnlyList<RecordedDecision>> DecisionsAsync(Guid caseId, CancellationToken cancellationToken = default)
    {
        var list = new List<RecordedDecision>();
        await using var command = dataSource.CreateCommand("""
            SELECT decided_seq, decided_at, advocate_id, chosen_by, waiting_reason, steps::text FROM intake.routing_decisions
            WHERE case_id = @case ORDER BY decided_at, decided_seq NULLS FIRST
            """);
        command.Parameters.AddWithValue("case", caseId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            list.Add(new RecordedDecision(reader.IsDBNull(0) ? null : reader.GetInt64(0), reader.GetFieldValue<DateTimeOffset>(1),
                reader.IsDBNull(2) ? null : reader.GetGuid(2), reader.IsDBNull(3) ? null : reader.GetString(3),
                reader.IsDBNull(4) ? null : reader.GetString(4), reader.GetString(5)));
        }
        return list;
    }

    private async Task RequireKnownAsync(string field, string sql, IReadOnlyList<string> ids, CancellationToken cancellationToken)
    {
        if (ids.Count == 0)
        {
            return;
        }
        var known = await KnownAsync(sql, ids, cancellationToken);
        if (ids.FirstOrDefault(id => !known.Contains(id)) is { } unknown)
        {
            throw new RoutingSettingsException(field, $"'{Truncate(unknown)}' is not a known id.");
        }
    }

    private async Task<HashSet<string>> KnownAsync(string sql, IReadOnlyList<string> ids, CancellationToken cancellationToken)
    {
        var known = new HashSet<string>(StringComparer.Ordinal);
        await using var command = dataSource.CreateCommand(sql);
        command.Parameters.AddWithValue("ids", ids.ToArray());
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            known.Add(reader.GetString(0));
        }
        return known;
    }

    private static string Truncate(string text, int length = 40) => text.Length > length ? text[..length] : text;
}
