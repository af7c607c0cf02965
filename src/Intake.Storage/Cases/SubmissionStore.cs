using System.Text.Json;
using Intake.Core.Crypto;
using Intake.Core.Ledger;
using Intake.Storage.Ledger;
using Npgsql;

namespace Intake.Storage.Cases;

/// <summary>A submission whose envelope passed the shape validator.</summary>
/// <param name="Routing">The survivor's routing hints (ids only, checked by the caller against the lists); optional.</param>
/// <remarks><see cref="KeepDays"/> is the period the survivor chose herself: her case is purged that many days after the
/// day it was received, sooner than any policy would (docs/retention.md §1); null follows the policies.</remarks>
public sealed record SubmissionRequest(Envelope Envelope, IReadOnlyList<Guid> Uploads, byte[] LookupId, byte[] Vault,
    Intake.Core.Contracts.RoutingHints? Routing = null, int? KeepDays = null)
{
    public const int MinKeepDays = 1;
    public const int MaxKeepDays = 3650;
}

/// <summary>What the survivor's browser is told: where her testimony sits in the ledger.</summary>
public sealed record AcceptedSubmission(Guid CaseId, long Sequence, DateOnly Day, byte[] LeafHash, byte[] HeaderHash);

public enum SubmissionFailure
{
    Invalid,
    NotFound,
    Conflict,
}

/// <summary>A submission was refused; nothing of it is stored. <see cref="Field"/> names the request member.</summary>
public sealed class SubmissionException(SubmissionFailure kind, string field, string message) : LedgerAppendException(message)
{
    public SubmissionFailure Kind { get; } = kind;
    public string Field { get; } = field;
}

/// <summary>
/// Accepts a submission: checks that every stream it lists was uploaded whole and matches the
/// envelope, then appends one ledger entry whose payload commits to the envelope and to the
/// SHA-256 of every stream, and, in the same transaction, the case, the survivor's vault and the
/// uploads' claim. Either all of it is stored or none of it.
/// </summary>
public sealed class SubmissionStore(NpgsqlDataSource dataSource, UploadStore uploadStore, LedgerWriter writer)
{
    public const int MaxVaultLength = 4096;

    public async Task<AcceptedSubmission> AcceptAsync(SubmissionRequest request, CancellationToken cancellationToken = default)
    {
        var header = request.Envelope.Header;
        if (header.Kind != EnvelopeKind.Submission)
        {
            throw new SubmissionException(SubmissionFailure.Invalid, "envelope.kind", "Only a submission envelope starts a case.");
        }
        if (request.KeepDays is < SubmissionRequest.MinKeepDays or > SubmissionRequest.MaxKeepDays)
        {
            throw new SubmissionException(SubmissionFailure.Invalid, "keepDays",
                $"A period of her own is {SubmissionRequest.MinKeepDays} to {SubmissionRequest.MaxKeepDays} days.");
        }
        if (request.LookupId.Length != 32)
        {
            throw new SubmissionException(SubmissionFailure.Invalid, "lookupId", "The lookup id is 32 bytes.");
        }
        if (request.Vault.Length is 0 or > MaxVaultLength)
        {
            throw new SubmissionException(SubmissionFailure.Invalid, "vault", $"The vault has 1 to {MaxVaultLength} bytes.");
        }
        if (request.Uploads.Count != header.Streams.Count || request.Uploads.Distinct().Count() != request.Uploads.Count)
        {
            throw new SubmissionException(SubmissionFailure.Invalid, "uploads", $"List one distinct upload per stream of the envelope ({header.Streams.Count}).");
        }
        // The receipt and every upload are checked in one round trip: these run for every submission.
        var digests = await DigestCompleteUploadsAsync(request.Uploads, header.Streams, request.LookupId, cancellationToken);

        var caseId = Guid.NewGuid();
        var headerHash = header.ComputeHash();
        var payload = SubmissionRecord(request.Envelope, digests);
        var keys = request.Envelope.Recipients
            .Select(r => new WrappedKey(r.KeyId, (byte[])[.. r.Enc.Span, .. r.SealedKey.Span]))
            .ToList();
        // Her own period is public metadata of the entry, so the ledger holds her choice and nobody can change it unseen.
        var metadata = request.KeepDays is { } keepDays
            ? JsonSerializer.SerializeToUtf8Bytes(new { channel = header.ChannelId, keep_days = keepDays })
            : JsonSerializer.SerializeToUtf8Bytes(new { channel = header.ChannelId });
        // The case, the vault, the upload claims and the routing hints (kept with the case so the reconciler can route
        // it again after a crash, docs/routing.md): with the batch's other submissions, or alone if the batch is refused.
        var row = new SubmissionRow(caseId, header.ChannelId, request.LookupId, headerHash, request.Vault, [.. request.Uploads], request.Routing,
            request.KeepDays);

        var entry = await writer.AppendAsync(new LedgerAppend(LedgerEntryKind.Submission, caseId, payload, keys, Metadata: metadata,
            Rows: new LedgerRows(SubmissionRows.Instance, row),
            Companion: (connection, sequence, ct) => SubmissionRows.WriteOneAsync(connection, sequence, row, ct)), cancellationToken);
        return new AcceptedSubmission(caseId, entry.Sequence, entry.Day, entry.LeafHash, headerHash);
    }

