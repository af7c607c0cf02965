using Intake.Storage;
using Intake.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace Intake.Web.Tests;

/// <summary>One migrated database and one RabbitMQ virtual host for the web tests of this run.</summary>
public sealed class WebFixture : IAsyncLifetime
{
    public TestDatabase Database { get; private set; } = null!;
    public TestVirtualHost VirtualHost { get; private set; } = null!;

    /// <summary>A checkpoint signing key made for this run (PKCS#8 PEM in a temporary file).</summary>
    public string SigningKeyFile { get; } = Path.Combine(Path.GetTempPath(), $"intake-test-key-{Guid.NewGuid():N}.pem");

    public async Task InitializeAsync()
    {
        Database = await TestDatabase.CreateAsync("web");
        VirtualHost = await TestVirtualHost.CreateAsync("web");
        await new MigrationRunner(Database.Migrator, NullLogger<MigrationRunner>.Instance).MigrateAsync(Migration.All);
        using var key = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        await File.WriteAllTextAsync(SigningKeyFile, key.ExportPkcs8PrivateKeyPem());
    }

    public async Task DisposeAsync()
    {
        File.Delete(SigningKeyFile);
        await Database.DisposeAsync();
        await VirtualHost.DisposeAsync();
    }

    /// <summary>The settings Intake needs, pointing at this run's database and virtual host.</summary>
    public Dictionary<string, string> Settings(int? postgresPort = null, int? rabbitPort = null)
    {
        var app = new Npgsql.NpgsqlConnectionStringBuilder(Database.App) { Port = postgresPort ?? TestServices.PgPort, Timeout = 3 };
        return new Dictionary<string, string>
        {
            ["Database:App"] = app.ConnectionString,
            ["Database:Purger"] = new Npgsql.NpgsqlConnectionStringBuilder(Database.Purger) { Port = postgresPort ?? TestServices.PgPort, Timeout = 3 }.ConnectionString,
            ["Ledger:Origin"] = "intake-test",
            ["Ledger:SigningKeyFile"] = SigningKeyFile,
            // One TestServer client looks like one connection; tests of the limits set their own.
            ["RateLimits:PerConnectionPerMinute"] = "1000000",
            ["RateLimits:GlobalPerSecond"] = "1000000",
            ["RateLimits:FailedLookupsPerConnection"] = "10000",
            ["RateLimits:FailedLookupsPerMinute"] = "100000",
            ["RabbitMq:Host"] = TestServices.RabbitHost,
            ["RabbitMq:Port"] = (rabbitPort ?? TestServices.RabbitPort).ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["RabbitMq:VirtualHost"] = VirtualHost.Name,
            ["RabbitMq:Username"] = TestServices.RabbitUser,
            ["RabbitMq:Password"] = TestServices.RabbitPassword,
            // Quartz keeps one scheduler per name in a process; hosts in a test process share it, so the retention
            // job runs only where a test asks for it (RetentionJobTests, in processes of their own).
            ["Retention:JobEnabled"] = "false",
        };
    }

    public WebApplicationFactory<Program> Factory(Dictionary<string, string>? settings = null) =>
        new IntakeWebFactory(settings ?? Settings());

    private sealed class IntakeWebFactory(Dictionary<string, string> settings) : WebApplicationFactory<Program>
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseEnvironment("Production");
            foreach (var (key, value) in settings)
            {
                builder.UseSetting(key, value);
            }
        }
    }
}

[CollectionDefinition(Name)]
public sealed class WebCollection : ICollectionFixture<WebFixture>
{
    public const string Name = "web";
}
