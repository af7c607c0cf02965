using System.Globalization;
using System.Text;
using System.Text.Json;
using Intake.Core.Crypto;
using Intake.Core.Ledger;
using Intake.Storage.Ledger;
using Npgsql;

namespace Intake.Storage.Audit;

/// <summary>The first way an export differs from the ledger: the row it concerns (1 is the first entry row), the entry, and what differs.</summary>
/// <remarks>The reason names rows, sequence numbers, kinds and fields, never a metadata value.</remarks>
public sealed record AuditExportProblem(long? Row, long? Sequence, string Reason)
{
    public override string ToString() => Reason;
}

/// <summary>The outcome of <see cref="AuditExportVerifier"/>: the rows read, the ledger size the export claims, and the first problem.</summary>
public sealed record AuditExportReport(AuditExportFormat Format, long Rows, long TreeSize, AuditExportProblem? Problem)
{
    public bool Ok => Problem is null;
}

/// <summary>A purge tombstone an export lists: the entry and case it purged and the reason it records ("withdrawn", "retention").</summary>
public sealed record ExportedTombstone(long Sequence, Guid CaseId, long PurgedSequence, string Reason)
{
    /// <summary>The reason to purge for again: the recorded one, or "retention" (the job's) when a tombstone records none.</summary>
    public string PurgeReason => Reason.Length > 0 ? Reason : "retention";
}

/// <summary>
/// The purge tombstones of an export, read by <see cref="AuditExportVerifier.ReadTombstones"/>: the
/// filters it was taken with, the tombstones, and the first row that is not sound on its own (then
/// the tombstones are those before it).
/// </summary>
public sealed record AuditExportTombstones(AuditExportQuery Query, IReadOnlyList<ExportedTombstone> Tombstones, AuditExportProblem? Problem)
{
    /// <summary>
    /// Why the export may leave out tombstones, or null: it selects another kind, one actor or one
    /// case (tombstones have no actor, and a case filter keeps one case), or only some days.
    /// </summary>
    public string? Incomplete => Query switch
    {
        { Filter.Kind: { } kind } when kind != LedgerEntryKind.PurgeTombstone => $"it selects only entries of kind {(short)kind} ({kind})",
        { Filter.Actor: not null } => "it selects only one person's actions",
        { Filter.CaseId: not null } => "it selects only one case",
        { From: not null } or { To: not null } => "it covers only some days",
        _ => null,
    };
}

/// <summary>The file is not an audit export at all (not JSON or CSV of this shape, or no usable header); nothing was compared.</summary>
public sealed class UnreadableExportException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// Checks an audit export (<see cref="AuditExport"/>) against the ledger in this database: each
/// row's fields recompute, with the ledger's own leaf hashing, to the leaf hash the row states;
/// that hash is the ledger's at that sequence number; action and actor are what the metadata says;
/// rows are in sequence order and none is repeated; and every entry the export's kinds, filters and
/// range select below its tree size is there, so nothing was left out. The header's root must be
/// this ledger's root at that size. It reads the file in a stream and the database in batches.
/// </summary>
/// <remarks>
/// This proves the file matches the ledger stored here; it does not prove that the database was
/// never rewritten, which is what <c>intake ledger verify</c> with the trusted checkpoint key checks.
/// </remarks>
public sealed class AuditExportVerifier(NpgsqlDataSource dataSource)
{
    private const int BatchSize = 500;

    /// <summary>Verifies the export in <paramref name="export"/>, a seekable stream (a JSON export is read twice: its header members may come in any order).</summary>
    /// <exception cref="UnreadableExportException">The file is not an audit export.</exception>
    public async Task<AuditExportReport> VerifyAsync(Stream export, CancellationToken cancellationToken = default)
    {
        var (format, source, header) = Open(export);
        var run = new Run(dataSource, header);
        var problem = await run.CheckHeaderAsync(cancellationToken);
        while (problem is null)
        {
            var batch = source.ReadRows(BatchSize);
            if (batch.Count == 0)
            {
                problem = await run.CheckEndAsync(cancellationToken);
                break;
            }
            problem = await run.CheckBatchAsync(batch, cancellationToken);
        }
        return new AuditExportReport(format, run.Rows, header.TreeSize, problem);
    }

