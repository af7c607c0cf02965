using System.Data;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Intake.Core.Crypto;
using Intake.Core.Ledger;
using Intake.Storage.Ledger;
using Npgsql;

namespace Intake.Storage.Audit;

/// <summary>The two shapes of an audit export (docs/audit.md, "Export and verification").</summary>
public enum AuditExportFormat
{
    Json,
    Csv,
}

/// <summary>
/// What an export selects: the audit view's filters (kind, actor, case) and an optional range of
/// entry days, both ends included. The kind may also be <see cref="LedgerEntryKind.PurgeTombstone"/>.
/// </summary>
public sealed record AuditExportQuery(AuditFilter Filter, DateOnly? From = null, DateOnly? To = null);

/// <summary>What an export wrote: the ledger size and root it was taken at, and how many rows.</summary>
public sealed record AuditExportSummary(long TreeSize, byte[] RootHash, long Rows);

/// <summary>
/// One exported entry: everything public in the ledger entry and nothing else (never a payload or
/// a wrapped key), which is exactly enough to recompute its leaf hash. Action and actor are read
/// from the metadata for people; the metadata bytes themselves are what the hash covers.
/// </summary>
public sealed record AuditExportRow(
    long Sequence,
    LedgerEntryKind Kind,
    DateOnly Day,
    Guid? CaseId,
    byte[]? PayloadHash,
    long? PurgedSequence,
    byte[] Metadata,
    string? Action,
    string? Actor,
    byte[] LeafHash)
{
    /// <summary>The ledger leaf these fields describe; its hash is the ledger's own leaf hash.</summary>
    public LedgerLeaf ToLeaf() => new(Sequence, Kind, Day, CaseId, PayloadHash, PurgedSequence, Metadata);
}

/// <summary>
/// Exports the audit log as JSON or CSV for `intake audit verify` to check against the ledger.
/// The export reads one database snapshot: the head (size and root) first, then every selected
/// entry below that size, in sequence order, streamed to the output as it is read, so a ledger of
/// any size costs constant memory. Like <see cref="AuditLog"/> it reads only the public columns of
/// <c>intake.ledger_entries</c>.
/// </summary>
public sealed class AuditExport(NpgsqlDataSource dataSource, TimeProvider time)
{
    public const string FormatName = "intake-audit-export-v1";

    /// <summary>The columns of an entry record in the CSV, in order (the JSON members have the same meaning).</summary>
    public static readonly IReadOnlyList<string> CsvColumns =
        ["seq", "kind", "kind_name", "day", "case_id", "payload_hash", "purged_seq", "metadata", "action", "actor", "leaf_hash"];

    /// <summary>The keys of the CSV's opening records, in order (the JSON header members are their camelCase forms).</summary>
    public static readonly IReadOnlyList<string> CsvHeaderKeys =
        ["format", "exported_on", "from", "to", "kind", "actor", "case", "tree_size", "root_hash"];

    /// <summary>The staff-action kinds of the audit view, and purge tombstones so that purges can be audited too.</summary>
    public static readonly IReadOnlyList<LedgerEntryKind> Kinds = [.. AuditLog.Kinds, LedgerEntryKind.PurgeTombstone];

    private const int FlushBytes = 32 * 1024;

    /// <summary>Checks a query: a kind this export knows, and a range whose start is not after its end.</summary>
    public static void Validate(AuditExportQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(query.Filter);
        if (query.Filter.Kind is { } kind && !Kinds.Contains(kind))
        {
            throw new ArgumentException($"{kind} is not a kind the audit export includes.", nameof(query));
        }
        if (query.From is { } from && query.To is { } to && from > to)
        {
            throw new ArgumentException("The range starts after it ends.", nameof(query));
        }
    }