    /// <summary>A submission's rows for <see cref="SubmissionRows"/>: the case, the vault, its uploads and its routing hints.</summary>
    private sealed record SubmissionRow(Guid CaseId, string Channel, byte[] LookupId, byte[] HeaderHash, byte[] Vault, Guid[] Uploads,
        Intake.Core.Contracts.RoutingHints? Routing, int? KeepDays);

    /// <summary>
    /// The companion of every submission in a ledger batch, set-based: the cases, the vaults and the upload claims of the
    /// whole batch in three statements of the batch's single round trip (routing hints, when given, one statement each).
    /// A lookup id already taken or an upload already claimed shows in the counts; the ledger then writes the batch again
    /// entry by entry (<see cref="WriteOneAsync"/>, the same statements for one submission), which says which it was.
    /// </summary>
    private sealed class SubmissionRows : ILedgerRowsWriter
    {
        public static readonly SubmissionRows Instance = new();

        public Action Add(NpgsqlBatch batch, IReadOnlyList<(long Sequence, object Row)> rows)
        {
            var (cases, claims, uploads) = AddCommands(batch, [.. rows.Select(r => (r.Sequence, (SubmissionRow)r.Row))]);
            return () =>
            {
                if (cases.RecordsAffected != rows.Count || claims.RecordsAffected != uploads)
                {
                    throw new LedgerAppendException("A lookup id of the batch was taken or an upload claimed meanwhile.");
                }
            };
        }

        /// <summary>One submission's rows in their own round trip, refused with the reason when its receipt or an upload is taken.</summary>
        public static async Task WriteOneAsync(NpgsqlConnection connection, long sequence, SubmissionRow row, CancellationToken cancellationToken)
        {
            await using var batch = new NpgsqlBatch(connection);
            var (cases, claims, uploads) = AddCommands(batch, [(sequence, row)]);
            await batch.ExecuteNonQueryAsync(cancellationToken);
            if (cases.RecordsAffected != 1)
            {
                throw new SubmissionException(SubmissionFailure.Conflict, "lookupId", "This receipt is already in use; make a new one.");
            }
            if (claims.RecordsAffected != uploads)
            {
                throw new SubmissionException(SubmissionFailure.Conflict, "uploads", "An upload was claimed by another submission meanwhile.");
            }
        }

