using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Npgsql;

namespace Intake.Testing;

/// <summary>
/// The real PostgreSQL and RabbitMQ that ./scripts/test starts, reached through the settings it
/// exports. A missing setting or service fails the test with a message naming that command.
/// </summary>
public static class TestServices
{
    public const string TestCommand = "./scripts/test";

    public static string Setting(string name) =>
        Environment.GetEnvironmentVariable(name) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException(
                $"{name} is not set. Run the tests with {TestCommand}: it starts PostgreSQL and RabbitMQ and exports the settings the tests need.");

    public static string PgHost => Setting("INTAKE_TEST_PG_HOST");
    public static int PgPort => int.Parse(Setting("INTAKE_TEST_PG_PORT"), System.Globalization.CultureInfo.InvariantCulture);

    public static string PgConnection(string role, string password, string database) =>
        new NpgsqlConnectionStringBuilder
        {
            Host = PgHost,
            Port = PgPort,
            Username = role,
            Password = password,
            Database = database,
            Pooling = false,
            // Generous: without pooling every connection is a new backend and a SCRAM exchange, which on a
            // two-core machine running the suite's projects side by side has taken longer than 10 seconds.
            Timeout = 30,
        }.ConnectionString;

    public static string SuperuserConnection(string database = "postgres") =>
        PgConnection("postgres", Setting("INTAKE_TEST_PG_SUPERUSER_PASSWORD"), database);

    public static string RabbitHost => Setting("INTAKE_TEST_RABBIT_HOST");
    public static int RabbitPort => int.Parse(Setting("INTAKE_TEST_RABBIT_PORT"), System.Globalization.CultureInfo.InvariantCulture);
    public static int RabbitManagementPort => int.Parse(Setting("INTAKE_TEST_RABBIT_MGMT_PORT"), System.Globalization.CultureInfo.InvariantCulture);
    public static string RabbitUser => Setting("INTAKE_TEST_RABBIT_USER");
    public static string RabbitPassword => Setting("INTAKE_TEST_RABBIT_PASSWORD");

    /// <summary>A short random suffix so parallel and repeated runs never share a database or virtual host.</summary>
    public static string UniqueName(string prefix) => $"{prefix}_{Guid.NewGuid():N}"[..(prefix.Length + 13)];

    internal static async Task<T> ExplainUnreachable<T>(string service, Func<Task<T>> action)
    {
        try
        {
            return await action();
        }
        catch (Exception ex) when (ex is NpgsqlException or HttpRequestException or System.Net.Sockets.SocketException)
        {
            throw new InvalidOperationException(
                $"{service} is not reachable ({ex.Message}). Start it with {TestCommand}, which installs and starts the services the tests need.", ex);
        }
    }
}

/// <summary>A database of its own for one test class or run; dropped on dispose.</summary>
public sealed class TestDatabase : IAsyncDisposable
{
    private TestDatabase(string name) => Name = name;

    public string Name { get; }

    public string Migrator => TestServices.PgConnection("intake_migrator", TestServices.Setting("INTAKE_TEST_PG_MIGRATOR_PASSWORD"), Name);
    public string App => TestServices.PgConnection("intake_app", TestServices.Setting("INTAKE_TEST_PG_APP_PASSWORD"), Name);
    public string Purger => TestServices.PgConnection("intake_purger", TestServices.Setting("INTAKE_TEST_PG_PURGER_PASSWORD"), Name);
    public string Superuser => TestServices.SuperuserConnection(Name);

