using System.CommandLine;
using System.Globalization;
using Intake.Storage.Audit;
using Intake.Storage.Cases;
using Intake.Storage.Ledger;
using Intake.Storage.Retention;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;

namespace Intake.Cli.Commands;

/// <summary>
/// <c>intake retention purge-again --file EXPORT [--dry-run]</c>: after a backup is restored, purges
/// again every case that a purge tombstone in a newer audit export names and that the restored
/// database holds again, for the reason the tombstone records (docs/retention.md §4,
/// docs/operations.md §3.4). Needs Database:App and Database:Purger. Exit codes: 0 done (or
/// nothing to do), 1 the export has a row that is not sound or the database failed, 2 a usage
/// error, a setting missing, an unreadable file, or an export whose filters may leave out tombstones.
/// </summary>
public static class RetentionCommand
{
    private const string Name = "retention purge-again";

    public static Command Create(IConfiguration configuration, CliConsole console) =>
        new("retention", "Retention work an operator starts by hand.")
        {
            CreatePurgeAgain(configuration, console),
        };

    private static Command CreatePurgeAgain(IConfiguration configuration, CliConsole console)
    {
        var file = AuditCommand.ExportOption("The newest audit export holding the purge tombstones (JSON or CSV, unfiltered or kind PurgeTombstone).");
        var dryRun = new Option<bool>("--dry-run") { Description = "Count what would be purged again; change nothing." };
        var command = new Command("purge-again",
            "After restoring a backup: purge again every case a purge tombstone in the export names and this database holds again.") { file, dryRun };
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction((parse, cancellationToken) => LedgerCommand.RunAsync(console, Name, async () =>
        {
            if (await AuditCommand.ExportPathAsync(console, Name, "--file PATH [--dry-run]", parse, file, "the newest audit export with the purge tombstones") is not { } path)
            {
                return 2;
            }
            await using var app = LedgerSettings.AppDatabase(configuration);
            await using var purgerDatabase = LedgerSettings.Database(configuration, "Database:Purger");

            if (await AuditCommand.ReadExportAsync(console, Name, path, stream => Task.FromResult(AuditExportVerifier.ReadTombstones(stream))) is not { } export)
            {
                return 2;
            }
            if (export.Incomplete is { } why)
            {
                await console.Error.WriteLineAsync(
                    $"intake {Name}: this export may leave out purge tombstones: {why}. Download it again without filters, or with kind PurgeTombstone only.");
                return 2;
            }
            if (export.Problem is { } problem)
            {
                await console.Out.WriteLineAsync($"FAIL: {problem.Reason}. Nothing was purged: find out why the export differs before the service opens.");
                return 1;
            }

            // The purger role is needed for every purge: a wrong setting is found before anything changes.
            try
            {
                await using var check = purgerDatabase.CreateCommand("SELECT 1");
                await check.ExecuteScalarAsync(cancellationToken);
            }
            catch (Exception ex) when (ex is Npgsql.NpgsqlException or TimeoutException)
            {
                await console.Error.WriteLineAsync($"intake {Name}: cannot use the database as the purger (setting Database:Purger): {ex.Message}");
                return 1;
            }

            await using var writer = new LedgerWriter(app, TimeProvider.System, NullLogger<LedgerWriter>.Instance);
            var cases = new CaseStore(app, new UploadStore(app), writer, new LedgerPurger(writer, app, purgerDatabase), purgerDatabase,
                new LegalHoldStore(app, writer, TimeProvider.System));
            var named = export.Tombstones.Select(t => t.CaseId).Distinct().Count();
            IReadOnlyList<ExportedTombstone> held;
            try
            {
                held = await cases.HeldAgainAsync(export.Tombstones, cancellationToken);
            }
            catch (InvalidDataException mismatch)
            {
                await console.Out.WriteLineAsync($"FAIL: {mismatch.Message}. Nothing was purged: find out why before the service opens.");
                return 1;
            }
            var reasons = string.Join(", ", held.GroupBy(t => t.PurgeReason)
                .OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => string.Create(CultureInfo.InvariantCulture, $"{g.Key}: {g.Count()}")));
            var byReason = held.Count > 0 ? $" ({reasons})" : "";
            if (parse.GetValue(dryRun))
            {
                await console.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"dry run: {held.Count} of the {named} cases the export's tombstones name are in this database again{byReason}; nothing was purged."));
                return 0;
            }
            var done = 0;
            foreach (var again in held)
            {
                try
                {
                    await cases.PurgeAgainAsync(again, cancellationToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // Each case is marked as a purge begun first, so the job finishes this one; the rest need the command again.
                    await console.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                        $"FAIL after {done} of {held.Count} cases: {ex.Message.Split('\n')[0]}. Run the command again: it carries on with what is left."));
                    return 1;
                }
                done++;
            }
            await console.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"ok: {held.Count} of the {named} cases the export's tombstones name were in this database again and are purged again{byReason}; each purge is in the ledger."));
            return 0;
        }));
        return command;
    }
}
