using Intake.Storage.Accounts;
using Intake.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Intake.Storage.Tests.Accounts;

/// <summary>
/// The EF Core model of the staff accounts and the schema migration 0005 creates must agree:
/// every table and column the model maps exists with the same type and nullability, and the
/// schema has nothing the model does not know. EF's design tools are not available, so this is
/// what catches a model change without a migration (or the reverse).
/// </summary>
public sealed class AccountsSchemaTests : IAsyncLifetime
{
    private TestDatabase _database = null!;

    public async Task InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync("accounts_schema");
        await new MigrationRunner(_database.Migrator, NullLogger<MigrationRunner>.Instance).MigrateAsync(Migration.All);
    }

    public async Task DisposeAsync() => await _database.DisposeAsync();

    private AccountsDbContext Context() =>
        new(new DbContextOptionsBuilder<AccountsDbContext>().UseNpgsql(_database.App).Options);

    [Fact]
    public async Task The_migrated_schema_matches_the_model_column_for_column()
    {
        using var db = Context();
        var expected = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var entity in db.Model.GetEntityTypes().Where(e => e.GetTableName() is not null))
        {
            var table = Microsoft.EntityFrameworkCore.Metadata.StoreObjectIdentifier.Table(entity.GetTableName()!, entity.GetSchema());
            Assert.Equal("accounts", entity.GetSchema());
            foreach (var property in entity.GetProperties())
            {
                var type = property.GetColumnType().Replace("character varying", "varchar", StringComparison.Ordinal)
                    .Replace("timestamp with time zone", "timestamptz", StringComparison.Ordinal);
                expected.Add($"{entity.GetTableName()}.{property.GetColumnName(table)} {type} {(property.IsColumnNullable(table) ? "null" : "not null")}");
            }
        }

        var actual = new SortedSet<string>(StringComparer.Ordinal);
        await using var connection = new NpgsqlConnection(_database.Migrator);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("""
            SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull
            FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = 'accounts' AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped
            """, connection);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            var type = reader.GetString(2).Replace("character varying", "varchar", StringComparison.Ordinal)
                .Replace("timestamp with time zone", "timestamptz", StringComparison.Ordinal);
            actual.Add($"{reader.GetString(0)}.{reader.GetString(1)} {type} {(reader.GetBoolean(3) ? "not null" : "null")}");
        }

        Assert.Equal(string.Join("\n", expected), string.Join("\n", actual));
        Assert.Contains("users.id uuid not null", actual);
        Assert.Contains("invitations.token_hash bytea not null", actual);
    }

    [Fact]
    public async Task The_three_roles_exist_and_the_app_reads_them_through_the_context()
    {
        using var db = Context();

        var roles = await db.Roles.Select(r => r.Name).OrderBy(n => n).ToListAsync();

        Assert.Equal(["Admin", "Advocate", "Auditor"], roles);
        Assert.True(StaffRoles.All.All(r => roles.Contains(r)));
    }

    [Theory]
    [InlineData("intake_app", "DELETE FROM accounts.users")]
    [InlineData("intake_app", "INSERT INTO accounts.roles (id, name) VALUES (gen_random_uuid(), 'Root')")]
    [InlineData("intake_app", "DELETE FROM accounts.invitations")]
    [InlineData("intake_purger", "SELECT count(*) FROM accounts.users")]
    public async Task Roles_have_only_the_rights_they_need(string role, string sql)
    {
        var connectionString = role == "intake_app" ? _database.App : _database.Purger;
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);

        var refused = await Assert.ThrowsAsync<PostgresException>(() => command.ExecuteNonQueryAsync());

        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, refused.SqlState);
    }
}
