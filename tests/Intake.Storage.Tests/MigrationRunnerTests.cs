using Intake.Storage;
using Intake.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Intake.Storage.Tests;

public sealed class MigrationRunnerTests
{
    private static MigrationRunner Runner(TestDatabase database) => new(database.Migrator, NullLogger<MigrationRunner>.Instance);

    [Fact]
    public async Task All_migrations_apply_to_an_empty_database_and_a_second_run_changes_nothing()
    {
        await using var database = await TestDatabase.CreateAsync("migrate");

        var first = await Runner(database).MigrateAsync(Migration.All);
        var second = await Runner(database).MigrateAsync(Migration.All);

        Assert.Equal(Migration.All.Select(m => m.Version), first.NewlyApplied);
        Assert.Empty(second.NewlyApplied);
        Assert.Equal(Migration.LatestVersion, second.Version);
        await using var connection = new NpgsqlConnection(database.App);
        await connection.OpenAsync();
        Assert.Equal(Migration.LatestVersion, await MigrationRunner.CurrentVersionAsync(connection, default));
    }

    [Fact]
    public async Task Concurrent_runs_apply_each_migration_once()
    {
        await using var database = await TestDatabase.CreateAsync("migrate_race");

        var reports = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Runner(database).MigrateAsync(Migration.All)));

        Assert.Equal(Migration.All.Count, reports.Sum(r => r.NewlyApplied.Count));
        await using var connection = new NpgsqlConnection(database.Migrator);
        await connection.OpenAsync();
        await using var count = new NpgsqlCommand("SELECT count(*) FROM intake.schema_migrations", connection);
        Assert.Equal((long)Migration.All.Count, (long)(await count.ExecuteScalarAsync())!);
    }

    [Fact]
    public async Task A_migration_edited_after_it_was_applied_is_refused()
    {
        await using var database = await TestDatabase.CreateAsync("migrate_edit");
        await Runner(database).MigrateAsync(Migration.All);
        var edited = Migration.All.Select((m, i) => i == 0 ? m with { Sql = m.Sql + "\n-- edited" } : m).ToList();

        var error = await Assert.ThrowsAsync<MigrationException>(() => Runner(database).MigrateAsync(edited));

        Assert.Contains("was changed after it was applied", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_database_from_a_newer_build_is_refused()
    {
        await using var database = await TestDatabase.CreateAsync("migrate_newer");
        var newer = Migration.All.Append(new Migration(9999, "from_the_future", "SELECT 1;")).ToList();
        await Runner(database).MigrateAsync(newer);

        var error = await Assert.ThrowsAsync<MigrationException>(() => Runner(database).MigrateAsync(Migration.All));

        Assert.Contains("9999", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_failing_migration_is_rolled_back_and_names_itself()
    {
        await using var database = await TestDatabase.CreateAsync("migrate_fail");
        var broken = Migration.All.Append(new Migration(9000, "broken", "CREATE TABLE intake.half_done (id int); SELECT no_such_function();")).ToList();

        var error = await Assert.ThrowsAsync<MigrationException>(() => Runner(database).MigrateAsync(broken));

        Assert.Contains("9000_broken", error.Message, StringComparison.Ordinal);
        await using var connection = new NpgsqlConnection(database.Migrator);
        await connection.OpenAsync();
        await using var table = new NpgsqlCommand("SELECT to_regclass('intake.half_done') IS NULL", connection);
        Assert.True((bool)(await table.ExecuteScalarAsync())!);
        Assert.Equal(Migration.LatestVersion, await MigrationRunner.CurrentVersionAsync(connection, default));
    }

    [Fact]
    public void Embedded_migrations_are_numbered_without_duplicates_and_start_at_one()
    {
        Assert.NotEmpty(Migration.All);
        Assert.Equal(1, Migration.All[0].Version);
        Assert.Equal(Migration.All.Count, Migration.All.Select(m => m.Version).Distinct().Count());
        Assert.All(Migration.All, m => Assert.Matches("^[a-z0-9_]+$", m.Name));
    }
}
