using System.Text.Json;
using Intake.Core.Crypto;
using Intake.Core.Ledger;
using Intake.Storage.Cases;
using Intake.Storage.Ledger;
using Npgsql;

namespace Intake.Storage.Workspace;

/// <summary>A case on an advocate's list. Times tied to the case are coarse (hours, days).</summary>
public sealed record AssignedCase(Guid Id, string Channel, string Status, DateOnly OpenedOn, DateTimeOffset AssignedAt, DateTimeOffset? FirstOpenedAt);

/// <summary>
/// One ledger entry of a case as a reader receives it: its public record (envelope header or
/// stream header, hashes) and the content keys sealed to the reader's keys. Ciphertext only.
/// </summary>
public sealed record CaseEntry(long Sequence, LedgerEntryKind Kind, DateOnly Day, string Record, IReadOnlyDictionary<string, byte[]> SealedKeys, Guid? Author);

/// <summary>Everything a case's reader needs to decrypt it in her browser.</summary>
public sealed record CaseFile(Guid Id, string Channel, string Status, DateOnly OpenedOn, byte[] HeaderHash, IReadOnlyList<CaseEntry> Entries);

/// <summary>The facts of a case a reply is checked against.</summary>
public sealed record CaseFacts(string Channel, string Status, byte[] HeaderHash, byte[] ReplyKey)
{
    public byte[] ReplyKeyId => RecipientKeys.KeyId(ReplyKey);
}

/// <summary>The statuses an advocate may set; 'withdrawn' belongs to the survivor alone.</summary>
public static class CaseStatuses
{
    public static readonly IReadOnlyList<string> Settable = ["new", "in_review", "waiting_for_survivor", "referred", "closed"];
}

public enum WorkspaceFailure
{
    Invalid,
    NotFound,
    Conflict,
}

public sealed class WorkspaceException(WorkspaceFailure kind, string field, string message) : LedgerAppendException(message)
{
    public WorkspaceFailure Kind { get; } = kind;
    public string Field { get; } = field;
}

/// <summary>
/// The advocate's side of a case: her list, the case file, replies, notes and status. Every read
/// of content and every change is a ledger entry, so the access log is tamper-evident.
/// Authorization (is she assigned?) is the caller's first step: see <see cref="IsAssignedAsync"/>.
/// </summary>
public sealed class CaseWorkspaceStore(NpgsqlDataSource dataSource, SubmissionStore submissions, LedgerWriter writer)
{
    public async Task<IReadOnlyList<AssignedCase>> AssignedToAsync(Guid advocateId, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand("""
            SELECT c.id, c.channel, c.status, c.opened_on, a.assigned_at, a.opened_at
            FROM intake.case_assignments a JOIN intake.cases c ON c.id = a.case_id
            WHERE a.advocate_id = @advocate AND a.ended_at IS NULL
            ORDER BY c.opened_on, a.assigned_at, c.id
            """);
        command.Parameters.AddWithValue("advocate", advocateId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var cases = new List<AssignedCase>();
        while (await reader.ReadAsync(cancellationToken))
        {
            cases.Add(new AssignedCase(reader.GetGuid(0), reader.GetString(1), reader.GetString(2), reader.GetFieldValue<DateOnly>(3),
                reader.GetFieldValue<DateTimeOffset>(4), reader.IsDBNull(5) ? null : reader.GetFieldValue<DateTimeOffset>(5)));
        }
        return cases;
    }

    /// <summary>True when the advocate holds the case's active assignment.</summary>
    public async Task<bool> IsAssignedAsync(Guid caseId, Guid advocateId, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand(
            "SELECT EXISTS (SELECT 1 FROM intake.case_assignments WHERE case_id = @case AND advocate_id = @advocate AND ended_at IS NULL)");
        command.Parameters.AddWithValue("case", caseId);
        command.Parameters.AddWithValue("advocate", advocateId);
        return await command.ExecuteScalarAsync(cancellationToken) is true;
    }

    /// <summary>
    /// The case file for a reader holding these key ids: the submission, follow-ups, replies and
    /// notes in ledger order, each with the content keys sealed to her keys (if any).
    /// </summary>
    public async Task<CaseFile?> ReadAsync(Guid caseId, IReadOnlyCollection<byte[]> keyIds, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        CaseFile? file = null;
        await using (var command = new NpgsqlCommand("SELECT channel, status, opened_on, header_hash FROM intake.cases WHERE id = @id", connection))
        {
            command.Parameters.AddWithValue("id", caseId);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            if (await reader.ReadAsync(cancellationToken))
            {
                file = new CaseFile(caseId, reader.GetString(0), reader.GetString(1), reader.GetFieldValue<DateOnly>(2), (byte[])reader[3], []);
            }
        }
        if (file is null)
        {
            return null;
        }
        var entries = new List<CaseEntry>();
        await using (var command = new NpgsqlCommand("""
            SELECT e.seq, e.kind, e.entry_day, p.ciphertext, e.metadata,
                   coalesce((SELECT array_agg(w.key_id ORDER BY w.key_id) FROM intake.ledger_wrapped_keys w WHERE w.seq = e.seq AND w.key_id = ANY(@kids)), '{}'),
                   coalesce((SELECT array_agg(w.wrapped ORDER BY w.key_id) FROM intake.ledger_wrapped_keys w WHERE w.seq = e.seq AND w.key_id = ANY(@kids)), '{}')
            FROM intake.ledger_entries e JOIN intake.ledger_payloads p ON p.seq = e.seq
            WHERE e.case_id = @id AND e.kind = ANY(@kinds)
            ORDER BY e.seq
            """, connection))
        {
            command.Parameters.AddWithValue("id", caseId);
            command.Parameters.AddWithValue("kids", keyIds.ToArray());
            command.Parameters.AddWithValue("kinds", new[] { (short)LedgerEntryKind.Submission, (short)LedgerEntryKind.FollowUp, (short)LedgerEntryKind.Reply, (short)LedgerEntryKind.Note });
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                var kids = (byte[][])reader[5];
                var wrapped = (byte[][])reader[6];
                var sealedKeys = kids.Select((k, i) => (Base64UrlStrict.Encode(k), wrapped[i])).ToDictionary(p => p.Item1, p => p.Item2, StringComparer.Ordinal);
                entries.Add(new CaseEntry(reader.GetInt64(0), (LedgerEntryKind)reader.GetInt16(1), reader.GetFieldValue<DateOnly>(2),
                    System.Text.Encoding.UTF8.GetString((byte[])reader[3]), sealedKeys, Author((byte[])reader[4])));
            }
        }
        return file with { Entries = entries };
    }

