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
    private Guid _kept;

    public async Task InitializeAsync()
    {
        _live = await LedgerTestDatabase.CreateAsync("cli_purge_again");
        await using var writer = _live.Writer();
        _withdrawn = (await WorkspaceTestCase.CreateAsync(_live, writer, "withdrawn")).CaseId;
        _kept = (await WorkspaceTestCase.CreateAsync(_live, writer, "kept")).CaseId;
        // The nightly backup; then she withdraws, and the newest export records it.
        _restored = await _live.BackUpAndRestoreAsync("cli_purge_again_restored");
        await new CaseStore(_live.App, new UploadStore(_live.App), writer, new LedgerPurger(writer, _live.App, _live.Purger), _live.Purger,
            new LegalHoldStore(_live.App, writer, TimeProvider.System)).WithdrawAsync(_withdrawn);
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

    private async Task<string> ExportAsync(AuditExportFormat format, string name, LedgerEntryKind? kind = LedgerEntryKind.PurgeTombstone)
    {
        var path = Path.Combine(_directory, name);
        await using var file = File.Create(path);
        await new AuditExport(_live.App, TimeProvider.System).WriteAsync(file, format, new AuditExportQuery(new AuditFilter(kind)));
        return path;
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
        Assert.Equal("dry run: 1 of the 1 cases the export's tombstones name are in this database again (withdrawn: 1); nothing was purged.", dry.Out.Trim());
        Assert.True(await HeldAsync(_withdrawn));

        var run = await IntakeCli.RunAsync(Restored(), "retention", "purge-again", "--file", export);
        Assert.Equal(0, run.Exit);
        Assert.StartsWith("ok: 1 of the 1 cases the export's tombstones name were in this database again and are purged again (withdrawn: 1)", run.Out, StringComparison.Ordinal);
        Assert.Empty(run.Error);
        Assert.False(await HeldAsync(_withdrawn));
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
        Assert.StartsWith("ok: 0 of the 1 cases", again.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_export_filtered_to_other_entries_or_with_an_unsound_row_purges_nothing()
    {
        var filtered = await ExportAsync(AuditExportFormat.Json, "access.json", LedgerEntryKind.Access);
        var changed = await ExportAsync(AuditExportFormat.Json, "changed.json");
        var json = JsonNode.Parse(await File.ReadAllTextAsync(changed))!;
        json["rows"]![0]!["day"] = "2001-01-01";
        await File.WriteAllTextAsync(changed, json.ToJsonString());

        var refused = await IntakeCli.RunAsync(Restored(), "retention", "purge-again", "--file", filtered);
        var failed = await IntakeCli.RunAsync(Restored(), "retention", "purge-again", "--file", changed);

        Assert.Equal(2, refused.Exit);
        Assert.Contains("may leave out purge tombstones: it selects only entries of kind 11 (Access)", refused.Error, StringComparison.Ordinal);
        Assert.Equal(1, failed.Exit);
        Assert.StartsWith("FAIL: row 1 (seq ", failed.Out, StringComparison.Ordinal);
        Assert.Contains("Nothing was purged", failed.Out, StringComparison.Ordinal);
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
