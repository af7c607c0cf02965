using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Intake.Core.Crypto;
using Intake.Storage;
using Intake.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Intake.Cli.Tests;

public sealed partial class AdminCommandTests : IAsyncLifetime
{
    private TestDatabase _database = null!;

    public async Task InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync("cli_admin");
        await new MigrationRunner(_database.Migrator, NullLogger<MigrationRunner>.Instance).MigrateAsync(Migration.All);
    }

    public async Task DisposeAsync() => await _database.DisposeAsync();

    private Task<(int Exit, string Out, string Error)> IntakeAsync(params string[] args) =>
        IntakeCli.RunAsync(new Dictionary<string, string?> { ["Database:App"] = _database.App }, args);

    [GeneratedRegex(@"^(https?://[^/\s]+)/staff/enroll/([A-Za-z0-9_-]{43})$", RegexOptions.Multiline)]
    private static partial Regex LinkPattern();

    [Fact]
    public async Task Bootstrap_prints_a_single_use_link_whose_hash_alone_is_stored_and_a_second_bootstrap_is_refused()
    {
        var first = await IntakeAsync("admin", "bootstrap", "--base-url", "https://intake.example.org/", "--expires", "2h");
        var second = await IntakeAsync("admin", "bootstrap");

        Assert.Equal(0, first.Exit);
        var link = LinkPattern().Match(first.Out);
        Assert.True(link.Success, first.Out);
        Assert.Equal("https://intake.example.org", link.Groups[1].Value);
        var token = link.Groups[2].Value;
        Assert.Equal(32, Base64UrlStrict.TryDecode(token)!.Length);

        await using var connection = new NpgsqlConnection(_database.Superuser);
        await connection.OpenAsync();
        await using var read = new NpgsqlCommand(
            "SELECT token_hash, role, invited_by IS NULL, expires_at - now() FROM accounts.invitations", connection);
        await using (var reader = await read.ExecuteReaderAsync())
        {
            Assert.True(await reader.ReadAsync());
            Assert.Equal(SHA256.HashData(Base64UrlStrict.TryDecode(token)!), (byte[])reader[0]);
            Assert.Equal("Admin", reader.GetString(1));
            Assert.True(reader.GetBoolean(2));
            var left = reader.GetTimeSpan(3);
            Assert.InRange(left, TimeSpan.FromMinutes(115), TimeSpan.FromMinutes(121));
            Assert.False(await reader.ReadAsync());
        }
        var dump = await _database.DumpAsync();
        Assert.DoesNotContain(token, dump, StringComparison.Ordinal);

        Assert.Equal(1, second.Exit);
        Assert.Contains("refused", second.Error, StringComparison.Ordinal);
        Assert.Contains("still open", second.Error, StringComparison.Ordinal);
        Assert.DoesNotMatch(LinkPattern(), second.Out);

        await using var ledger = new NpgsqlCommand("SELECT convert_from(metadata, 'UTF8') FROM intake.ledger_entries WHERE kind = 8", connection);
        var entries = new List<string>();
        await using (var reader = await ledger.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                entries.Add(reader.GetString(0));
            }
        }
        var entry = Assert.Single(entries);
        Assert.Contains("\"action\":\"account.bootstrap\"", entry, StringComparison.Ordinal);
        Assert.Contains("\"actor\":\"operator\"", entry, StringComparison.Ordinal);
        Assert.DoesNotContain(token, entry, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bootstrap_is_refused_once_an_admin_exists()
    {
        await using (var connection = new NpgsqlConnection(_database.Superuser))
        {
            await connection.OpenAsync();
            await using var insert = new NpgsqlCommand("""
                INSERT INTO accounts.users (id, display_name, status, email_confirmed, phone_number_confirmed, two_factor_enabled, lockout_enabled, access_failed_count)
                VALUES ('00000000-0000-0000-0000-0000000000a1', 'First', 'Active', false, false, true, true, 0);
                INSERT INTO accounts.user_roles (user_id, role_id) SELECT '00000000-0000-0000-0000-0000000000a1', id FROM accounts.roles WHERE name = 'Admin';
                """, connection);
            await insert.ExecuteNonQueryAsync();
        }

        var result = await IntakeAsync("admin", "bootstrap");

        Assert.Equal(1, result.Exit);
        Assert.Contains("An admin already exists", result.Error, StringComparison.Ordinal);
        Assert.DoesNotMatch(LinkPattern(), result.Out);
    }

    [Theory]
    [InlineData("--expires", "0h")]
    [InlineData("--expires", "soon")]
    [InlineData("--expires", "40d")]
    [InlineData("--base-url", "not a url")]
    [InlineData("--base-url", "ftp://intake.example.org")]
    public async Task Bootstrap_with_a_bad_option_names_it_and_creates_nothing(string option, string value)
    {
        var result = await IntakeAsync("admin", "bootstrap", option, value);

        Assert.Equal(2, result.Exit);
        Assert.Contains(option, result.Error, StringComparison.Ordinal);
        await using var connection = new NpgsqlConnection(_database.Superuser);
        await connection.OpenAsync();
        await using var count = new NpgsqlCommand("SELECT count(*) FROM accounts.invitations", connection);
        Assert.Equal(0L, await count.ExecuteScalarAsync());
    }
}
