using Intake.Core.Crypto;
using Intake.Storage;
using Intake.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace Intake.Cli.Tests;

public sealed class ChannelCommandTests : IAsyncLifetime
{
    private TestDatabase _database = null!;

    public async Task InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync("cli_channel");
        await new MigrationRunner(_database.Migrator, NullLogger<MigrationRunner>.Instance).MigrateAsync(Migration.All);
    }

    public async Task DisposeAsync() => await _database.DisposeAsync();

    private Task<(int Exit, string Out, string Error)> IntakeAsync(params string[] args) =>
        IntakeCli.RunAsync(new Dictionary<string, string?> { ["Database:App"] = _database.App }, args);

    [Fact]
    public async Task An_operator_creates_a_channel_and_adds_an_advocate_key_and_sees_its_fingerprint()
    {
        var (_, publicKey) = HpkeSuite.GenerateKeyPair();

        var add = await IntakeAsync("channel", "add", "campus", "--name-en", "Campus", "--name-zh", "校园");
        var key = await IntakeAsync("channel", "add-key", "campus", "--public-key", Base64UrlStrict.Encode(publicKey));
        var list = await IntakeAsync("channel", "list");

        Assert.Equal(0, add.Exit);
        Assert.Contains("ledger entry 0", add.Out, StringComparison.Ordinal);
        Assert.Equal(0, key.Exit);
        Assert.Contains("ledger entry 1", key.Out, StringComparison.Ordinal);
        Assert.Contains("campus\tCampus\t校园", list.Out, StringComparison.Ordinal);
        Assert.Contains(RecipientKeys.Fingerprint(publicKey), list.Out, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1, "channel", "add", "Not-Valid", "--name-en", "x", "--name-zh", "y")]
    [InlineData(2, "channel", "add-key", "campus", "--public-key", "not base64!")]
    [InlineData(1, "channel", "add-key", "campus", "--public-key", "BAAA")]
    [InlineData(1, "channel", "add-key", "no-such-channel", "--public-key", "BDZiaXJ0aGRheS1jYWtlLWlzLW5vdC1hLWtleS1idXQtaXQtaXMtNjUtYnl0ZXMtbG9uZy0uLi4uLi4uLi4uLi4uLi4")]
    public async Task Bad_channel_commands_fail_with_a_message_and_write_nothing(int expectedExit, params string[] args)
    {
        await IntakeAsync("channel", "add", "campus", "--name-en", "Campus", "--name-zh", "校园");

        var result = await IntakeAsync(args);
        var list = await IntakeAsync("channel", "list");

        Assert.Equal(expectedExit, result.Exit);
        Assert.False(string.IsNullOrWhiteSpace(result.Error));
        Assert.DoesNotContain("   at ", result.Error, StringComparison.Ordinal);
        Assert.Equal("campus\tCampus\t校园", list.Out.Trim());
    }
}
