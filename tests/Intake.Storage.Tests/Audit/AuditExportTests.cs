using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Intake.Core.Crypto;
using Intake.Core.Ledger;
using Intake.Storage.Audit;
using Intake.Storage.Ledger;
using Intake.Storage.Tests.Ledger;
using Intake.Storage.Tests.Routing;
using Microsoft.Extensions.Logging.Abstractions;

namespace Intake.Storage.Tests.Audit;

/// <summary>The audit export (JSON and CSV) and its verification against the ledger: round trips, tampering, filters and ranges.</summary>
public sealed class AuditExportTests
{
    private static readonly AuditExportQuery Everything = new(new AuditFilter());

    private static LedgerAppend Admin(string action, Guid actor, Guid target) =>
        new(LedgerEntryKind.AdminAction, Metadata: JsonSerializer.SerializeToUtf8Bytes(new { action, actor = actor.ToString(), target = target.ToString() }));

    private static LedgerAppend Status(Guid caseId, Guid actor, string from, string to) =>
        new(LedgerEntryKind.StatusChange, caseId, Metadata: JsonSerializer.SerializeToUtf8Bytes(new { action = "status", from, to, actor }));

    private static LedgerAppend Reply(Guid caseId, Guid actor, string marker) =>
        new(LedgerEntryKind.Reply, caseId, Encoding.UTF8.GetBytes("ciphertext:" + marker),
            [new WrappedKey(Encoding.UTF8.GetBytes("key-id-0123456789")[..16], Encoding.UTF8.GetBytes("wrapped:" + marker))],
            Metadata: JsonSerializer.SerializeToUtf8Bytes(new { actor }));

    private static async Task<byte[]> ExportAsync(LedgerTestDatabase db, AuditExportFormat format, AuditExportQuery? query = null)
    {
        using var output = new MemoryStream();
        await new AuditExport(db.App, TimeProvider.System).WriteAsync(output, format, query ?? Everything);
        return output.ToArray();
    }

    private static Task<AuditExportReport> VerifyAsync(LedgerTestDatabase db, byte[] export) =>
        new AuditExportVerifier(db.App).VerifyAsync(new MemoryStream(export));

    /// <summary>A small ledger of staff actions between survivors' entries: six exported rows, the second an admin action.</summary>
    private static async Task<List<long>> StaffActionsAsync(LedgerWriter writer, Guid admin, Guid advocate, Guid caseId)
    {
        var seqs = new List<long>();
        await writer.AppendAsync(LedgerTestDatabase.Submission("survivor " + Guid.NewGuid()));
        seqs.Add((await writer.AppendAsync(Admin("account.invite", admin, advocate))).Sequence);
        seqs.Add((await writer.AppendAsync(Admin("account.approve", admin, advocate))).Sequence);
        await writer.AppendAsync(LedgerTestDatabase.Submission("survivor " + Guid.NewGuid()));
        seqs.Add((await writer.AppendAsync(Status(caseId, advocate, "new", "in-review"))).Sequence);
        seqs.Add((await writer.AppendAsync(Reply(caseId, advocate, "reply"))).Sequence);
        seqs.Add((await writer.AppendAsync(Admin("account.suspend", admin, advocate))).Sequence);
        seqs.Add((await writer.AppendAsync(Status(caseId, advocate, "in-review", "closed"))).Sequence);
        return seqs;
    }