    /// <summary>Writes the export to <paramref name="output"/> (left open), streaming row by row.</summary>
    public async Task<AuditExportSummary> WriteAsync(Stream output, AuditExportFormat format, AuditExportQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(output);
        Validate(query);
        var exportedOn = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        // One snapshot: the head and the rows below it agree, whatever is appended meanwhile.
        await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken);
        LedgerHead head;
        await using (var command = new NpgsqlCommand("SELECT tree_size, root_hash FROM intake.ledger_head", connection, transaction))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            await reader.ReadAsync(cancellationToken);
            head = new LedgerHead(reader.GetInt64(0), (byte[])reader[1]);
        }

        await using var select = new NpgsqlCommand { Connection = connection, Transaction = transaction };
        select.CommandText = SelectionSql(select, query, after: -1, upTo: head.TreeSize - 1,
            "seq, kind, entry_day, case_id, payload_hash, purged_seq, metadata, leaf_hash");
        await using var rows = await select.ExecuteReaderAsync(cancellationToken);
        var sink = format == AuditExportFormat.Json ? (IRowSink)new JsonSink(output) : new CsvSink(output);
        await using (sink)
        {
            await sink.BeginAsync(Header(exportedOn, query, head), cancellationToken);
            long count = 0;
            while (await rows.ReadAsync(cancellationToken))
            {
                var leaf = LedgerReader.ReadLeaf(rows);
                var metadata = leaf.Metadata.ToArray();
                if (!Selects(query, metadata))
                {
                    continue;
                }
                var details = AuditLog.ParseMetadata(metadata);
                await sink.WriteAsync(new AuditExportRow(leaf.Sequence, leaf.Kind, leaf.Day, leaf.CaseId, leaf.PayloadHash, leaf.PurgedSequence, metadata,
                    details.GetValueOrDefault("action"), details.GetValueOrDefault("actor"), (byte[])rows[7]), cancellationToken);
                count++;
            }
            await sink.EndAsync(cancellationToken);
            return new AuditExportSummary(head.TreeSize, head.RootHash, count);
        }
    }

    /// <summary>The header members, by their CSV key, as text (null when absent).</summary>
    private static List<(string Key, string? Value)> Header(DateOnly exportedOn, AuditExportQuery query, LedgerHead head) =>
    [
        ("format", FormatName),
        ("exported_on", Day(exportedOn)),
        ("from", query.From is { } from ? Day(from) : null),
        ("to", query.To is { } to ? Day(to) : null),
        ("kind", query.Filter.Kind?.ToString()),
        ("actor", query.Filter.Actor?.ToString("D")),
        ("case", query.Filter.CaseId?.ToString("D")),
        ("tree_size", head.TreeSize.ToString(CultureInfo.InvariantCulture)),
        ("root_hash", Convert.ToHexStringLower(head.RootHash)),
    ];

    internal static string Day(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>
    /// The SQL that selects the entries of <paramref name="query"/> with <c>after &lt; seq &lt;= upTo</c>,
    /// in sequence order, binding its parameters on <paramref name="command"/>. The export and its
    /// verifier share it, so they cannot disagree on what a filter means. The actor filter is a
    /// byte search here, as in <see cref="AuditLog"/>; <see cref="Selects"/> then checks the parsed member.
    /// </summary>
    internal static string SelectionSql(NpgsqlCommand command, AuditExportQuery query, long after, long upTo, string columns)
    {
        var sql = new StringBuilder($"SELECT {columns} FROM intake.ledger_entries WHERE seq > @after AND seq <= @upto AND kind = ANY(@kinds)");
        command.Parameters.AddWithValue("after", after);
        command.Parameters.AddWithValue("upto", upTo);
        command.Parameters.AddWithValue("kinds", query.Filter.Kind is { } only ? new[] { (short)only } : Kinds.Select(k => (short)k).ToArray());
        if (query.Filter.CaseId is { } caseId)
        {
            sql.Append(" AND case_id = @case");
            command.Parameters.AddWithValue("case", caseId);
        }
        if (query.Filter.Actor is { } actor)
        {
            sql.Append(" AND position(@actor IN metadata) > 0");
            command.Parameters.AddWithValue("actor", Encoding.UTF8.GetBytes(actor.ToString("D")));
        }
        if (query.From is { } from)
        {
            sql.Append(" AND entry_day >= @from");
            command.Parameters.AddWithValue("from", from);
        }
        if (query.To is { } to)
        {
            sql.Append(" AND entry_day <= @to");
            command.Parameters.AddWithValue("to", to);
        }
        sql.Append(" ORDER BY seq");
        return sql.ToString();
    }

    /// <summary>The actor filter on the parsed metadata, exactly as the audit view applies it: her id as the "actor" member.</summary>
    internal static bool Selects(AuditExportQuery query, byte[] metadata) =>
        query.Filter.Actor is not { } wanted
        || (Guid.TryParse(AuditLog.ParseMetadata(metadata).GetValueOrDefault("actor"), out var actor) && actor == wanted);

    private interface IRowSink : IAsyncDisposable
    {
        Task BeginAsync(List<(string Key, string? Value)> header, CancellationToken cancellationToken);
        Task WriteAsync(AuditExportRow row, CancellationToken cancellationToken);
        Task EndAsync(CancellationToken cancellationToken);
    }

    private sealed class JsonSink(Stream output) : IRowSink
    {
        private readonly Utf8JsonWriter _json = new(output, new JsonWriterOptions { Indented = true });

        public async Task BeginAsync(List<(string Key, string? Value)> header, CancellationToken cancellationToken)
        {
            _json.WriteStartObject();
            foreach (var (key, value) in header)
            {
                var name = JsonName(key);
                if (key == "tree_size")
                {
                    _json.WriteNumber(name, long.Parse(value!, CultureInfo.InvariantCulture));
                }
                else
                {
                    _json.WriteString(name, value);
                }
            }
            _json.WriteStartArray("rows");
            await _json.FlushAsync(cancellationToken);
        }

        public async Task WriteAsync(AuditExportRow row, CancellationToken cancellationToken)
        {
            _json.WriteStartObject();
            _json.WriteNumber("seq", row.Sequence);
            _json.WriteNumber("kind", (short)row.Kind);
            _json.WriteString("kindName", row.Kind.ToString());
            _json.WriteString("day", Day(row.Day));
            _json.WriteString("caseId", row.CaseId?.ToString("D"));
            _json.WriteString("payloadHash", row.PayloadHash is null ? null : Convert.ToHexStringLower(row.PayloadHash));
            if (row.PurgedSequence is { } purged)
            {
                _json.WriteNumber("purgedSeq", purged);
            }
            else
            {
                _json.WriteNull("purgedSeq");
            }
            _json.WriteString("metadata", Base64UrlStrict.Encode(row.Metadata));
            _json.WriteString("action", row.Action);
            _json.WriteString("actor", row.Actor);
            _json.WriteString("leafHash", Convert.ToHexStringLower(row.LeafHash));
            _json.WriteEndObject();
            if (_json.BytesPending > FlushBytes)
            {
                await _json.FlushAsync(cancellationToken);
            }
        }

        public async Task EndAsync(CancellationToken cancellationToken)
        {
            _json.WriteEndArray();
            _json.WriteEndObject();
            await _json.FlushAsync(cancellationToken);
        }

        public ValueTask DisposeAsync() => _json.DisposeAsync();
    }

    /// <summary>RFC 4180: CRLF line ends, a field quoted when it holds a comma, a quote or a line break, quotes doubled.</summary>
    private sealed class CsvSink(Stream output) : IRowSink
    {
        private readonly StreamWriter _writer = new(output, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), bufferSize: 16 * 1024, leaveOpen: true);

        public async Task BeginAsync(List<(string Key, string? Value)> header, CancellationToken cancellationToken)
        {
            // The opening records describe the export, padded to the width of an entry record so
            // every record has the same number of fields.
            foreach (var (key, value) in header)
            {
                var fields = new string?[CsvColumns.Count];
                fields[0] = key;
                fields[1] = value;
                await WriteRecordAsync(fields, cancellationToken);
            }
            await WriteRecordAsync([.. CsvColumns], cancellationToken);
        }

        public Task WriteAsync(AuditExportRow row, CancellationToken cancellationToken) => WriteRecordAsync(
        [
            row.Sequence.ToString(CultureInfo.InvariantCulture),
            ((short)row.Kind).ToString(CultureInfo.InvariantCulture),
            row.Kind.ToString(),
            Day(row.Day),
            row.CaseId?.ToString("D"),
            row.PayloadHash is null ? null : Convert.ToHexStringLower(row.PayloadHash),
            row.PurgedSequence?.ToString(CultureInfo.InvariantCulture),
            Base64UrlStrict.Encode(row.Metadata),
            row.Action,
            row.Actor,
            Convert.ToHexStringLower(row.LeafHash),
        ], cancellationToken);

        public Task EndAsync(CancellationToken cancellationToken) => _writer.FlushAsync(cancellationToken);

        public ValueTask DisposeAsync() => _writer.DisposeAsync();

        private async Task WriteRecordAsync(string?[] fields, CancellationToken cancellationToken)
        {
            var line = new StringBuilder();
            for (var i = 0; i < fields.Length; i++)
            {
                if (i > 0)
                {
                    line.Append(',');
                }
                line.Append(Quote(fields[i] ?? ""));
            }
            line.Append("\r\n");
            await _writer.WriteAsync(line, cancellationToken);
        }

        internal static string Quote(string field) =>
            field.AsSpan().IndexOfAny(",\"\r\n") < 0 ? field : "\"" + field.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
    }

    /// <summary>The JSON header member for a CSV header key: exported_on is exportedOn.</summary>
    internal static string JsonName(string key)
    {
        var parts = key.Split('_');
        return parts[0] + string.Concat(parts.Skip(1).Select(p => char.ToUpperInvariant(p[0]) + p[1..]));
    }
}