    /// <summary>
    /// Reads the purge tombstones an export lists, without comparing the export with this ledger:
    /// after a backup is restored the ledger is older than the export, and the tombstones that
    /// matter are exactly those it no longer holds. Each row is still checked on its own (its fields
    /// recompute to its leaf hash, in sequence order, within the stated size), so a damaged row stops
    /// the reading there. That hash covers only the row's own fields: it does not show that nobody
    /// edited the file and computed it again (docs/operations.md §3.4).
    /// </summary>
    /// <exception cref="UnreadableExportException">The file is not an audit export.</exception>
    public static AuditExportTombstones ReadTombstones(Stream export)
    {
        var (_, source, header) = Open(export);
        var run = new Run(null, header);
        var tombstones = new List<ExportedTombstone>();
        for (var batch = source.ReadRows(BatchSize); batch.Count > 0; batch = source.ReadRows(BatchSize))
        {
            foreach (var read in batch)
            {
                if (run.CheckOnItsOwn(read) is { } problem)
                {
                    return new AuditExportTombstones(header.Query, tombstones, problem);
                }
                if (read.Row is { Kind: LedgerEntryKind.PurgeTombstone, CaseId: { } caseId, PurgedSequence: { } purged } row)
                {
                    var reason = AuditLog.ParseMetadata(row.Metadata).GetValueOrDefault("reason") ?? "";
                    tombstones.Add(new ExportedTombstone(row.Sequence, caseId, purged, reason));
                }
            }
        }
        return new AuditExportTombstones(header.Query, tombstones, null);
    }

    /// <summary>The export's format, a reader of its rows, and its header.</summary>
    private static (AuditExportFormat Format, IRowSource Source, ExportHeader Header) Open(Stream export)
    {
        ArgumentNullException.ThrowIfNull(export);
        if (!export.CanSeek || !export.CanRead)
        {
            throw new ArgumentException("The export must be a readable, seekable stream.", nameof(export));
        }
        var format = Detect(export);
        IRowSource source = format == AuditExportFormat.Json ? new JsonRowSource(export) : new CsvRowSource(export);
        return (format, source, source.ReadHeader());
    }

    private static AuditExportFormat Detect(Stream export)
    {
        export.Position = 0;
        int b;
        do
        {
            b = export.ReadByte();
        }
        while (b is ' ' or '\t' or '\r' or '\n' or 0xEF or 0xBB or 0xBF);
        export.Position = 0;
        return b switch
        {
            '{' => AuditExportFormat.Json,
            'f' or '"' => AuditExportFormat.Csv,
            _ => throw new UnreadableExportException("the file is neither a JSON nor a CSV audit export"),
        };
    }

    /// <summary>What the header says the export is.</summary>
    private sealed record ExportHeader(AuditExportQuery Query, long TreeSize, byte[] RootHash);

    /// <summary>One entry row as read: the row, or why its fields could not be read (naming fields, never values).</summary>
    private sealed record ReadRow(long Number, AuditExportRow? Row, long? Sequence, string? Error, string? StatedKindName);

    private interface IRowSource
    {
        ExportHeader ReadHeader();

        /// <summary>Up to <paramref name="count"/> more rows; none at the end.</summary>
        List<ReadRow> ReadRows(int count);
    }

    /// <summary>The checks, in file order; the first problem ends the run.</summary>
    /// <remarks>Without a data source (<see cref="ReadTombstones"/>) only <see cref="CheckOnItsOwn"/> may be used.</remarks>
    private sealed class Run(NpgsqlDataSource? dataSource, ExportHeader header)
    {
        private readonly HashSet<long> _seen = [];
        private long _last = -1;

        private NpgsqlDataSource Database => dataSource ?? throw new InvalidOperationException("This run reads the export alone; it has no ledger to compare with.");

        public long Rows { get; private set; }