    /// <summary>Creates an empty database owned by the migrator role.</summary>
    public static Task<TestDatabase> CreateAsync(string purpose) =>
        TestServices.ExplainUnreachable("PostgreSQL", async () =>
        {
            var database = new TestDatabase(TestServices.UniqueName($"intake_t_{purpose}".ToLowerInvariant()));
            await using var connection = new NpgsqlConnection(TestServices.SuperuserConnection());
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE DATABASE \"{database.Name}\" OWNER intake_migrator", connection);
            await command.ExecuteNonQueryAsync();
            return database;
        });

    /// <summary>A plain-SQL dump of the whole database, as an attacker holding a backup would have it.</summary>
    public Task<string> DumpAsync() => PgToolAsync("pg_dump", "--no-owner", Name);

    /// <summary>
    /// A backup of this database now, restored into a new one (docs/operations.md §3.4: a custom-format
    /// <c>pg_dump</c>, then <c>pg_restore --exit-on-error --single-transaction</c> into an empty database owned by the migrator).
    /// </summary>
    public async Task<TestDatabase> BackUpAndRestoreAsync(string purpose)
    {
        var dump = Path.Combine(Path.GetTempPath(), $"intake-test-{Guid.NewGuid():N}.dump");
        try
        {
            await PgToolAsync("pg_dump", "--format=custom", "--file", dump, Name);
            var restored = await CreateAsync(purpose);
            await PgToolAsync("pg_restore", "--dbname", restored.Name, "--exit-on-error", "--single-transaction", dump);
            return restored;
        }
        finally
        {
            File.Delete(dump);
        }
    }

    private static async Task<string> PgToolAsync(string tool, params string[] arguments)
    {
        var start = new System.Diagnostics.ProcessStartInfo(Path.Combine(TestServices.Setting("INTAKE_TEST_PG_BIN"), tool))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in (string[])["-h", TestServices.PgHost, "-p", TestServices.PgPort.ToString(System.Globalization.CultureInfo.InvariantCulture), "-U", "postgres", .. arguments])
        {
            start.ArgumentList.Add(argument);
        }
        start.Environment["PGPASSWORD"] = TestServices.Setting("INTAKE_TEST_PG_SUPERUSER_PASSWORD");
        using var process = System.Diagnostics.Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return process.ExitCode == 0 ? await output : throw new InvalidOperationException($"{tool} failed: {await error}");
    }

    public async ValueTask DisposeAsync()
    {
        await using var connection = new NpgsqlConnection(TestServices.SuperuserConnection());
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{Name}\" WITH (FORCE)", connection);
        await command.ExecuteNonQueryAsync();
    }
}

/// <summary>A RabbitMQ virtual host of its own, made and removed through the management API.</summary>
public sealed class TestVirtualHost : IAsyncDisposable
{
    private readonly HttpClient _http;

    private TestVirtualHost(string name, HttpClient http)
    {
        Name = name;
        _http = http;
    }

    public string Name { get; }

    public static Task<TestVirtualHost> CreateAsync(string purpose) =>
        TestServices.ExplainUnreachable("RabbitMQ", async () =>
        {
            var http = ManagementClient();
            var name = TestServices.UniqueName($"intake-t-{purpose}".ToLowerInvariant());
            var vhost = new TestVirtualHost(name, http);
            (await http.PutAsync($"api/vhosts/{Uri.EscapeDataString(name)}", null)).EnsureSuccessStatusCode();
            var permissions = new StringContent("""{"configure":".*","write":".*","read":".*"}""", Encoding.UTF8, "application/json");
            (await http.PutAsync($"api/permissions/{Uri.EscapeDataString(name)}/{Uri.EscapeDataString(TestServices.RabbitUser)}", permissions))
                .EnsureSuccessStatusCode();
            return vhost;
        });

    /// <summary>The management API, for inspecting queues and messages in tests.</summary>
    public static HttpClient ManagementClient()
    {
        var http = new HttpClient { BaseAddress = new Uri($"http://{TestServices.RabbitHost}:{TestServices.RabbitManagementPort}/") };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue(
            "Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{TestServices.RabbitUser}:{TestServices.RabbitPassword}")));
        return http;
    }

    public Task<string> GetJsonAsync(string path) => _http.GetStringAsync(path.Replace("{vhost}", Uri.EscapeDataString(Name), StringComparison.Ordinal));

    public async ValueTask DisposeAsync()
    {
        var response = await _http.DeleteAsync($"api/vhosts/{Uri.EscapeDataString(Name)}");
        if (response.StatusCode is not (HttpStatusCode.NoContent or HttpStatusCode.NotFound))
        {
            response.EnsureSuccessStatusCode();
        }
        _http.Dispose();
    }
}
