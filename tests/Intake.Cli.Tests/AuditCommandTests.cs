using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Intake.Core.Crypto;
using Intake.Core.Ledger;
using Intake.Storage.Audit;
using Intake.Storage.Ledger;
using Intake.Storage.Tests.Ledger;
using Npgsql;
using Intake.Testing;

namespace Intake.Cli.Tests;

/// <summary><c>intake audit verify</c> against a real ledger: exit codes 0 (matches), 1 (does not), 2 (usage, settings, unreadable files).</summary>
public sealed class AuditCommandTests : IAsyncLifetime
{
    private const string Secret = "SECRET-ACTION-VALUE";
    private readonly string _directory = Directory.CreateTempSubdirectory("intake-audit-cli-").FullName;
    private LedgerTestDatabase _db = null!;

    // Not _db.App, for the reason LedgerCommandTests gives.
    private NpgsqlDataSource _app = null!;

    public async Task InitializeAsync()
    {
        _db = await LedgerTestDatabase.CreateAsync("cli_audit");
        _app = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(_db.Database.App) { ApplicationName = "intake-audit-cli-test" }.ConnectionString);
        await using var writer = _db.Writer(_app);
        var admin = Guid.NewGuid();
        for (var i = 0; i < 4; i++)
        {
            await writer.AppendAsync(LedgerTestDatabase.Submission($"cli entry {Guid.NewGuid()}"));
            await writer.AppendAsync(new LedgerAppend(LedgerEntryKind.AdminAction,
                Metadata: JsonSerializer.SerializeToUtf8Bytes(new { action = "account.invite", actor = admin.ToString(), note = Secret + i })));
        }
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        await _db.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    private Dictionary<string, string?> Settings(bool database = true) =>
        database ? new() { ["Database:App"] = _db.Database.App } : [];

    private static Task<(int Exit, string Out, string Error)> Intake(Dictionary<string, string?> settings, params string[] args) =>
        IntakeCli.RunAsync(settings, args);

    private async Task<string> ExportAsync(AuditExportFormat format, string name)
    {
        var path = Path.Combine(_directory, name);
        await using var file = File.Create(path);
        await new AuditExport(_app, TimeProvider.System).WriteAsync(file, format, new AuditExportQuery(new AuditFilter()));
        return path;
    }

    [Theory]
    [InlineData(AuditExportFormat.Json, "export.json")]
    [InlineData(AuditExportFormat.Csv, "export.csv")]
    public async Task A_matching_export_exits_0(AuditExportFormat format, string name)
    {
        var path = await ExportAsync(format, name);

        var result = await Intake(Settings(), "audit", "verify", "--file", path);

        Assert.Equal(0, result.Exit);
        Assert.StartsWith($"ok: 4 rows of the {format.ToString().ToUpperInvariant()} export match the ledger at tree size 8", result.Out, StringComparison.Ordinal);
        Assert.Empty(result.Error);
    }

    [Fact]
    public async Task A_changed_row_exits_1_naming_the_row_without_printing_its_metadata()
    {
        var path = await ExportAsync(AuditExportFormat.Json, "changed.json");
        var json = JsonNode.Parse(await File.ReadAllTextAsync(path))!;
        var row = json["rows"]![2]!;
        var metadata = Base64UrlStrict.TryDecode((string)row["metadata"]!)!;
        var text = Encoding.UTF8.GetString(metadata).Replace(Secret + "2", Secret + "9", StringComparison.Ordinal);
        row["metadata"] = Base64UrlStrict.Encode(Encoding.UTF8.GetBytes(text));
        await File.WriteAllTextAsync(path, json.ToJsonString());

        var result = await Intake(Settings(), "audit", "verify", "--file", path);

        Assert.Equal(1, result.Exit);
        Assert.Equal("FAIL: row 3 (seq 5): its fields (seq, kind, day, case, payload hash, purged seq, metadata) do not recompute to its leaf hash", result.Out.Trim());
        Assert.DoesNotContain(Secret, result.Out + result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("account.invite", result.Out + result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_removed_row_exits_1()
    {
        var path = await ExportAsync(AuditExportFormat.Csv, "removed.csv");
        var lines = (await File.ReadAllTextAsync(path)).Split("\r\n").ToList();
        lines.RemoveAt(lines.FindIndex(l => l.StartsWith("seq,", StringComparison.Ordinal)) + 2);
        await File.WriteAllTextAsync(path, string.Join("\r\n", lines));

        var result = await Intake(Settings(), "audit", "verify", "--file", path);

        Assert.Equal(1, result.Exit);
        Assert.Equal("FAIL: entry 3 (kind 8) is selected by the export's filters but missing between row 1 and row 2", result.Out.Trim());
    }

    [Fact]
    public async Task An_export_of_this_ledger_fails_once_the_database_is_rewritten()
    {
        var path = await ExportAsync(AuditExportFormat.Csv, "rewritten.csv");
        await using (var connection = new NpgsqlConnection(_db.Database.Superuser))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand(
                "SET session_replication_role = replica; UPDATE intake.ledger_entries SET leaf_hash = sha256(leaf_hash) WHERE seq = 7", connection);
            await command.ExecuteNonQueryAsync();
        }

        var result = await Intake(Settings(), "audit", "verify", "--file", path);

        Assert.Equal(1, result.Exit);
        Assert.StartsWith("FAIL: ", result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_file_option_or_an_unexpected_argument_is_a_usage_error_with_exit_2()
    {
        var missing = await Intake(Settings(), "audit", "verify");
        var empty = await Intake(Settings(), "audit", "verify", "--file");
        var extra = await Intake(Settings(), "audit", "verify", "--file", Path.Combine(_directory, "x.json"), "--fast");

        Assert.Equal(2, missing.Exit);
        Assert.Equal("intake audit verify: --file PATH is required (the audit export to check)", missing.Error.Trim());
        Assert.Equal(2, empty.Exit);
        Assert.Equal(2, extra.Exit);
        Assert.Contains("--fast", extra.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_file_that_cannot_be_read_or_is_not_an_export_exits_2_in_one_line()
    {
        var absent = Path.Combine(_directory, "absent.json");
        var notExport = Path.Combine(_directory, "not-export.json");
        await File.WriteAllTextAsync(notExport, "{\"hello\": 1}");
        var truncated = Path.Combine(_directory, "truncated.json");
        var export = await File.ReadAllTextAsync(await ExportAsync(AuditExportFormat.Json, "whole.json"));
        await File.WriteAllTextAsync(truncated, export[..(export.Length / 2)]);

        foreach (var path in new[] { absent, notExport, truncated, _directory })
        {
            var result = await Intake(Settings(), "audit", "verify", "--file", path);

            Assert.True(result.Exit == 2, $"{path}: {result.Exit} {result.Out} {result.Error}");
            Assert.StartsWith("intake audit verify: ", result.Error, StringComparison.Ordinal);
            Assert.Single(result.Error.Trim().Split('\n'));
            Assert.Empty(result.Out);
        }
    }

    [Fact]
    public async Task Without_the_database_setting_it_stops_with_exit_2_naming_it()
    {
        var path = await ExportAsync(AuditExportFormat.Json, "settings.json");

        var result = await Intake(Settings(database: false), "audit", "verify", "--file", path);

        Assert.Equal(2, result.Exit);
        Assert.Equal("intake audit verify: Database:App is not set (environment variable Database__App)", result.Error.Trim());
    }
}
