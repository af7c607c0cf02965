using System.Text.Json.Nodes;
using Intake.Core.Ledger;
using Intake.Storage.Audit;
using Intake.Storage.Cases;
using Intake.Storage.Ledger;
using Intake.Storage.Retention;
using Intake.Storage.Tests.Ledger;
using Intake.Storage.Tests.Workspace;
using Intake.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Intake.Cli.Tests;

/// <summary>
/// <c>intake retention purge-again</c> on a database restored from a real backup taken before a
/// withdrawal: exit codes 0 (done, or nothing to do), 1 (an unsound export row), 2 (usage, settings,
/// unreadable or filtered exports), and nothing purged unless it should be.
/// </summary>
public sealed class RetentionCommandTests : IAsyncLifetime
{
    private readonly string _directory = Directory.CreateTempSubdirectory("intake-retention-cli-").FullName;
    private LedgerTestDatabase _live = null!;
    private LedgerTestDatabase _restored = null!;
    private Guid _withdrawn;
    private Guid _alsoWithdrawn;
    private Guid _kept;

    public async Task InitializeAsync()
    {
        _live = await LedgerTestDatabase.CreateAsync("cli_purge_again");
        await using var writer = _live.Writer();
        _withdrawn = (await WorkspaceTestCase.CreateAsync(_live, writer, "withdrawn")).CaseId;
        _alsoWithdrawn = (await WorkspaceTestCase.CreateAsync(_live, writer, "also")).CaseId;
        _kept = (await WorkspaceTestCase.CreateAsync(_live, writer, "kept")).CaseId;
        // The nightly backup; then two survivors withdraw, and the newest export records it.
        _restored = await _live.BackUpAndRestoreAsync("cli_purge_again_restored");
        var cases = new CaseStore(_live.App, new UploadStore(_live.App), writer, new LedgerPurger(writer, _live.App, _live.Purger), _live.Purger,
            new LegalHoldStore(_live.App, writer, TimeProvider.System));
        await cases.WithdrawAsync(_withdrawn);
        await cases.WithdrawAsync(_alsoWithdrawn);
    }