        public async Task<AuditExportProblem?> CheckHeaderAsync(CancellationToken cancellationToken)
        {
            var ledger = new LedgerReader(Database);
            var head = await ledger.GetHeadAsync(cancellationToken);
            if (header.TreeSize > head.TreeSize)
            {
                return new(null, null, string.Create(CultureInfo.InvariantCulture,
                    $"the export was taken from a ledger of {header.TreeSize} entries; this ledger has only {head.TreeSize}: it is an export of another ledger"));
            }
            var root = (await ledger.ComputeRootAsync(header.TreeSize, cancellationToken))[0];
            if (!MerkleHash.FixedTimeEquals(root, header.RootHash))
            {
                return new(null, null, string.Create(CultureInfo.InvariantCulture,
                    $"the export's root hash at tree size {header.TreeSize} is not this ledger's: it is an export of another ledger, or its header was changed"));
            }
            return null;
        }

        public async Task<AuditExportProblem?> CheckBatchAsync(List<ReadRow> batch, CancellationToken cancellationToken)
        {
            // Checks each row can make alone, in order; the rows before the first failure are then
            // compared with the ledger, whose problems come first because they concern earlier rows.
            AuditExportProblem? local = null;
            var good = new List<ReadRow>(batch.Count);
            var last = _last;
            foreach (var read in batch)
            {
                local = CheckAlone(read, last);
                if (local is not null)
                {
                    break;
                }
                good.Add(read);
                last = read.Row!.Sequence;
                _seen.Add(last);
            }
            if (good.Count > 0)
            {
                var problem = await CompareAsync(good, good[^1].Row!.Sequence, cancellationToken);
                if (problem is not null)
                {
                    return problem;
                }
            }
            Rows += good.Count;
            _last = last;
            return local;
        }

        /// <summary>The checks a row can make without the ledger; a sound row is counted and becomes the last one seen.</summary>
        public AuditExportProblem? CheckOnItsOwn(ReadRow read)
        {
            if (CheckAlone(read, _last) is { } problem)
            {
                return problem;
            }
            _last = read.Row!.Sequence;
            _seen.Add(_last);
            Rows++;
            return null;
        }

        public Task<AuditExportProblem?> CheckEndAsync(CancellationToken cancellationToken) =>
            CompareAsync([], header.TreeSize - 1, cancellationToken);

        private AuditExportProblem? CheckAlone(ReadRow read, long last)
        {
            var at = read.Sequence is { } s ? string.Create(CultureInfo.InvariantCulture, $"row {read.Number} (seq {s})") : $"row {read.Number}";
            if (read.Error is not null || read.Row is not { } row)
            {
                return new(read.Number, read.Sequence, $"{at}: {read.Error}");
            }
            if (read.StatedKindName != row.Kind.ToString())
            {
                return new(read.Number, row.Sequence, $"{at}: its kind name does not match kind {(short)row.Kind}");
            }
            byte[] recomputed;
            try
            {
                recomputed = row.ToLeaf().LeafHash();
            }
            catch (ArgumentException)
            {
                return new(read.Number, row.Sequence, $"{at}: its fields are not a valid ledger entry of kind {(short)row.Kind}");
            }
            if (!MerkleHash.FixedTimeEquals(recomputed, row.LeafHash))
            {
                return new(read.Number, row.Sequence, $"{at}: its fields (seq, kind, day, case, payload hash, purged seq, metadata) do not recompute to its leaf hash");
            }
            var details = AuditLog.ParseMetadata(row.Metadata);
            // An empty CSV field and an absent member read the same; both columns are for people, not for the hash.
            if ((details.GetValueOrDefault("action") ?? "") != (row.Action ?? "") || (details.GetValueOrDefault("actor") ?? "") != (row.Actor ?? ""))
            {
                return new(read.Number, row.Sequence, $"{at}: its action or actor is not what its metadata records");
            }
            if (row.Sequence <= last)
            {
                return new(read.Number, row.Sequence, _seen.Contains(row.Sequence)
                    ? $"{at}: repeats an earlier row"
                    : string.Create(CultureInfo.InvariantCulture, $"{at}: is out of sequence order (after seq {last})"));
            }
            if (row.Sequence >= header.TreeSize)
            {
                return new(read.Number, row.Sequence, string.Create(CultureInfo.InvariantCulture,
                    $"{at}: is beyond the ledger size the export states ({header.TreeSize})"));
            }
            return null;
        }

