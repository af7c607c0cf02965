using System.CommandLine;
using Intake.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Intake.Cli.Commands;

/// <summary><c>intake migrate</c>: applies the embedded SQL migrations as the migrator role.</summary>
public static class MigrateCommand
{
    public static Command Create(IConfiguration configuration, CliConsole console)
    {
        var connection = new Option<string?>("--connection")
        {
            Description = "The migrator role's PostgreSQL connection string (default: setting Database:Migrator).",
        };
        var command = new Command("migrate", "Apply database migrations; running it again is a no-op.") { connection };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var connectionString = parse.GetValue(connection) ?? configuration["Database:Migrator"];
            if (string.IsNullOrWhiteSpace(connectionString))
            {
                await console.Error.WriteLineAsync("intake migrate: no connection string: set Database__Migrator or pass --connection.");
                return 2;
            }
            try
            {
                var runner = new MigrationRunner(connectionString, NullLogger<MigrationRunner>.Instance);
                var report = await runner.MigrateAsync(Migration.All, cancellationToken);
                var message = report.NewlyApplied.Count == 0
                    ? $"Database is up to date at schema version {report.Version}."
                    : $"Applied {report.NewlyApplied.Count} migration(s) ({string.Join(", ", report.NewlyApplied.Select(v => v.ToString("D4", System.Globalization.CultureInfo.InvariantCulture)))}); schema version is now {report.Version}.";
                await console.Out.WriteLineAsync(message);
                return 0;
            }
            catch (MigrationException ex)
            {
                await console.Error.WriteLineAsync($"intake migrate: {ex.Message}");
                return 1;
            }
            catch (Exception ex) when (ex is NpgsqlException or ArgumentException)
            {
                await console.Error.WriteLineAsync($"intake migrate: cannot use the database (setting Database:Migrator): {ex.Message}");
                return 1;
            }
        });
        return command;
    }
}