        private static (NpgsqlBatchCommand Cases, NpgsqlBatchCommand Claims, int Uploads) AddCommands(
            NpgsqlBatch batch, IReadOnlyList<(long Sequence, SubmissionRow Row)> submissions)
        {
            var cases = new NpgsqlBatchCommand("""
                INSERT INTO intake.cases (id, channel, lookup_id, submission_seq, header_hash, opened_on, keep_days)
                SELECT id, channel, lookup_id, seq, hash, (now() AT TIME ZONE 'UTC')::date, keep
                FROM unnest(@id, @channel, @lookup, @seq, @hash, @keep) AS t(id, channel, lookup_id, seq, hash, keep)
                ON CONFLICT (lookup_id) DO NOTHING
                """);
            cases.Parameters.Add(new NpgsqlParameter("id", submissions.Select(s => s.Row.CaseId).ToArray()));
            cases.Parameters.Add(new NpgsqlParameter("channel", submissions.Select(s => s.Row.Channel).ToArray()));
            cases.Parameters.Add(new NpgsqlParameter("lookup", submissions.Select(s => s.Row.LookupId).ToArray()));
            cases.Parameters.Add(new NpgsqlParameter("seq", submissions.Select(s => s.Sequence).ToArray()));
            cases.Parameters.Add(new NpgsqlParameter("hash", submissions.Select(s => s.Row.HeaderHash).ToArray()));
            cases.Parameters.Add(new NpgsqlParameter("keep", submissions.Select(s => s.Row.KeepDays).ToArray()));
            // Vaults of cases refused above fail their deferred foreign key; the caller's check rolls them back first.
            var vaults = new NpgsqlBatchCommand("INSERT INTO intake.case_vaults (case_id, vault) SELECT * FROM unnest(@id, @vault)");
            vaults.Parameters.Add(new NpgsqlParameter("id", submissions.Select(s => s.Row.CaseId).ToArray()));
            vaults.Parameters.Add(new NpgsqlParameter("vault", submissions.Select(s => s.Row.Vault).ToArray()));
            var uploads = submissions.SelectMany(s => s.Row.Uploads.Select(u => (Upload: u, s.Row.CaseId))).ToList();
            var claims = new NpgsqlBatchCommand("""
                UPDATE intake.uploads u SET case_id = x.case_id
                FROM unnest(@upload, @case) AS x(id, case_id)
                WHERE u.id = x.id AND u.case_id IS NULL AND u.received_length = u.total_length
                """);
            claims.Parameters.Add(new NpgsqlParameter("upload", uploads.Select(u => u.Upload).ToArray()));
            claims.Parameters.Add(new NpgsqlParameter("case", uploads.Select(u => u.CaseId).ToArray()));
            batch.BatchCommands.Add(cases);
            batch.BatchCommands.Add(vaults);
            batch.BatchCommands.Add(claims);
            foreach (var (_, row) in submissions.Where(s => s.Row.Routing is { IsEmpty: false }))
            {
                batch.BatchCommands.Add(Routing.RoutingHintsStore.InsertCommand(row.CaseId, row.Routing!));
            }
            return (cases, claims, uploads.Count);
        }
    }