    public async Task DisposeAsync()
    {
        await _restored.DisposeAsync();
        await _live.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    private Dictionary<string, string?> Restored() => new()
    {
        ["Database:App"] = _restored.Database.App,
        ["Database:Purger"] = _restored.Database.Purger,
    };

    private Task<string> ExportAsync(AuditExportFormat format, string name) =>
        ExportAsync(format, name, new AuditExportQuery(new AuditFilter(LedgerEntryKind.PurgeTombstone)));

    private async Task<string> ExportAsync(AuditExportFormat format, string name, AuditExportQuery query)
    {
        var path = Path.Combine(_directory, name);
        await using var file = File.Create(path);
        await new AuditExport(_live.App, TimeProvider.System).WriteAsync(file, format, query);
        return path;
    }

    /// <summary>Changes a field of one JSON row; with <paramref name="rehash"/>, its leaf hash is computed again, as someone editing the file on purpose would.</summary>
    private static async Task EditRowAsync(string path, int index, string field, JsonNode value, bool rehash)
    {
        var json = JsonNode.Parse(await File.ReadAllTextAsync(path))!;
        var row = json["rows"]![index]!;
        row[field] = value;
        if (rehash)
        {
            var leaf = new LedgerLeaf((long)row["seq"]!, (LedgerEntryKind)(short)row["kind"]!, DateOnly.Parse((string)row["day"]!, System.Globalization.CultureInfo.InvariantCulture),
                Guid.Parse((string)row["caseId"]!), null, (long)row["purgedSeq"]!, Intake.Core.Crypto.Base64UrlStrict.TryDecode((string)row["metadata"]!)!);
            row["leafHash"] = Convert.ToHexStringLower(leaf.LeafHash());
        }
        await File.WriteAllTextAsync(path, json.ToJsonString());
    }

    private async Task<bool> HeldAsync(Guid caseId)
    {
        await using var command = _restored.App.CreateCommand("SELECT count(*) FROM intake.cases WHERE id = @id");
        command.Parameters.AddWithValue("id", caseId);
        return (long)(await command.ExecuteScalarAsync())! == 1;
    }

    [Theory]
    [InlineData(AuditExportFormat.Json, "tombstones.json")]
    [InlineData(AuditExportFormat.Csv, "tombstones.csv")]
    public async Task A_dry_run_counts_then_the_run_purges_the_withdrawn_case_again_and_a_second_run_finds_nothing(AuditExportFormat format, string name)
    {
        var export = await ExportAsync(format, name);
        Assert.True(await HeldAsync(_withdrawn)); // the restore brought her case back

        var dry = await IntakeCli.RunAsync(Restored(), "retention", "purge-again", "--file", export, "--dry-run");
        Assert.Equal(0, dry.Exit);
        Assert.Equal("dry run: 2 of the 2 cases the export's tombstones name are in this database again (withdrawn: 2); nothing was purged.", dry.Out.Trim());
        Assert.True(await HeldAsync(_withdrawn));

        var run = await IntakeCli.RunAsync(Restored(), "retention", "purge-again", "--file", export);
        Assert.Equal(0, run.Exit);
        Assert.StartsWith("ok: 2 of the 2 cases the export's tombstones name were in this database again and are purged again (withdrawn: 2)", run.Out, StringComparison.Ordinal);
        Assert.Empty(run.Error);
        Assert.False(await HeldAsync(_withdrawn));
        Assert.False(await HeldAsync(_alsoWithdrawn));
        Assert.True(await HeldAsync(_kept));
        // The output names no case.
        Assert.DoesNotContain(_withdrawn.ToString(), run.Out + dry.Out, StringComparison.OrdinalIgnoreCase);
        // Her case's purge is in the restored ledger again, as a withdrawal.
        var tombstones = (await _restored.ReadAllAsync()).Select(r => r.Leaf)
            .Where(l => l.Kind == LedgerEntryKind.PurgeTombstone && l.CaseId == _withdrawn).ToList();
        Assert.NotEmpty(tombstones);
        Assert.All(tombstones, t => Assert.Equal("withdrawn", AuditLog.ParseMetadata(t.Metadata.ToArray())["reason"]));

        var again = await IntakeCli.RunAsync(Restored(), "retention", "purge-again", "--file", export);
        Assert.Equal(0, again.Exit);
        Assert.StartsWith("ok: 0 of the 2 cases", again.Out, StringComparison.Ordinal);
    }

    public static TheoryData<string, string> Filters => new()
    {
        { "kind", "it selects only entries of kind 11 (Access)" },
        { "actor", "it selects only one person's actions" },
        { "case", "it selects only one case" },
        { "from", "it covers only some days" },
        { "to", "it covers only some days" },
    };

    [Theory]
    [MemberData(nameof(Filters))]
    public async Task An_export_that_may_leave_out_tombstones_is_refused_and_purges_nothing(string filter, string reason)
    {
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        var query = filter switch
        {
            "kind" => new AuditExportQuery(new AuditFilter(LedgerEntryKind.Access)),
            "actor" => new AuditExportQuery(new AuditFilter(LedgerEntryKind.PurgeTombstone, Actor: Guid.NewGuid())),
            "case" => new AuditExportQuery(new AuditFilter(LedgerEntryKind.PurgeTombstone, CaseId: _withdrawn)),
            "from" => new AuditExportQuery(new AuditFilter(LedgerEntryKind.PurgeTombstone), From: today.AddDays(-1)),
            _ => new AuditExportQuery(new AuditFilter(LedgerEntryKind.PurgeTombstone), To: today.AddDays(1)),
        };
        var export = await ExportAsync(AuditExportFormat.Json, $"{filter}.json", query);

        var refused = await IntakeCli.RunAsync(Restored(), "retention", "purge-again", "--file", export);

        Assert.Equal(2, refused.Exit);
        Assert.Contains($"may leave out purge tombstones: {reason}", refused.Error, StringComparison.Ordinal);
        Assert.True(await HeldAsync(_withdrawn));
    }

    [Fact]
    public async Task A_damaged_last_row_purges_nothing_not_even_the_cases_named_before_it()
    {
        var export = await ExportAsync(AuditExportFormat.Json, "damaged.json");
        var rows = JsonNode.Parse(await File.ReadAllTextAsync(export))!["rows"]!.AsArray().Count;
        Assert.True(rows >= 2, "both withdrawals are in the export");
        await EditRowAsync(export, rows - 1, "day", "2001-01-01", rehash: false);

        var failed = await IntakeCli.RunAsync(Restored(), "retention", "purge-again", "--file", export);

        Assert.Equal(1, failed.Exit);
        Assert.StartsWith($"FAIL: row {rows} (seq ", failed.Out, StringComparison.Ordinal);
        Assert.Contains("Nothing was purged", failed.Out, StringComparison.Ordinal);
        Assert.True(await HeldAsync(_withdrawn));
        Assert.True(await HeldAsync(_alsoWithdrawn));
    }

    [Fact]
    public async Task A_row_edited_to_name_an_entry_that_is_not_the_cases_submission_purges_nothing()
    {
        var export = await ExportAsync(AuditExportFormat.Json, "edited.json");
        // A row now names the kept case, with a leaf hash computed again, but an entry that is not its submission.
        await EditRowAsync(export, 0, "caseId", _kept.ToString(), rehash: true);

        var failed = await IntakeCli.RunAsync(Restored(), "retention", "purge-again", "--file", export);

        Assert.Equal(1, failed.Exit);
        Assert.Contains("the export does not describe this ledger, or was changed", failed.Out, StringComparison.Ordinal);
        Assert.Contains("Nothing was purged", failed.Out, StringComparison.Ordinal);
        Assert.True(await HeldAsync(_kept));
        Assert.True(await HeldAsync(_withdrawn));
    }

    [Fact]
    public async Task A_purger_setting_that_does_not_work_is_found_before_anything_changes()
    {
        var export = await ExportAsync(AuditExportFormat.Json, "ok.json");
        var settings = Restored();
        settings["Database:Purger"] = new NpgsqlConnectionStringBuilder(_restored.Database.Purger) { Password = "wrong" }.ConnectionString;
        var entries = (await _restored.ReadAllAsync()).Count;

        var failed = await IntakeCli.RunAsync(settings, "retention", "purge-again", "--file", export);

        Assert.Equal(1, failed.Exit);
        Assert.Contains("cannot use the database as the purger (setting Database:Purger)", failed.Error, StringComparison.Ordinal);
        Assert.Equal(entries, (await _restored.ReadAllAsync()).Count);
        Assert.True(await HeldAsync(_withdrawn));
    }

    [Fact]
    public async Task Usage_settings_and_unreadable_files_exit_2_and_purge_nothing()
    {
        var export = await ExportAsync(AuditExportFormat.Json, "ok.json");
        var notAnExport = Path.Combine(_directory, "notes.txt");
        await File.WriteAllTextAsync(notAnExport, "hello");
        var noPurger = Restored();
        noPurger.Remove("Database:Purger");

        var missingFile = await IntakeCli.RunAsync(Restored(), "retention", "purge-again");
        var extra = await IntakeCli.RunAsync(Restored(), "retention", "purge-again", "--file", export, "surplus");
        var missingSetting = await IntakeCli.RunAsync(noPurger, "retention", "purge-again", "--file", export);
        var nowhere = await IntakeCli.RunAsync(Restored(), "retention", "purge-again", "--file", Path.Combine(_directory, "absent.json"));
        var unreadable = await IntakeCli.RunAsync(Restored(), "retention", "purge-again", "--file", notAnExport);

        Assert.All([missingFile, extra, missingSetting, nowhere, unreadable], r => Assert.Equal(2, r.Exit));
        Assert.Contains("--file PATH is required", missingFile.Error, StringComparison.Ordinal);
        Assert.Contains("unexpected argument surplus", extra.Error, StringComparison.Ordinal);
        Assert.Contains("Database:Purger is not set (environment variable Database__Purger)", missingSetting.Error, StringComparison.Ordinal);
        Assert.Contains("cannot read the export", nowhere.Error, StringComparison.Ordinal);
        Assert.Contains("is not an audit export", unreadable.Error, StringComparison.Ordinal);
        Assert.True(await HeldAsync(_withdrawn));
    }
}
