using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Intake.Core.Crypto;
using Intake.Storage;
using Intake.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Intake.Web.Tests.Deployment;

/// <summary>
/// Follows docs/operations.md §2 (upgrade) from the previous migration state: a database at schema
/// 11 holding what the build before migration 0012 wrote (Deployment/Upgrade/from-0011, made by
/// that build's own stores), then backup, `intake migrate`, start the web and worker roles of this
/// build, and check that every case, receipt, hold and ledger entry came through.
/// </summary>
[Collection(WebCollection.Name)]
public sealed class UpgradeTests(WebFixture fixture)
{
    private static readonly string Folder = Path.Combine(AppContext.BaseDirectory, "Deployment", "Upgrade", "from-0011");

    [Fact]
    public async Task The_documented_upgrade_from_schema_11_keeps_every_case_receipt_hold_and_ledger_entry()
    {
        var facts = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(Folder, "fixture.json"))).RootElement;
        var ledger = facts.GetProperty("ledger");
        var cases = facts.GetProperty("cases").EnumerateArray().ToDictionary(c => c.GetProperty("role").GetString()!);
        await using var database = await TestDatabase.CreateAsync("upgrade");
        await LoadPreviousStateAsync(database);
        var settings = fixture.Settings();
        settings["Database:App"] = database.App;
        settings["Database:Purger"] = database.Purger;
        settings["Ledger:Origin"] = ledger.GetProperty("origin").GetString()!;
        settings["Ledger:SigningKeyFile"] = Path.Combine(Folder, ledger.GetProperty("signingKeyFile").GetString()!);

        // Before migrating, this build refuses the old schema with one line that says what to do.
        await using (var early = IntakeProcess.Start(settings))
        {
            Assert.Equal(1, await early.WaitForExitAsync(TimeSpan.FromSeconds(90)));
            Assert.Contains("is at schema version 11; this build needs 12", early.Output, StringComparison.Ordinal);
            Assert.Contains("intake migrate", early.Output, StringComparison.Ordinal);
        }

        // 1. A backup now.
        var backup = await database.DumpAsync();
        Assert.Contains(cases["held"].GetProperty("caseId").GetString()!, backup, StringComparison.Ordinal);

        // 3. `intake migrate`, as the migrator role; a second run finds nothing to do.
        var migrate = await IntakeAsync(new() { ["Database:Migrator"] = database.Migrator }, "migrate");
        var again = await IntakeAsync(new() { ["Database:Migrator"] = database.Migrator }, "migrate");
        Assert.Equal(0, migrate.Exit);
        Assert.Contains("Applied 1 migration(s) (0012); schema version is now 12.", migrate.Out, StringComparison.Ordinal);
        Assert.Contains("Database is up to date at schema version 12.", again.Out, StringComparison.Ordinal);

        // 4. Start the web and worker roles, and check /healthz.
        await using var web = IntakeProcess.Start(With(settings, "Intake:Role", "Web"));
        await using var worker = IntakeProcess.Start(With(With(settings, "Intake:Role", "Worker"), "Retention:JobEnabled", "true"));
        await web.WaitUntilHealthyAsync(TimeSpan.FromSeconds(90));
        await worker.WaitUntilHealthyAsync(TimeSpan.FromSeconds(90));

        // Survivors come back with the receipts the old build gave them.
        using var survivor = new HttpClient { BaseAddress = web.BaseAddress };
        var replied = await LookupAsync(survivor, cases["replied"]);
        Assert.Equal(HttpStatusCode.OK, replied.Status);
        Assert.Equal("in_review", replied.Body.GetProperty("status").GetString());
        Assert.Single(replied.Body.GetProperty("replies").EnumerateArray());
        Assert.Single(replied.Body.GetProperty("followUps").EnumerateArray());
        Assert.Equal(HttpStatusCode.OK, (await LookupAsync(survivor, cases["held"])).Status);
        Assert.Equal(HttpStatusCode.OK, (await LookupAsync(survivor, cases["plain"])).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await LookupAsync(survivor, cases["withdrawn"])).Status);

        // Retention works out a purge day for every old case; the hold still moves the held one.
        var days = await PurgeDaysAsync(database.Superuser);
        Assert.Equal(3, days.Count);
        Assert.DoesNotContain(cases["withdrawn"].GetProperty("caseId").GetGuid(), days.Keys);
        var holdEnds = DateOnly.Parse(facts.GetProperty("legalHold").GetProperty("expiresOn").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(days[cases["held"].GetProperty("caseId").GetGuid()] > holdEnds);

        // The ledger the old build wrote still verifies, with this build's checkpoints on top.
        var verify = await IntakeAsync(new()
        {
            ["Database:App"] = database.App,
            ["Ledger:Origin"] = settings["Ledger:Origin"],
            ["Ledger:SigningKeyFile"] = settings["Ledger:SigningKeyFile"],
        }, "ledger", "verify");
        Assert.Equal(0, verify.Exit);
        Assert.Contains($"ok: {ledger.GetProperty("entries").GetInt32()} entries", verify.Out, StringComparison.Ordinal);
        var checkpoint = await survivor.GetStringAsync("/ledger/checkpoint");
        Assert.StartsWith($"{settings["Ledger:Origin"]}\n{ledger.GetProperty("entries").GetInt32()}\n", checkpoint, StringComparison.Ordinal);
    }

    // The schema of the previous build (0001..0011, through this build's runner), then that build's data.
    private static async Task LoadPreviousStateAsync(TestDatabase database)
    {
        var runner = new MigrationRunner(database.Migrator, NullLogger<MigrationRunner>.Instance);
        await runner.MigrateAsync(Migration.All.Where(m => m.Version <= 11).ToList());
        await using var connection = new NpgsqlConnection(database.Superuser);
        await connection.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        // The append-only triggers refuse the deletes of the rows the migrations seeded and the dump
        // brings back; replica mode turns them off for this load only.
        var sql = "SET LOCAL session_replication_role = replica;\n"
            + "DELETE FROM intake.store_info; DELETE FROM intake.ledger_head; DELETE FROM intake.retention_policies WHERE channel IS NULL;\n"
            + await File.ReadAllTextAsync(Path.Combine(Folder, "data.sql"));
        await using (var load = new NpgsqlCommand(sql, connection, transaction))
        {
            await load.ExecuteNonQueryAsync();
        }
        await transaction.CommitAsync();
        Assert.Equal(11, await MigrationRunner.CurrentVersionAsync(connection, CancellationToken.None));
    }

    private static Task<(int Exit, string Out, string Error)> IntakeAsync(Dictionary<string, string?> settings, params string[] args) =>
        IntakeCli.RunAsync(settings, args);

    private static Dictionary<string, string> With(Dictionary<string, string> settings, string key, string value) =>
        new(settings) { [key] = value };

    private static async Task<(HttpStatusCode Status, JsonElement Body)> LookupAsync(HttpClient client, JsonElement kase)
    {
        if (!SurvivorReceipt.TryParse(kase.GetProperty("receipt").GetString(), out var receipt, out var error))
        {
            throw new InvalidOperationException($"fixture receipt does not parse: {error}");
        }
        using var secrets = ReceiptSecrets.Derive(receipt!);
        var response = await client.PostAsJsonAsync("/api/cases/lookup", new { lookupId = Base64UrlStrict.Encode(secrets.LookupId) });
        var body = response.StatusCode == HttpStatusCode.OK ? await response.Content.ReadFromJsonAsync<JsonElement>() : default;
        return (response.StatusCode, body);
    }

    private static async Task<Dictionary<Guid, DateOnly>> PurgeDaysAsync(string superuser)
    {
        await using var connection = new NpgsqlConnection(superuser);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT id, purge_on FROM intake.case_retention", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var days = new Dictionary<Guid, DateOnly>();
        while (await reader.ReadAsync())
        {
            days[reader.GetGuid(0)] = reader.GetFieldValue<DateOnly>(1);
        }
        return days;
    }
}