    // The SHA-256 of each stream, which the ledger commits to: computed when its last part arrived (or, for an upload
    // completed before that was done, read from the database in order now). With a lookup id, the same round trip
    // checks that no case holds it yet; the writer's unique index still decides a race between two submissions.
    internal async Task<List<byte[]>> DigestCompleteUploadsAsync(IReadOnlyList<Guid> uploads, IReadOnlyList<StreamHeader> expected,
        byte[]? lookupId, CancellationToken cancellationToken)
    {
        var rows = new (byte[] Header, long Total, long Received, bool Claimed, byte[]? Digest)?[uploads.Count];
        await using (var connection = await dataSource.OpenConnectionAsync(cancellationToken))
        await using (var batch = new NpgsqlBatch(connection))
        {
            if (lookupId is not null)
            {
                var taken = new NpgsqlBatchCommand("SELECT EXISTS (SELECT 1 FROM intake.cases WHERE lookup_id = @lookup)");
                taken.Parameters.AddWithValue("lookup", lookupId);
                batch.BatchCommands.Add(taken);
            }
            var select = new NpgsqlBatchCommand("""
                SELECT x.ord, u.header, u.total_length, u.received_length, u.case_id, u.digest
                FROM unnest(@ids) WITH ORDINALITY AS x(id, ord) JOIN intake.uploads u ON u.id = x.id
                """);
            select.Parameters.AddWithValue("ids", uploads.ToArray());
            batch.BatchCommands.Add(select);
            await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
            if (lookupId is not null)
            {
                await reader.ReadAsync(cancellationToken);
                if (reader.GetBoolean(0))
                {
                    throw new SubmissionException(SubmissionFailure.Conflict, "lookupId", "This receipt is already in use; make a new one.");
                }
                await reader.NextResultAsync(cancellationToken);
            }
            while (await reader.ReadAsync(cancellationToken))
            {
                rows[reader.GetInt64(0) - 1] = ((byte[])reader[1], reader.GetInt64(2), reader.GetInt64(3), !reader.IsDBNull(4),
                    reader.IsDBNull(5) ? null : (byte[])reader[5]);
            }
            for (var i = 0; i < uploads.Count; i++)
            {
                var field = $"uploads[{i}]";
                if (rows[i] is not { } row)
                {
                    throw new SubmissionException(SubmissionFailure.NotFound, field, "There is no upload with this id.");
                }
                if (row.Claimed)
                {
                    throw new SubmissionException(SubmissionFailure.Conflict, field, "This upload already belongs to a submission.");
                }
                if (!row.Header.AsSpan().SequenceEqual(expected[i].Encode()))
                {
                    throw new SubmissionException(SubmissionFailure.Invalid, field, "The upload's stream header is not the one the envelope lists at this position.");
                }
                if (row.Total != row.Received)
                {
                    throw new SubmissionException(SubmissionFailure.Invalid, field, $"The upload is incomplete: {row.Received} of {row.Total} bytes received.");
                }
            }
        }
        var result = new List<byte[]>(uploads.Count);
        for (var i = 0; i < uploads.Count; i++)
        {
            result.Add(rows[i]!.Value.Digest ?? await uploadStore.DigestAsync(uploads[i], cancellationToken));
        }
        return result;
    }

    /// <summary>
    /// The ledger payload of a submission or reply: the envelope without its sealed keys (those live in
    /// ledger_wrapped_keys, so revoking a key or purging a case removes them) and the SHA-256 of
    /// each stream, in envelope order. See docs/ledger.md.
    /// </summary>
    public static byte[] SubmissionRecord(Envelope envelope, IReadOnlyList<byte[]> streamDigests)
    {
        var header = envelope.Header;
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteNumber("v", 1);
            json.WriteString("kind", header.Kind == EnvelopeKind.Reply ? "reply" : "submission");
            json.WriteString("channel", header.ChannelId);
            if (header.Parent is { } parent)
            {
                json.WriteString("parent", Base64UrlStrict.Encode(parent.Span));
            }
            json.WriteString("replyKey", Base64UrlStrict.Encode(header.ReplyPublicKey.Span));
            json.WriteStartArray("kids");
            foreach (var kid in header.RecipientKeyIds)
            {
                json.WriteStringValue(Base64UrlStrict.Encode(kid.Span));
            }
            json.WriteEndArray();
            json.WriteStartArray("streams");
            foreach (var stream in header.Streams)
            {
                json.WriteStringValue(Base64UrlStrict.Encode(stream.Encode()));
            }
            json.WriteEndArray();
            json.WriteStartArray("streamDigests");
            foreach (var digest in streamDigests)
            {
                json.WriteStringValue(Base64UrlStrict.Encode(digest));
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        return buffer.ToArray();
    }
}