    [Theory]
    [InlineData(AuditExportFormat.Json)]
    [InlineData(AuditExportFormat.Csv)]
    public async Task An_export_verifies_against_its_ledger_and_holds_every_staff_action_and_purge_but_no_payload(AuditExportFormat format)
    {
        await using var db = await LedgerTestDatabase.CreateAsync("audit_export_roundtrip");
        await using var writer = db.Writer();
        var admin = Guid.NewGuid();
        var advocate = Guid.NewGuid();
        var caseId = Guid.NewGuid();
        var marker = "MARKER-" + Guid.NewGuid().ToString("N");
        var submission = await writer.AppendAsync(LedgerTestDatabase.Submission(marker));
        var staff = await StaffActionsAsync(writer, admin, advocate, caseId);
        var odd = await writer.AppendAsync(new LedgerAppend(LedgerEntryKind.LegalHold, caseId, Metadata: new byte[] { 0xff, 0x00, 0x2c, 0x22, 0x0d, 0x0a }));
        // An action with a comma, quotes and a line break: CSV must quote it, and the verifier read it back.
        var awkward = await writer.AppendAsync(new LedgerAppend(LedgerEntryKind.AdminAction,
            Metadata: JsonSerializer.SerializeToUtf8Bytes(new { action = "odd, \"quoted\"\r\nline", actor = admin.ToString() })));
        Assert.True(await new LedgerPurger(writer, db.App, db.Purger).PurgeAsync(submission.Sequence, """{"reason":"retention"}"""u8.ToArray()));
        var tombstoneSeq = (await db.Reader.GetHeadAsync()).TreeSize - 1;

        var export = await ExportAsync(db, format);
        var report = await VerifyAsync(db, export);

        Assert.True(report.Ok, report.Problem?.Reason);
        Assert.Equal(format, report.Format);
        var head = await db.Reader.GetHeadAsync();
        Assert.Equal(head.TreeSize, report.TreeSize);
        var rows = Rows(export, format);
        Assert.Equal([.. staff, odd.Sequence, awkward.Sequence, tombstoneSeq], rows.Select(r => r.Seq));
        Assert.Equal(rows.Count, report.Rows);
        var tombstone = rows[^1];
        Assert.Equal("10", tombstone.Field("kind"));
        Assert.Equal("PurgeTombstone", tombstone.Field("kind_name"));
        Assert.Equal(submission.Sequence.ToString(System.Globalization.CultureInfo.InvariantCulture), tombstone.Field("purged_seq"));
        Assert.Equal("""{"reason":"retention"}""", Encoding.UTF8.GetString(Base64UrlStrict.TryDecode(tombstone.Field("metadata"))!));
        var reply = rows.Single(r => r.Seq == staff[3]);
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes("ciphertext:reply"))), reply.Field("payload_hash"));
        Assert.Equal(advocate.ToString(), reply.Field("actor"));
        Assert.Equal("account.invite", rows[0].Field("action"));
        Assert.Equal(admin.ToString(), rows[0].Field("actor"));
        Assert.Equal("odd, \"quoted\"\r\nline", rows.Single(r => r.Seq == awkward.Sequence).Field("action"));
        var stored = await db.ReadAllAsync();
        Assert.All(rows, r => Assert.Equal(Convert.ToHexStringLower(stored.Single(s => s.Seq == r.Seq).LeafHash), r.Field("leaf_hash")));
        var text = Encoding.UTF8.GetString(export);
        Assert.Contains(Convert.ToHexStringLower(head.RootHash), text, StringComparison.Ordinal);
        Assert.DoesNotContain(marker, text, StringComparison.Ordinal);
        foreach (var secret in new[] { "ciphertext:reply", "wrapped:reply", "wrapped:" + marker })
        {
            var bytes = Encoding.UTF8.GetBytes(secret);
            Assert.DoesNotContain(Base64UrlStrict.Encode(bytes), text, StringComparison.Ordinal);
            Assert.DoesNotContain(Convert.ToBase64String(bytes), text, StringComparison.Ordinal);
            Assert.DoesNotContain(Convert.ToHexStringLower(bytes), text, StringComparison.Ordinal);
        }
        if (format == AuditExportFormat.Csv)
        {
            Assert.Contains(",\"odd, \"\"quoted\"\"\r\nline\",", text, StringComparison.Ordinal);
            Assert.All(text.Split("\r\n").Where(l => l.StartsWith("format,", StringComparison.Ordinal) || l.StartsWith("seq,", StringComparison.Ordinal)),
                l => Assert.Equal(AuditExport.CsvColumns.Count - 1, l.Count(c => c == ',')));
        }
    }

    public static TheoryData<AuditExportFormat, string> Tampering => new()
    {
        { AuditExportFormat.Json, "metadata" }, { AuditExportFormat.Csv, "metadata" },
        { AuditExportFormat.Json, "day" }, { AuditExportFormat.Csv, "day" },
        { AuditExportFormat.Json, "removed" }, { AuditExportFormat.Csv, "removed" },
        { AuditExportFormat.Json, "removed-last" }, { AuditExportFormat.Csv, "removed-last" },
        { AuditExportFormat.Json, "repeated" }, { AuditExportFormat.Csv, "repeated" },
        { AuditExportFormat.Json, "other-ledger" }, { AuditExportFormat.Csv, "other-ledger" },
        { AuditExportFormat.Json, "action" }, { AuditExportFormat.Csv, "action" },
    };

    [Theory]
    [MemberData(nameof(Tampering))]
    public async Task A_changed_removed_repeated_or_foreign_row_fails_naming_the_row(AuditExportFormat format, string change)
    {
        await using var db = await LedgerTestDatabase.CreateAsync("audit_export_tamper");
        await using var other = await LedgerTestDatabase.CreateAsync("audit_export_other");
        await using var writer = db.Writer();
        await using var otherWriter = other.Writer();
        var caseId = Guid.NewGuid();
        var seqs = await StaffActionsAsync(writer, Guid.NewGuid(), Guid.NewGuid(), caseId);
        // The same shape of ledger with other people: same sequence numbers and kinds, other leaves.
        Assert.Equal(seqs, await StaffActionsAsync(otherWriter, Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid()));
        var export = await ExportAsync(db, format);
        Assert.True((await VerifyAsync(db, export)).Ok);
        var doc = ExportDocument.Parse(export, format);
        var secondSeq = seqs[1];

        switch (change)
        {
            case "metadata":
                var metadata = Base64UrlStrict.TryDecode(doc.Get(1, "metadata"))!;
                metadata[^3] ^= 0x01;
                doc.Set(1, "metadata", Base64UrlStrict.Encode(metadata));
                break;
            case "day":
                doc.Set(1, "day", DateOnly.ParseExact(doc.Get(1, "day"), "yyyy-MM-dd").AddDays(-1).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
                break;
            case "removed":
                doc.RemoveRow(1);
                break;
            case "removed-last":
                doc.RemoveRow(seqs.Count - 1);
                break;
            case "repeated":
                doc.InsertRow(2, doc.RowAt(1));
                break;
            case "other-ledger":
                doc.ReplaceRow(1, ExportDocument.Parse(await ExportAsync(other, format), format).RowAt(1));
                break;
            case "action":
                doc.Set(1, "action", "account.reactivate");
                break;
        }
        var report = await VerifyAsync(db, doc.ToBytes());

        Assert.False(report.Ok);
        var problem = report.Problem!;
        var (row, seq, text) = change switch
        {
            "metadata" or "day" => (2L, secondSeq, "row 2 (seq " + secondSeq + "): its fields (seq, kind, day, case, payload hash, purged seq, metadata) do not recompute to its leaf hash"),
            "removed" => (2L, secondSeq, $"entry {secondSeq} (kind 8) is selected by the export's filters but missing between row 1 and row 2"),
            "removed-last" => ((long?)null, seqs[^1], $"entry {seqs[^1]} (kind 5) is selected by the export's filters but missing after the last row (row {seqs.Count - 1})"),
            "repeated" => (3L, secondSeq, "row 3 (seq " + secondSeq + "): repeats an earlier row"),
            "other-ledger" => (2L, secondSeq, $"row 2 (seq {secondSeq}): its leaf hash is not the ledger's at seq {secondSeq} (a row of another ledger, or one changed with its hash)"),
            "action" => (2L, secondSeq, "row 2 (seq " + secondSeq + "): its action or actor is not what its metadata records"),
            _ => throw new ArgumentOutOfRangeException(nameof(change)),
        };
        Assert.Equal(text, problem.Reason);
        Assert.Equal(row, problem.Row);
        Assert.Equal(seq, problem.Sequence);
    }

    [Fact]
    public async Task An_export_of_another_ledger_or_a_changed_header_fails_on_the_header()
    {
        await using var db = await LedgerTestDatabase.CreateAsync("audit_export_header");
        await using var other = await LedgerTestDatabase.CreateAsync("audit_export_header_other");
        await using var writer = db.Writer();
        await using var otherWriter = other.Writer();
        await StaffActionsAsync(writer, Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid());
        await StaffActionsAsync(otherWriter, Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid());
        await otherWriter.AppendAsync(LedgerTestDatabase.Submission("one more"));

        var foreign = await VerifyAsync(db, await ExportAsync(other, AuditExportFormat.Json));
        var doc = ExportDocument.Parse(await ExportAsync(db, AuditExportFormat.Csv), AuditExportFormat.Csv);
        doc.SetHeader("tree_size", "3");
        var shrunk = await VerifyAsync(db, doc.ToBytes());
        var narrowed = ExportDocument.Parse(await ExportAsync(db, AuditExportFormat.Json), AuditExportFormat.Json);
        narrowed.SetHeader("kind", "AdminAction");
        var relabelled = await VerifyAsync(db, narrowed.ToBytes());

        Assert.Equal("the export was taken from a ledger of 9 entries; this ledger has only 8: it is an export of another ledger", foreign.Problem?.Reason);
        Assert.Equal("the export's root hash at tree size 3 is not this ledger's: it is an export of another ledger, or its header was changed", shrunk.Problem?.Reason);
        Assert.Null(shrunk.Problem!.Row);
        // A header that claims a narrower filter than the rows: the first row outside it is named.
        Assert.StartsWith("row 3 (seq ", relabelled.Problem?.Reason, StringComparison.Ordinal);
        Assert.EndsWith("the entry is not one the export's kinds, filters and range select", relabelled.Problem!.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Filters_export_exactly_what_the_audit_view_shows_plus_purges_and_both_formats_verify()
    {
        await using var db = await LedgerTestDatabase.CreateAsync("audit_export_filters");
        await using var writer = db.Writer();
        var alice = Guid.NewGuid();
        var bob = Guid.NewGuid();
        var caseA = Guid.NewGuid();
        var caseB = Guid.NewGuid();
        await StaffActionsAsync(writer, alice, bob, caseA);
        await StaffActionsAsync(writer, bob, alice, caseB);
        var purged = await writer.AppendAsync(Reply(caseB, alice, "to purge"));
        await new LedgerPurger(writer, db.App, db.Purger).PurgeAsync(purged.Sequence, """{"reason":"withdrawn"}"""u8.ToArray());
        var log = new AuditLog(db.App);
        var filters = new[]
        {
            new AuditFilter(), new AuditFilter(Kind: LedgerEntryKind.AdminAction), new AuditFilter(Kind: LedgerEntryKind.Reply),
            new AuditFilter(Actor: alice), new AuditFilter(Actor: bob), new AuditFilter(CaseId: caseB),
            new AuditFilter(LedgerEntryKind.StatusChange, alice, caseB), new AuditFilter(Kind: LedgerEntryKind.LegalHold),
        };

        foreach (var filter in filters)
        {
            var shown = (await log.PageAsync(filter, pageSize: AuditLog.MaxPageSize)).Entries.Select(e => e.Sequence).Reverse().ToList();
            foreach (var format in new[] { AuditExportFormat.Json, AuditExportFormat.Csv })
            {
                var export = await ExportAsync(db, format, new AuditExportQuery(filter));
                var rows = Rows(export, format);
                Assert.Equal(shown, rows.Where(r => r.Field("kind") != "10").Select(r => r.Seq));
                Assert.True((await VerifyAsync(db, export)).Ok, $"{filter} {format}");
            }
        }
        var tombstones = Rows(await ExportAsync(db, AuditExportFormat.Json, new AuditExportQuery(new AuditFilter(Kind: LedgerEntryKind.PurgeTombstone))), AuditExportFormat.Json);
        var onlyTombstone = Assert.Single(tombstones);
        Assert.Equal(purged.Sequence.ToString(System.Globalization.CultureInfo.InvariantCulture), onlyTombstone.Field("purged_seq"));
        Assert.Contains(tombstones[0].Seq, Rows(await ExportAsync(db, AuditExportFormat.Csv, new AuditExportQuery(new AuditFilter(CaseId: caseB))), AuditExportFormat.Csv).Select(r => r.Seq));
        // The tombstone records no actor, so a "who" filter leaves it out, as the audit view would.
        Assert.DoesNotContain(tombstones[0].Seq, Rows(await ExportAsync(db, AuditExportFormat.Csv, new AuditExportQuery(new AuditFilter(Actor: alice))), AuditExportFormat.Csv).Select(r => r.Seq));
    }

    [Fact]
    public async Task A_day_range_exports_the_entries_of_those_days_and_a_missing_entry_inside_it_is_found()
    {
        await using var db = await LedgerTestDatabase.CreateAsync("audit_export_range");
        var time = new ManualTime(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));
        await using var writer = new LedgerWriter(db.App, time, NullLogger<LedgerWriter>.Instance);
        var admin = Guid.NewGuid();
        var byDay = new Dictionary<DateOnly, List<long>>();
        for (var day = 0; day < 4; day++)
        {
            var today = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
            byDay[today] = [];
            for (var i = 0; i < 3; i++)
            {
                byDay[today].Add((await writer.AppendAsync(Admin("account.invite", admin, Guid.NewGuid()))).Sequence);
                await writer.AppendAsync(LedgerTestDatabase.Submission($"day {day} {i}"));
            }
            time.Advance(TimeSpan.FromDays(1));
        }
        var days = byDay.Keys.Order().ToList();
        var all = (await new AuditLog(db.App).PageAsync(new AuditFilter())).Entries;

        foreach (var (from, to) in new (DateOnly?, DateOnly?)[] { (days[1], days[2]), (days[2], null), (null, days[0]), (days[3], days[3]), (days[3].AddDays(1), null) })
        {
            var query = new AuditExportQuery(new AuditFilter(), from, to);
            var expected = all.Where(e => (from is null || e.Day >= from) && (to is null || e.Day <= to)).Select(e => e.Sequence).Order().ToList();
            foreach (var format in new[] { AuditExportFormat.Json, AuditExportFormat.Csv })
            {
                var export = await ExportAsync(db, format, query);
                Assert.Equal(expected, Rows(export, format).Select(r => r.Seq));
                Assert.True((await VerifyAsync(db, export)).Ok);
            }
        }
        Assert.Equal([.. byDay[days[1]], .. byDay[days[2]]], Rows(await ExportAsync(db, AuditExportFormat.Json, new(new AuditFilter(), days[1], days[2])), AuditExportFormat.Json).Select(r => r.Seq));

        var ranged = ExportDocument.Parse(await ExportAsync(db, AuditExportFormat.Csv, new(new AuditFilter(), days[1], days[2])), AuditExportFormat.Csv);
        ranged.RemoveRow(3);
        var report = await VerifyAsync(db, ranged.ToBytes());
        Assert.Equal($"entry {byDay[days[2]][0]} (kind 8) is selected by the export's filters but missing between row 3 and row 4", report.Problem?.Reason);
        // A range that does not include a row's day: the row is named.
        var widened = ExportDocument.Parse(await ExportAsync(db, AuditExportFormat.Json, new(new AuditFilter(), days[1], days[3])), AuditExportFormat.Json);
        widened.SetHeader("to", AuditExport.Day(days[2]));
        Assert.Equal($"row 7 (seq {byDay[days[3]][0]}): the entry is not one the export's kinds, filters and range select", (await VerifyAsync(db, widened.ToBytes())).Problem?.Reason);
    }

    [Fact]
    public async Task A_large_export_streams_and_verifies_in_batches()
    {
        await using var db = await LedgerTestDatabase.CreateAsync("audit_export_large");
        await using var writer = db.Writer();
        var admin = Guid.NewGuid();
        await Task.WhenAll(Enumerable.Range(0, 1200).Select(_ => writer.AppendAsync(Admin("account.invite", admin, Guid.NewGuid()))));

        foreach (var format in new[] { AuditExportFormat.Json, AuditExportFormat.Csv })
        {
            var export = await ExportAsync(db, format);
            var report = await VerifyAsync(db, export);
            Assert.True(report.Ok, report.Problem?.Reason);
            Assert.Equal(1200, report.Rows);
            var doc = ExportDocument.Parse(export, format);
            doc.RemoveRow(1100);
            Assert.Equal(1101, (await VerifyAsync(db, doc.ToBytes())).Problem?.Row);
        }
    }

    [Fact]
    public async Task Kinds_outside_the_export_and_backward_ranges_are_refused_and_a_file_that_is_not_an_export_is_unreadable()
    {
        await using var db = await LedgerTestDatabase.CreateAsync("audit_export_refusals");
        var export = new AuditExport(db.App, TimeProvider.System);
        var today = DateOnly.FromDateTime(DateTime.UtcNow);

        await Assert.ThrowsAsync<ArgumentException>(() => export.WriteAsync(Stream.Null, AuditExportFormat.Json, new(new AuditFilter(Kind: LedgerEntryKind.Submission))));
        await Assert.ThrowsAsync<ArgumentException>(() => export.WriteAsync(Stream.Null, AuditExportFormat.Csv, new(new AuditFilter(), today, today.AddDays(-1))));
        var verifier = new AuditExportVerifier(db.App);
        foreach (var text in new[] { "", "hello", "{\"format\":\"something-else\",\"rows\":[]}", "{\"rows\":[", "format,nope,,,,,,,,,\r\n", "[1,2]" })
        {
            await Assert.ThrowsAsync<UnreadableExportException>(() => verifier.VerifyAsync(new MemoryStream(Encoding.UTF8.GetBytes(text))));
        }
        var empty = await ExportAsync(db, AuditExportFormat.Csv);
        Assert.True((await VerifyAsync(db, empty)).Ok);
        // Re-saved by an editor that adds a byte-order mark: still the same export.
        foreach (var format in new[] { AuditExportFormat.Json, AuditExportFormat.Csv })
        {
            Assert.True((await VerifyAsync(db, [0xEF, 0xBB, 0xBF, .. await ExportAsync(db, format)])).Ok, format.ToString());
        }
        var broken = Encoding.UTF8.GetString(await ExportAsync(db, AuditExportFormat.Json)).Replace("\"rows\": [", "\"rows\": [{\"seq\": \"x\"}", StringComparison.Ordinal);
        Assert.Equal("row 1: the field kind is missing", (await VerifyAsync(db, Encoding.UTF8.GetBytes(broken))).Problem?.Reason);
    }

    private sealed record ExportedRow(long Seq, IReadOnlyDictionary<string, string?> Fields)
    {
        public string? Field(string column) => Fields[column];
    }

    private static List<ExportedRow> Rows(byte[] export, AuditExportFormat format)
    {
        var doc = ExportDocument.Parse(export, format);
        return Enumerable.Range(0, doc.Count).Select(i => new ExportedRow(long.Parse(doc.Get(i, "seq"), System.Globalization.CultureInfo.InvariantCulture),
            AuditExport.CsvColumns.ToDictionary(c => c, c => doc.GetOrNull(i, c)))).ToList();
    }

    /// <summary>An export opened for reading and editing rows, in either format (CSV by a small RFC 4180 reader of its own).</summary>
    private sealed class ExportDocument
    {
        private static readonly Dictionary<string, string> JsonNames = new()
        {
            ["seq"] = "seq", ["kind"] = "kind", ["kind_name"] = "kindName", ["day"] = "day", ["case_id"] = "caseId", ["payload_hash"] = "payloadHash",
            ["purged_seq"] = "purgedSeq", ["metadata"] = "metadata", ["action"] = "action", ["actor"] = "actor", ["leaf_hash"] = "leafHash",
        };

        private JsonObject? _json;
        private List<List<string>>? _csvHeader;
        private List<List<string>>? _csvRows;

        public static ExportDocument Parse(byte[] export, AuditExportFormat format)
        {
            if (format == AuditExportFormat.Json)
            {
                return new ExportDocument { _json = JsonNode.Parse(export)!.AsObject() };
            }
            var records = ReadCsv(Encoding.UTF8.GetString(export));
            var columns = records.FindIndex(r => r[0] == "seq");
            return new ExportDocument { _csvHeader = records[..(columns + 1)], _csvRows = records[(columns + 1)..] };
        }

        private JsonArray JsonRows => _json!["rows"]!.AsArray();

        public int Count => _json is not null ? JsonRows.Count : _csvRows!.Count;

        public string Get(int row, string column) => GetOrNull(row, column) ?? throw new InvalidOperationException($"{column} is empty");

        public string? GetOrNull(int row, string column)
        {
            if (_json is not null)
            {
                var value = JsonRows[row]![JsonNames[column]];
                return value is null ? null : value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : value.ToJsonString();
            }
            var text = _csvRows![row][AuditExport.CsvColumns.ToList().IndexOf(column)];
            return text.Length == 0 && column is not "metadata" ? null : text;
        }

        public void Set(int row, string column, string value)
        {
            if (_json is not null)
            {
                JsonRows[row]![JsonNames[column]] = value;
            }
            else
            {
                _csvRows![row][AuditExport.CsvColumns.ToList().IndexOf(column)] = value;
            }
        }

        public void SetHeader(string key, string value)
        {
            if (_json is not null)
            {
                _json[AuditExport.JsonName(key)] = key == "tree_size" ? JsonValue.Create(long.Parse(value, System.Globalization.CultureInfo.InvariantCulture)) : JsonValue.Create(value);
            }
            else
            {
                _csvHeader!.Single(r => r[0] == key)[1] = value;
            }
        }

        public object RowAt(int row) => _json is not null ? JsonRows[row]!.DeepClone() : new List<string>(_csvRows![row]);

        public void RemoveRow(int row)
        {
            if (_json is not null)
            {
                JsonRows.RemoveAt(row);
            }
            else
            {
                _csvRows!.RemoveAt(row);
            }
        }

        public void InsertRow(int at, object row)
        {
            if (_json is not null)
            {
                JsonRows.Insert(at, (JsonNode)row);
            }
            else
            {
                _csvRows!.Insert(at, (List<string>)row);
            }
        }

        public void ReplaceRow(int at, object row)
        {
            RemoveRow(at);
            InsertRow(at, row);
        }

        public byte[] ToBytes()
        {
            if (_json is not null)
            {
                return Encoding.UTF8.GetBytes(_json.ToJsonString());
            }
            var text = new StringBuilder();
            foreach (var record in _csvHeader!.Concat(_csvRows!))
            {
                text.Append(string.Join(",", record.Select(f => f.AsSpan().IndexOfAny(",\"\r\n") < 0 ? f : "\"" + f.Replace("\"", "\"\"", StringComparison.Ordinal) + "\""))).Append("\r\n");
            }
            return Encoding.UTF8.GetBytes(text.ToString());
        }

        private static List<List<string>> ReadCsv(string text)
        {
            var records = new List<List<string>>();
            var record = new List<string>();
            var field = new StringBuilder();
            var quoted = false;
            for (var i = 0; i < text.Length; i++)
            {
                var c = text[i];
                if (quoted)
                {
                    if (c == '"' && i + 1 < text.Length && text[i + 1] == '"')
                    {
                        field.Append('"');
                        i++;
                    }
                    else if (c == '"')
                    {
                        quoted = false;
                    }
                    else
                    {
                        field.Append(c);
                    }
                }
                else if (c == '"')
                {
                    quoted = true;
                }
                else if (c == ',')
                {
                    record.Add(field.ToString());
                    field.Clear();
                }
                else if (c == '\r' && i + 1 < text.Length && text[i + 1] == '\n')
                {
                    record.Add(field.ToString());
                    field.Clear();
                    records.Add(record);
                    record = [];
                    i++;
                }
                else
                {
                    field.Append(c);
                }
            }
            Assert.Empty(record);
            return records;
        }
    }
}