    /// <summary>An audit entry: who opened the case, or downloaded which stream of it.</summary>
    public Task<AppendedEntry> RecordAccessAsync(Guid caseId, Guid advocateId, string action, byte[]? streamId = null, CancellationToken cancellationToken = default) =>
        writer.AppendAsync(new LedgerAppend(LedgerEntryKind.Access, caseId,
            Metadata: JsonSerializer.SerializeToUtf8Bytes(new { action, actor = advocateId, stream = streamId is null ? null : Base64UrlStrict.Encode(streamId) })),
            cancellationToken);

    /// <summary>
    /// Records a reply to the survivor or a note for the case team. Both are reply envelopes
    /// (docs/crypto.md §5.6) whose parent is the submission; a reply must be sealed to the
    /// survivor's reply key, a note must not be.
    /// </summary>
    public async Task<AppendedEntry> AddMessageAsync(Guid caseId, Guid advocateId, LedgerEntryKind kind, Envelope envelope, IReadOnlyList<Guid> uploads,
        CancellationToken cancellationToken = default)
    {
        if (kind is not (LedgerEntryKind.Reply or LedgerEntryKind.Note))
        {
            throw new ArgumentOutOfRangeException(nameof(kind));
        }
        var header = envelope.Header;
        var (channel, status, headerHash, replyKey) = await FactsAsync(caseId, cancellationToken)
            ?? throw new WorkspaceException(WorkspaceFailure.NotFound, "case", "There is no such case.");
        if (status == "withdrawn")
        {
            throw new WorkspaceException(WorkspaceFailure.Conflict, "case", "The survivor withdrew this case.");
        }
        if (header.Kind != EnvelopeKind.Reply || header.Parent is not { } parent || !parent.Span.SequenceEqual(headerHash))
        {
            throw new WorkspaceException(WorkspaceFailure.Invalid, "envelope.parent", "A reply or note is a reply envelope whose parent is this case's submission.");
        }
        if (header.ChannelId != channel || !header.ReplyPublicKey.Span.SequenceEqual(replyKey))
        {
            throw new WorkspaceException(WorkspaceFailure.Invalid, "envelope.replyKey", "The envelope names another channel or another survivor key than this case's.");
        }
        var survivorKid = RecipientKeys.KeyId(replyKey);
        var toSurvivor = header.RecipientKeyIds.Any(k => k.Span.SequenceEqual(survivorKid));
        if (toSurvivor != (kind == LedgerEntryKind.Reply))
        {
            throw new WorkspaceException(WorkspaceFailure.Invalid, "envelope.recipients", kind == LedgerEntryKind.Reply
                ? "A reply must be sealed to the survivor's reply key."
                : "A note is for the case team only: it must not be sealed to the survivor's reply key.");
        }
        if (uploads.Count != header.Streams.Count || uploads.Distinct().Count() != uploads.Count)
        {
            throw new WorkspaceException(WorkspaceFailure.Invalid, "uploads", $"List one distinct upload per stream of the envelope ({header.Streams.Count}).");
        }
        var digests = await submissions.DigestCompleteUploadsAsync(uploads, header.Streams, lookupId: null, cancellationToken);
        var payload = SubmissionStore.SubmissionRecord(envelope, digests);
        var keys = envelope.Recipients.Select(r => new WrappedKey(r.KeyId, (byte[])[.. r.Enc.Span, .. r.SealedKey.Span])).ToList();
        var metadata = JsonSerializer.SerializeToUtf8Bytes(new { actor = advocateId });
        var claimed = uploads.ToArray();
        return await writer.AppendAsync(new LedgerAppend(kind, caseId, payload, keys, Metadata: metadata,
            Companion: async (connection, _, ct) =>
            {
                await using var claim = new NpgsqlCommand(
                    "UPDATE intake.uploads SET case_id = @case WHERE id = ANY(@uploads) AND case_id IS NULL AND received_length = total_length", connection);
                claim.Parameters.AddWithValue("case", caseId);
                claim.Parameters.AddWithValue("uploads", claimed);
                if (await claim.ExecuteNonQueryAsync(ct) != claimed.Length)
                {
                    throw new WorkspaceException(WorkspaceFailure.Conflict, "uploads", "An upload was claimed by another message meanwhile.");
                }
            }), cancellationToken);
    }

