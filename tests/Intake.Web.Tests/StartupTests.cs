using System.Text.Json;
using Intake.Testing;

namespace Intake.Web.Tests;

/// <summary>A wrong or unreachable service ends start-up with one clear line that names the setting.</summary>
[Collection(WebCollection.Name)]
public sealed class StartupTests(WebFixture fixture)
{
    public static TheoryData<string, string, string> WrongSettings => new()
    {
        { "Database:App", "Host=127.0.0.1;Port=1;Username=intake_app;Password=x;Database=intake;Timeout=3", "Database:App" },
        { "Database:App", "", "Database:App is empty" },
        { "Database:App", "Host=127.0.0.1;Nonsense Key=1", "Database:App is not a valid" },
        { "RabbitMq:Port", "1", "RabbitMq:Host, RabbitMq:Port" },
        { "RabbitMq:Host", "127.0.0.2, 127.0.0.3", "127.0.0.2: Connection refused; 127.0.0.3: Connection refused" },
        { "RabbitMq:Host", " , ", "RabbitMq:Host names no node" },
        { "RabbitMq:Password", "wrong-password", "RabbitMq:Username, RabbitMq:Password" },
        { "RabbitMq:VirtualHost", "no-such-vhost", "RabbitMq:VirtualHost" },
        { "RabbitMq:Username", "", "RabbitMq:Username is empty" },
        { "Intake:Role", "Everything", "Intake:Role" },
        { "Database:Purger", "", "Database:Purger is empty" },
        { "Database:Purger", "Host=127.0.0.1;Port=1;Username=intake_purger;Password=x;Database=intake;Timeout=3", "Database:Purger" },
        { "Ledger:SigningKeyFile", "", "Ledger:SigningKeyFile is empty" },
        { "Ledger:SigningKeyFile", "/nonexistent/key.pem", "Ledger:SigningKeyFile '/nonexistent/key.pem' is not a readable" },
        { "Ledger:Origin", "has space", "Ledger:Origin" },
    };

    [Theory]
    [MemberData(nameof(WrongSettings))]
    public async Task A_wrong_setting_stops_start_up_with_one_line_naming_it(string key, string value, string expected)
    {
        var settings = fixture.Settings();
        settings[key] = value;
        await using var intake = IntakeProcess.Start(settings);

        var exit = await intake.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(1, exit);
        var critical = Lines(intake.Output).Where(l => l.GetProperty("LogLevel").GetString() == "Critical").ToList();
        var line = Assert.Single(critical);
        Assert.Contains(expected, line.GetProperty("Message").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", intake.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(TestServices.RabbitPassword, intake.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unmigrated_database_stops_start_up_and_says_to_run_migrate()
    {
        await using var empty = await TestDatabase.CreateAsync("web_unmigrated");
        var settings = fixture.Settings();
        settings["Database:App"] = empty.App;
        await using var intake = IntakeProcess.Start(settings);

        var exit = await intake.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(1, exit);
        Assert.Contains("intake migrate", intake.Output, StringComparison.Ordinal);
    }

    internal static IEnumerable<JsonElement> Lines(string output) =>
        output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(line => JsonDocument.Parse(line).RootElement);
}
