using Intake.Storage;
using Intake.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Intake.Storage.Tests;

/// <summary>The app and purger roles can use the schema but never change it.</summary>
public sealed class DatabaseRoleTests : IAsyncLifetime
{
    private TestDatabase _database = null!;

    public async Task InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync("roles");
        await new MigrationRunner(_database.Migrator, NullLogger<MigrationRunner>.Instance).MigrateAsync(Migration.All);
    }

    public async Task DisposeAsync() => await _database.DisposeAsync();

    [Theory]
    [InlineData("app", "CREATE TABLE intake.sneaky (id int)")]
    [InlineData("app", "CREATE TABLE public.sneaky (id int)")]
    [InlineData("app", "INSERT INTO intake.schema_migrations (version, name, checksum) VALUES (424242, 'x', 'y')")]
    [InlineData("app", "DELETE FROM intake.schema_migrations")]
    [InlineData("app", "UPDATE intake.store_info SET created_on = current_date")]
    [InlineData("purger", "CREATE TABLE intake.sneaky (id int)")]
    [InlineData("purger", "DROP TABLE intake.store_info")]
    public async Task Service_roles_cannot_change_the_schema_or_the_migration_record(string role, string sql)
    {
        var connectionString = role == "app" ? _database.App : _database.Purger;
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);

        var error = await Assert.ThrowsAsync<PostgresException>(() => command.ExecuteNonQueryAsync());

        Assert.True(error.SqlState is PostgresErrorCodes.InsufficientPrivilege, $"{role}: {sql} failed with {error.SqlState} {error.MessageText}");
    }

    [Fact]
    public async Task The_app_role_can_read_the_schema_version_and_store_info()
    {
        await using var connection = new NpgsqlConnection(_database.App);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT store_id FROM intake.store_info", connection);

        var storeId = await command.ExecuteScalarAsync();

        Assert.IsType<Guid>(storeId);
        Assert.Equal(Migration.LatestVersion, await MigrationRunner.CurrentVersionAsync(connection, default));
    }
}