    /// <summary>Sets the case's status; a ledger entry naming the advocate and both statuses.</summary>
    public async Task<AppendedEntry> ChangeStatusAsync(Guid caseId, Guid advocateId, string status, CancellationToken cancellationToken = default)
    {
        if (!CaseStatuses.Settable.Contains(status))
        {
            throw new WorkspaceException(WorkspaceFailure.Invalid, "status", $"A status is one of: {string.Join(", ", CaseStatuses.Settable)}.");
        }
        var facts = await FactsAsync(caseId, cancellationToken)
            ?? throw new WorkspaceException(WorkspaceFailure.NotFound, "case", "There is no such case.");
        if (facts.Status == "withdrawn")
        {
            throw new WorkspaceException(WorkspaceFailure.Conflict, "case", "The survivor withdrew this case.");
        }
        var metadata = JsonSerializer.SerializeToUtf8Bytes(new { action = "status", from = facts.Status, to = status, actor = advocateId });
        return await writer.AppendAsync(new LedgerAppend(LedgerEntryKind.StatusChange, caseId, Metadata: metadata,
            Companion: async (connection, _, ct) =>
            {
                await using var update = new NpgsqlCommand(
                    "UPDATE intake.cases SET status = @status WHERE id = @id AND status = @from", connection);
                update.Parameters.AddWithValue("status", status);
                update.Parameters.AddWithValue("id", caseId);
                update.Parameters.AddWithValue("from", facts.Status);
                if (await update.ExecuteNonQueryAsync(ct) != 1)
                {
                    throw new WorkspaceException(WorkspaceFailure.Conflict, "status", "The status changed meanwhile; reload the case.");
                }
            }), cancellationToken);
    }

    /// <summary>What a reply must match: the case's channel, status, submission header hash and survivor reply key.</summary>
    public async Task<CaseFacts?> FactsAsync(Guid caseId, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand("""
            SELECT c.channel, c.status, c.header_hash, p.ciphertext
            FROM intake.cases c JOIN intake.ledger_payloads p ON p.seq = c.submission_seq WHERE c.id = @id
            """);
        command.Parameters.AddWithValue("id", caseId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }
        using var record = JsonDocument.Parse((byte[])reader[3]);
        var replyKey = Base64UrlStrict.TryDecode(record.RootElement.GetProperty("replyKey").GetString())
            ?? throw new InvalidOperationException("A stored submission record has no reply key.");
        return new CaseFacts(reader.GetString(0), reader.GetString(1), (byte[])reader[2], replyKey);
    }

    private static Guid? Author(byte[] metadata)
    {
        if (metadata.Length == 0)
        {
            return null;
        }
        using var document = JsonDocument.Parse(metadata);
        return document.RootElement.ValueKind == JsonValueKind.Object
            && document.RootElement.TryGetProperty("actor", out var actor) && actor.TryGetGuid(out var id) ? id : null;
    }
}
