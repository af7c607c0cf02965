using Intake.Testing;

namespace Intake.Cli.Tests;

public sealed class MigrateCommandTests
{
    private static Task<(int Exit, string Out, string Error)> Intake(params string[] args) => IntakeWith(new Dictionary<string, string?>(), args);

    private static Task<(int Exit, string Out, string Error)> IntakeWith(Dictionary<string, string?> settings, params string[] args) =>
        IntakeCli.RunAsync(settings, args);

    [Fact]
    public async Task Migrate_applies_the_schema_then_reports_it_is_up_to_date()
    {
        await using var database = await TestDatabase.CreateAsync("cli_migrate");

        var first = await Intake("migrate", "--connection", database.Migrator);
        var second = await Intake("migrate", "--connection", database.Migrator);

        Assert.Equal(0, first.Exit);
        Assert.Contains("Applied", first.Out, StringComparison.Ordinal);
        Assert.Equal(0, second.Exit);
        Assert.Contains("up to date", second.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Migrate_without_a_connection_string_says_which_setting_is_missing()
    {
        var result = await Intake("migrate");

        Assert.Equal(2, result.Exit);
        Assert.Contains("Database__Migrator", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Migrate_against_an_unreachable_server_fails_with_a_message_naming_the_setting()
    {
        var result = await Intake("migrate", "--connection", "Host=127.0.0.1;Port=1;Username=x;Password=y;Database=z;Timeout=3");

        Assert.Equal(1, result.Exit);
        Assert.Contains("Database:Migrator", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Doctor_reports_each_service_and_fails_until_the_database_is_migrated()
    {
        await using var database = await TestDatabase.CreateAsync("cli_doctor");
        var settings = new Dictionary<string, string?>
        {
            ["Database:App"] = database.App,
            ["RabbitMq:Host"] = TestServices.RabbitHost,
            ["RabbitMq:Port"] = TestServices.RabbitPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["RabbitMq:VirtualHost"] = "/",
            ["RabbitMq:Username"] = TestServices.RabbitUser,
            ["RabbitMq:Password"] = TestServices.RabbitPassword,
        };

        var before = await IntakeWith(settings, "doctor");
        await Intake("migrate", "--connection", database.Migrator);
        var after = await IntakeWith(settings, "doctor");

        Assert.Equal(1, before.Exit);
        Assert.Contains("FAIL  Database:App", before.Out, StringComparison.Ordinal);
        Assert.Contains("intake migrate", before.Out, StringComparison.Ordinal);
        Assert.Equal(0, after.Exit);
        Assert.Contains("ok    Database:App", after.Out, StringComparison.Ordinal);
        Assert.Contains("ok    RabbitMq", after.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Doctor_names_the_RabbitMQ_setting_that_is_wrong()
    {
        var settings = new Dictionary<string, string?>
        {
            ["RabbitMq:Host"] = "127.0.0.1",
            ["RabbitMq:Port"] = "1",
            ["RabbitMq:Username"] = "nobody",
            ["RabbitMq:Password"] = "nothing",
        };

        var result = await IntakeWith(settings, "doctor");

        Assert.Equal(1, result.Exit);
        Assert.Contains("FAIL  RabbitMq: 127.0.0.1:1", result.Out, StringComparison.Ordinal);
        Assert.Contains("FAIL  Database:App: not set", result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Doctor_accepts_a_cluster_when_one_listed_node_answers_and_names_them_all_when_none_does()
    {
        var settings = new Dictionary<string, string?>
        {
            ["RabbitMq:Host"] = $"127.0.0.2, {TestServices.RabbitHost}",
            ["RabbitMq:Port"] = TestServices.RabbitPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["RabbitMq:VirtualHost"] = "/",
            ["RabbitMq:Username"] = TestServices.RabbitUser,
            ["RabbitMq:Password"] = TestServices.RabbitPassword,
        };

        var one = await IntakeWith(settings, "doctor");
        settings["RabbitMq:Host"] = "127.0.0.2,127.0.0.3";
        var none = await IntakeWith(settings, "doctor");

        Assert.Contains("ok    RabbitMq: RabbitMQ", one.Out, StringComparison.Ordinal);
        Assert.Contains($"at {TestServices.RabbitHost}:{TestServices.RabbitPort}", one.Out, StringComparison.Ordinal);
        Assert.Contains($"FAIL  RabbitMq: 127.0.0.2,127.0.0.3:{TestServices.RabbitPort}", none.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Doctor_goes_on_to_the_next_node_when_the_first_takes_the_connection_and_drops_it()
    {
        var (first, second) = await TcpProxy.TwoNodesAsync(TestServices.RabbitHost, TestServices.RabbitPort);
        await using var _ = first;
        await using var __ = second;
        first.Cut();
        var settings = new Dictionary<string, string?>
        {
            ["RabbitMq:Host"] = "127.0.0.2, 127.0.0.3",
            ["RabbitMq:Port"] = first.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["RabbitMq:VirtualHost"] = "/",
            ["RabbitMq:Username"] = TestServices.RabbitUser,
            ["RabbitMq:Password"] = TestServices.RabbitPassword,
        };

        var one = await IntakeWith(settings, "doctor");
        second.Cut();
        var none = await IntakeWith(settings, "doctor");
        settings["RabbitMq:Host"] = " , ";
        var empty = await IntakeWith(settings, "doctor");

        Assert.Contains("ok    RabbitMq: RabbitMQ", one.Out, StringComparison.Ordinal);
        Assert.Contains($"at 127.0.0.3:{first.Port}", one.Out, StringComparison.Ordinal);
        // Both take the connection and drop it: each is named with what went wrong.
        Assert.Matches(@"FAIL  RabbitMq: 127\.0\.0\.2,127\.0\.0\.3:\d+ virtual host '/': 127\.0\.0\.2: .+; 127\.0\.0\.3: .+", none.Out);
        Assert.Contains("FAIL  RabbitMq: RabbitMq:Host names no node", empty.Out, StringComparison.Ordinal);
    }
}
