using Microsoft.Extensions.Logging;
using Npgsql;

namespace Intake.Storage;

/// <summary>Applies the embedded SQL migrations in order, each in its own transaction.</summary>
/// <remarks>
/// Runs as the migrator role. A PostgreSQL advisory lock makes concurrent runs (two hosts
/// upgrading at once) wait for each other instead of racing. Applied migrations are recorded
/// with their checksum; an edited migration is refused rather than silently skipped.
/// </remarks>
public sealed class MigrationRunner(string migratorConnectionString, ILogger<MigrationRunner> logger)
{
    // Arbitrary constant shared by every Intake migrator: "INTAKE" in ASCII.
    private const long AdvisoryLockKey = 0x494E54414B45;

    public async Task<MigrationReport> MigrateAsync(IReadOnlyList<Migration> migrations, CancellationToken cancellationToken = default)
    {
        await using var connection = new NpgsqlConnection(migratorConnectionString);
        await connection.OpenAsync(cancellationToken);
        await EnsureRolesExistAsync(connection, cancellationToken);

        await using (var lockCommand = new NpgsqlCommand("SELECT pg_advisory_lock(@key)", connection))
        {
            lockCommand.Parameters.AddWithValue("key", AdvisoryLockKey);
            await lockCommand.ExecuteNonQueryAsync(cancellationToken);
        }
        try
        {
            await ExecuteAsync(connection, """
                CREATE SCHEMA IF NOT EXISTS intake;
                CREATE TABLE IF NOT EXISTS intake.schema_migrations (
                    version     integer PRIMARY KEY,
                    name        text NOT NULL,
                    checksum    text NOT NULL,
                    applied_on  date NOT NULL DEFAULT current_date
                );
                GRANT USAGE ON SCHEMA intake TO intake_app, intake_purger;
                GRANT SELECT ON intake.schema_migrations TO intake_app, intake_purger;
                """, cancellationToken);

            var applied = await ReadAppliedAsync(connection, cancellationToken);
            var newlyApplied = new List<int>();
            foreach (var migration in migrations)
            {
                if (applied.TryGetValue(migration.Version, out var checksum))
                {
                    if (!string.Equals(checksum, migration.Checksum, StringComparison.Ordinal))
                    {
                        throw new MigrationException(
                            $"Migration {migration.Version:D4}_{migration.Name} was changed after it was applied (checksum {checksum[..12]} in the database, {migration.Checksum[..12]} in this build). Add a new migration instead of editing an applied one.");
                    }
                    continue;
                }
                await ApplyAsync(connection, migration, cancellationToken);
                newlyApplied.Add(migration.Version);
                logger.LogInformation("Applied migration {Version} {Name}", migration.Version, migration.Name);
            }
            var unknown = applied.Keys.Where(v => migrations.All(m => m.Version != v)).ToList();
            if (unknown.Count > 0)
            {
                throw new MigrationException(
                    $"The database has migration {unknown.Max():D4}, which this build does not know. Run a newer Intake against this database.");
            }
            return new MigrationReport(applied.Count, newlyApplied, migrations.Count == 0 ? 0 : migrations[^1].Version);
        }
        finally
        {
            await using var unlock = new NpgsqlCommand("SELECT pg_advisory_unlock(@key)", connection);
            unlock.Parameters.AddWithValue("key", AdvisoryLockKey);
            await unlock.ExecuteNonQueryAsync(CancellationToken.None);
        }
    }

    /// <summary>Reads the highest applied version, or 0 for a database never migrated.</summary>
    public static async Task<int> CurrentVersionAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        // Two statements: a query naming a missing table fails at parse time, whatever a CASE says.
        await using (var exists = new NpgsqlCommand("SELECT to_regclass('intake.schema_migrations') IS NOT NULL", connection))
        {
            if (await exists.ExecuteScalarAsync(cancellationToken) is not true)
            {
                return 0;
            }
        }
        await using var command = new NpgsqlCommand("SELECT coalesce(max(version), 0) FROM intake.schema_migrations", connection);
        return Convert.ToInt32(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static async Task EnsureRolesExistAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            "SELECT array_agg(r) FROM unnest(@roles) AS r WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r)",
            connection);
        command.Parameters.AddWithValue("roles", new[] { DatabaseRoles.App, DatabaseRoles.Purger });
        if (await command.ExecuteScalarAsync(cancellationToken) is string[] { Length: > 0 } missing)
        {
            throw new MigrationException(
                $"Database role(s) {string.Join(", ", missing)} do not exist. Create them first (./scripts/run does this in development; deploy/debian/install.sh in production).");
        }
    }

    private static async Task<Dictionary<int, string>> ReadAppliedAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        var applied = new Dictionary<int, string>();
        await using var command = new NpgsqlCommand("SELECT version, checksum FROM intake.schema_migrations", connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            applied[reader.GetInt32(0)] = reader.GetString(1);
        }
        return applied;
    }

    private static async Task ApplyAsync(NpgsqlConnection connection, Migration migration, CancellationToken cancellationToken)
    {
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        try
        {
            await using (var command = new NpgsqlCommand(migration.Sql, connection, transaction))
            {
                await command.ExecuteNonQueryAsync(cancellationToken);
            }
            await using (var record = new NpgsqlCommand(
                "INSERT INTO intake.schema_migrations (version, name, checksum) VALUES (@v, @n, @c)", connection, transaction))
            {
                record.Parameters.AddWithValue("v", migration.Version);
                record.Parameters.AddWithValue("n", migration.Name);
                record.Parameters.AddWithValue("c", migration.Checksum);
                await record.ExecuteNonQueryAsync(cancellationToken);
            }
            await transaction.CommitAsync(cancellationToken);
        }
        catch (PostgresException ex)
        {
            throw new MigrationException($"Migration {migration.Version:D4}_{migration.Name} failed: {ex.MessageText}", ex);
        }
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}

/// <summary>What a migration run did.</summary>
public sealed record MigrationReport(int PreviouslyApplied, IReadOnlyList<int> NewlyApplied, int Version);

/// <summary>A migration could not be applied; the message says why and what to do.</summary>
public sealed class MigrationException : Exception
{
    public MigrationException(string message) : base(message) { }
    public MigrationException(string message, Exception inner) : base(message, inner) { }
}