        /// <summary>
        /// Compares <paramref name="rows"/> (in order, after <see cref="_last"/>) with the entries the
        /// export selects in (<see cref="_last"/>, <paramref name="upTo"/>]: the same entries, with the same leaf hashes.
        /// </summary>
        private async Task<AuditExportProblem?> CompareAsync(List<ReadRow> rows, long upTo, CancellationToken cancellationToken)
        {
            var expected = new List<(long Seq, short Kind, byte[] LeafHash)>();
            await using (var command = Database.CreateCommand())
            {
                command.CommandText = AuditExport.SelectionSql(command, header.Query, _last, upTo, "seq, kind, leaf_hash, metadata");
                await using var reader = await command.ExecuteReaderAsync(cancellationToken);
                while (await reader.ReadAsync(cancellationToken))
                {
                    if (AuditExport.Selects(header.Query, (byte[])reader[3]))
                    {
                        expected.Add((reader.GetInt64(0), reader.GetInt16(1), (byte[])reader[2]));
                    }
                }
            }
            var e = 0;
            foreach (var read in rows)
            {
                var row = read.Row!;
                if (e < expected.Count && expected[e].Seq < row.Sequence)
                {
                    return Missing(expected[e], read.Number);
                }
                if (e < expected.Count && expected[e].Seq == row.Sequence)
                {
                    if (!MerkleHash.FixedTimeEquals(expected[e].LeafHash, row.LeafHash))
                    {
                        return Differs(read);
                    }
                    e++;
                    continue;
                }
                return await NotSelectedAsync(read, cancellationToken);
            }
            return e < expected.Count ? Missing(expected[e], null) : null;
        }

        private AuditExportProblem Missing((long Seq, short Kind, byte[] _) entry, long? beforeRow)
        {
            var where = beforeRow switch
            {
                1 => "before row 1",
                { } n => string.Create(CultureInfo.InvariantCulture, $"between row {n - 1} and row {n}"),
                null => Rows == 0 ? "and the export has no rows" : string.Create(CultureInfo.InvariantCulture, $"after the last row (row {Rows})"),
            };
            return new(beforeRow, entry.Seq, string.Create(CultureInfo.InvariantCulture,
                $"entry {entry.Seq} (kind {entry.Kind}) is selected by the export's filters but missing {where}"));
        }

        private static AuditExportProblem Differs(ReadRow read) => new(read.Number, read.Row!.Sequence, string.Create(CultureInfo.InvariantCulture,
            $"row {read.Number} (seq {read.Row.Sequence}): its leaf hash is not the ledger's at seq {read.Row.Sequence} (a row of another ledger, or one changed with its hash)"));

        private async Task<AuditExportProblem> NotSelectedAsync(ReadRow read, CancellationToken cancellationToken)
        {
            var row = read.Row!;
            await using var command = Database.CreateCommand("SELECT leaf_hash FROM intake.ledger_entries WHERE seq = @seq");
            command.Parameters.AddWithValue("seq", row.Sequence);
            var stored = await command.ExecuteScalarAsync(cancellationToken) as byte[];
            var at = string.Create(CultureInfo.InvariantCulture, $"row {read.Number} (seq {row.Sequence})");
            return stored is null ? new(read.Number, row.Sequence, $"{at}: the ledger has no such entry")
                : !MerkleHash.FixedTimeEquals(stored, row.LeafHash) ? Differs(read)
                : new(read.Number, row.Sequence, $"{at}: the entry is not one the export's kinds, filters and range select");
        }
    }

    /// <summary>Turns the text fields of a row into an <see cref="AuditExportRow"/>, or names the first field that is wrong.</summary>
    private static ReadRow ParseRow(long number, Func<string, (bool Present, string? Value)> field)
    {
        string? Text(string name) => field(name).Value;
        long? sequence = long.TryParse(Text("seq"), NumberStyles.None, CultureInfo.InvariantCulture, out var s) ? s : null;
        ReadRow Bad(string what) => new(number, null, sequence, what, null);
        foreach (var name in AuditExport.CsvColumns)
        {
            if (!field(name).Present)
            {
                return Bad($"the field {name} is missing");
            }
        }
        if (sequence is null)
        {
            return Bad("seq is not a sequence number");
        }
        if (!short.TryParse(Text("kind"), NumberStyles.None, CultureInfo.InvariantCulture, out var kind))
        {
            return Bad("kind is not a kind number");
        }
        if (!DateOnly.TryParseExact(Text("day"), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
        {
            return Bad("day is not a day (yyyy-MM-dd)");
        }
        Guid? caseId = null;
        if (Text("case_id") is { Length: > 0 } caseText)
        {
            if (!Guid.TryParseExact(caseText, "D", out var id))
            {
                return Bad("case_id is not a case id");
            }
            caseId = id;
        }
        byte[]? payloadHash = null;
        if (Text("payload_hash") is { Length: > 0 } payloadText && (payloadHash = Hash(payloadText)) is null)
        {
            return Bad("payload_hash is not a SHA-256 in hex");
        }
        long? purged = null;
        if (Text("purged_seq") is { Length: > 0 } purgedText)
        {
            if (!long.TryParse(purgedText, NumberStyles.None, CultureInfo.InvariantCulture, out var p))
            {
                return Bad("purged_seq is not a sequence number");
            }
            purged = p;
        }
        if (Base64UrlStrict.TryDecode(Text("metadata") ?? "") is not { } metadata)
        {
            return Bad("metadata is not base64url");
        }
        if (Hash(Text("leaf_hash") ?? "") is not { } leafHash)
        {
            return Bad("leaf_hash is not a SHA-256 in hex");
        }
        return new(number, new AuditExportRow(sequence.Value, (LedgerEntryKind)kind, day, caseId, payloadHash, purged, metadata,
            Text("action"), Text("actor"), leafHash), sequence, null, Text("kind_name"));
    }

    private static byte[]? Hash(string hex)
    {
        if (hex.Length != 2 * MerkleHash.Size || hex.Any(c => c is not ((>= '0' and <= '9') or (>= 'a' and <= 'f'))))
        {
            return null;
        }
        return Convert.FromHexString(hex);
    }

    /// <summary>Checks and reads the header members, given by their CSV keys.</summary>
    private static ExportHeader ParseHeader(IReadOnlyDictionary<string, string?> members)
    {
        foreach (var key in AuditExport.CsvHeaderKeys)
        {
            if (!members.ContainsKey(key))
            {
                throw new UnreadableExportException($"the export's header has no {key}");
            }
        }
        if (members["format"] != AuditExport.FormatName)
        {
            throw new UnreadableExportException($"the file is not an {AuditExport.FormatName} export");
        }
        DateOnly? Day(string key)
        {
            if (members[key] is not { Length: > 0 } text)
            {
                return null;
            }
            return DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day)
                ? day : throw new UnreadableExportException($"the header's {key} is not a day (yyyy-MM-dd)");
        }
        Guid? Id(string key)
        {
            if (members[key] is not { Length: > 0 } text)
            {
                return null;
            }
            return Guid.TryParseExact(text, "D", out var id) ? id : throw new UnreadableExportException($"the header's {key} is not a uuid");
        }
        LedgerEntryKind? kind = null;
        if (members["kind"] is { Length: > 0 } kindName)
        {
            kind = AuditExport.Kinds.Where(k => k.ToString() == kindName).Cast<LedgerEntryKind?>().FirstOrDefault()
                ?? throw new UnreadableExportException("the header's kind is not a kind the audit export includes");
        }
        var query = new AuditExportQuery(new AuditFilter(kind, Id("actor"), Id("case")), Day("from"), Day("to"));
        try
        {
            AuditExport.Validate(query);
        }
        catch (ArgumentException)
        {
            throw new UnreadableExportException("the header's range starts after it ends");
        }
        if (!long.TryParse(members["tree_size"], NumberStyles.None, CultureInfo.InvariantCulture, out var treeSize))
        {
            throw new UnreadableExportException("the header's tree_size is not a ledger size");
        }
        var root = Hash(members["root_hash"] ?? "") ?? throw new UnreadableExportException("the header's root_hash is not a SHA-256 in hex");
        return new ExportHeader(query, treeSize, root);
    }

    /// <summary>
    /// Reads a JSON export with <see cref="Utf8JsonReader"/> over a window of the file, so a big
    /// export is never held whole: a first pass for the header members (which may come after the
    /// rows if a tool reordered them), a second for the rows, each parsed once it is complete.
    /// </summary>
    private sealed class JsonRowSource(Stream stream) : IRowSource
    {
        private byte[] _buffer = new byte[64 * 1024];
        private int _start;
        private int _end;
        private bool _final;
        private JsonReaderState _state;
        private long _row;
        private bool _inRows;
        private bool _done;

        public ExportHeader ReadHeader()
        {
            var members = new Dictionary<string, string?>(StringComparer.Ordinal);
            Restart();
            Scan(header: members, rows: null, 0);
            if (!_done)
            {
                throw new UnreadableExportException("the JSON export ends early");
            }
            var rowsSeen = members.Remove("\0rows");
            var converted = new Dictionary<string, string?>(StringComparer.Ordinal);
            foreach (var key in AuditExport.CsvHeaderKeys)
            {
                if (members.TryGetValue(AuditExport.JsonName(key), out var value))
                {
                    converted[key] = value;
                }
            }
            if (!rowsSeen)
            {
                throw new UnreadableExportException("the JSON export has no rows array");
            }
            Restart();
            return ParseHeader(converted);
        }

        public List<ReadRow> ReadRows(int count)
        {
            var rows = new List<ReadRow>(count);
            if (!_done)
            {
                Scan(header: null, rows, count);
            }
            return rows;
        }

        private void Restart()
        {
            // A byte-order mark (an editor may add one) is not JSON; step over it.
            stream.Position = 0;
            Span<byte> start = stackalloc byte[3];
            stream.Position = stream.ReadAtLeast(start, 3, throwOnEndOfStream: false) == 3 && start.SequenceEqual("\uFEFF"u8) ? 3 : 0;
            _start = _end = 0;
            _final = false;
            _state = new JsonReaderState(new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow });
            _row = 0;
            _inRows = false;
            _done = false;
        }

        /// <summary>
        /// Reads tokens until <paramref name="count"/> rows were collected (rows pass) or the end.
        /// Depth 1 is the top-level object; the rows array's elements are at depth 2.
        /// </summary>
        private void Scan(Dictionary<string, string?>? header, List<ReadRow>? rows, int count)
        {
            try
            {
                while (!_done && (rows is null || rows.Count < count))
                {
                    var progressed = Step(header, rows, count);
                    if (!progressed)
                    {
                        if (_final)
                        {
                            throw new UnreadableExportException("the JSON export ends early");
                        }
                        Fill();
                    }
                }
            }
            catch (JsonException ex)
            {
                throw new UnreadableExportException(string.Create(CultureInfo.InvariantCulture,
                    $"the file is not valid JSON (near line {ex.LineNumber + 1})"), ex);
            }
        }

        /// <summary>Reads what the current window holds; false when it needs more of the file.</summary>
        private bool Step(Dictionary<string, string?>? header, List<ReadRow>? rows, int count)
        {
            var reader = new Utf8JsonReader(_buffer.AsSpan(_start, _end - _start), _final, _state);
            var progressed = false;
            string? member = null;
            while (rows is null || rows.Count < count)
            {
                var before = reader;
                if (!reader.Read())
                {
                    break;
                }
                if (reader.CurrentDepth == 0 && reader.TokenType == JsonTokenType.EndObject)
                {
                    _done = true;
                    Commit(ref reader, ref progressed);
                    break;
                }
                if (reader.CurrentDepth == 0)
                {
                    if (reader.TokenType != JsonTokenType.StartObject)
                    {
                        throw new UnreadableExportException("the JSON export is not an object");
                    }
                    Commit(ref reader, ref progressed);
                    continue;
                }
                if (_inRows && reader.CurrentDepth == 1 && reader.TokenType == JsonTokenType.EndArray)
                {
                    _inRows = false;
                    Commit(ref reader, ref progressed);
                    continue;
                }
                if (_inRows && reader.CurrentDepth == 2)
                {
                    // A row: parse it once all of it is in the window; on the header pass only skip it.
                    var end = reader;
                    if (!end.TrySkip())
                    {
                        Rewind(before, ref progressed);
                        return progressed;
                    }
                    if (rows is not null)
                    {
                        var slice = _buffer.AsSpan(_start + (int)reader.TokenStartIndex, (int)(end.BytesConsumed - reader.TokenStartIndex));
                        rows.Add(ReadJsonRow(++_row, slice));
                    }
                    reader = end;
                    Commit(ref reader, ref progressed);
                    continue;
                }
                if (_inRows)
                {
                    throw new UnreadableExportException("the rows array holds something other than rows");
                }
                if (reader.CurrentDepth == 1 && reader.TokenType == JsonTokenType.PropertyName)
                {
                    var valueReader = reader;
                    if (!valueReader.Read())
                    {
                        Rewind(before, ref progressed);
                        return progressed;
                    }
                    member = reader.GetString();
                    if (member == "rows")
                    {
                        if (valueReader.TokenType != JsonTokenType.StartArray)
                        {
                            throw new UnreadableExportException("the JSON export's rows are not an array");
                        }
                        header?.TryAdd("\0rows", null);
                        _inRows = true;
                        reader = valueReader;
                        Commit(ref reader, ref progressed);
                        continue;
                    }
                    var end = valueReader;
                    if (valueReader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray && !end.TrySkip())
                    {
                        Rewind(before, ref progressed);
                        return progressed;
                    }
                    if (header is not null)
                    {
                        var value = valueReader.TokenType switch
                        {
                            JsonTokenType.String => valueReader.GetString(),
                            JsonTokenType.Null => null,
                            JsonTokenType.Number => Encoding.UTF8.GetString(valueReader.ValueSpan),
                            _ => "\0",
                        };
                        if (!header.TryAdd(member!, value))
                        {
                            throw new UnreadableExportException("the JSON export repeats a header member");
                        }
                    }
                    reader = end;
                    Commit(ref reader, ref progressed);
                    continue;
                }
                throw new UnreadableExportException("the JSON export is not an object of header members and rows");
            }
            _state = reader.CurrentState;
            _start += (int)reader.BytesConsumed;
            return progressed || reader.BytesConsumed > 0;
        }

        // The reader's position is kept in _start/_state only through Commit, so that an incomplete
        // row or member can be read again from its beginning once more of the file is in the window.
        private void Commit(ref Utf8JsonReader reader, ref bool progressed)
        {
            _state = reader.CurrentState;
            _start += (int)reader.BytesConsumed;
            progressed = true;
            reader = new Utf8JsonReader(_buffer.AsSpan(_start, _end - _start), _final, _state);
        }

        private void Rewind(Utf8JsonReader before, ref bool progressed)
        {
            _state = before.CurrentState;
            _start += (int)before.BytesConsumed;
            progressed |= before.BytesConsumed > 0;
        }

        private void Fill()
        {
            if (_start > 0)
            {
                Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
                _end -= _start;
                _start = 0;
            }
            if (_end == _buffer.Length)
            {
                Array.Resize(ref _buffer, _buffer.Length * 2);
            }
            var read = stream.Read(_buffer, _end, _buffer.Length - _end);
            _end += read;
            _final = read == 0;
        }

        private static ReadRow ReadJsonRow(long number, ReadOnlySpan<byte> json)
        {
            using var document = JsonDocument.Parse(json.ToArray());
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return new ReadRow(number, null, null, "is not an object", null);
            }
            var names = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["seq"] = "seq", ["kind"] = "kind", ["kind_name"] = "kindName", ["day"] = "day", ["case_id"] = "caseId",
                ["payload_hash"] = "payloadHash", ["purged_seq"] = "purgedSeq", ["metadata"] = "metadata", ["action"] = "action",
                ["actor"] = "actor", ["leaf_hash"] = "leafHash",
            };
            return ParseRow(number, column =>
            {
                if (!root.TryGetProperty(names[column], out var value))
                {
                    return (false, null);
                }
                return value.ValueKind switch
                {
                    JsonValueKind.Null => (true, null),
                    JsonValueKind.String => (true, value.GetString()),
                    JsonValueKind.Number => (true, value.GetRawText()),
                    // Not a value this format writes: give something no field accepts.
                    _ => (true, "\0"),
                };
            });
        }
    }

    /// <summary>Reads an RFC 4180 CSV export record by record (CRLF or LF line ends; quoted fields may hold both).</summary>
    private sealed class CsvRowSource : IRowSource
    {
        private readonly StreamReader _reader;
        private long _row;

        public CsvRowSource(Stream stream)
        {
            stream.Position = 0;
            _reader = new StreamReader(stream, new UTF8Encoding(false, throwOnInvalidBytes: true), detectEncodingFromByteOrderMarks: true, bufferSize: 16 * 1024, leaveOpen: true);
        }

        public ExportHeader ReadHeader()
        {
            var members = new Dictionary<string, string?>(StringComparer.Ordinal);
            foreach (var key in AuditExport.CsvHeaderKeys)
            {
                var record = Next() ?? throw new UnreadableExportException("the CSV export ends inside its header");
                if (record.Count != AuditExport.CsvColumns.Count || record[0] != key || record.Skip(2).Any(f => f.Length > 0))
                {
                    throw new UnreadableExportException($"the CSV export's header record for {key} is missing or not in order");
                }
                members[key] = record[1].Length == 0 ? null : record[1];
            }
            var columns = Next();
            if (columns is null || !columns.SequenceEqual(AuditExport.CsvColumns))
            {
                throw new UnreadableExportException("the CSV export's column names are not " + string.Join(",", AuditExport.CsvColumns));
            }
            return ParseHeader(members);
        }

        public List<ReadRow> ReadRows(int count)
        {
            var rows = new List<ReadRow>(count);
            while (rows.Count < count && Next() is { } record)
            {
                _row++;
                if (record.Count != AuditExport.CsvColumns.Count)
                {
                    rows.Add(new ReadRow(_row, null, null, string.Create(CultureInfo.InvariantCulture,
                        $"has {record.Count} fields, not {AuditExport.CsvColumns.Count}"), null));
                    continue;
                }
                rows.Add(ParseRow(_row, column =>
                {
                    var value = record[IndexOf(column)];
                    return (true, value.Length == 0 && column is not ("metadata" or "kind_name") ? null : value);
                }));
            }
            return rows;
        }

        private static int IndexOf(string column)
        {
            for (var i = 0; i < AuditExport.CsvColumns.Count; i++)
            {
                if (AuditExport.CsvColumns[i] == column)
                {
                    return i;
                }
            }
            throw new ArgumentOutOfRangeException(nameof(column));
        }

        /// <summary>The next record's fields, or null at the end of the file.</summary>
        private List<string>? Next()
        {
            try
            {
                if (_reader.Peek() < 0)
                {
                    return null;
                }
                var fields = new List<string>();
                var field = new StringBuilder();
                while (true)
                {
                    var c = _reader.Read();
                    if (c == '"' && field.Length == 0)
                    {
                        while (true)
                        {
                            var q = _reader.Read();
                            if (q < 0)
                            {
                                throw new UnreadableExportException("the CSV export ends inside a quoted field");
                            }
                            if (q == '"')
                            {
                                if (_reader.Peek() != '"')
                                {
                                    break;
                                }
                                _reader.Read();
                            }
                            field.Append((char)q);
                        }
                        c = _reader.Read();
                        if (c is not (',' or '\r' or '\n' or -1))
                        {
                            throw new UnreadableExportException("the CSV export has text after a closing quote");
                        }
                    }
                    if (c == '"')
                    {
                        throw new UnreadableExportException("the CSV export has a quote inside an unquoted field");
                    }
                    if (c is ',' or '\r' or '\n' or -1)
                    {
                        fields.Add(field.ToString());
                        field.Clear();
                        if (c == ',')
                        {
                            continue;
                        }
                        if (c == '\r' && _reader.Peek() == '\n')
                        {
                            _reader.Read();
                        }
                        return fields;
                    }
                    field.Append((char)c);
                }
            }
            catch (DecoderFallbackException ex)
            {
                throw new UnreadableExportException("the CSV export is not UTF-8 text", ex);
            }
        }
    }
}
