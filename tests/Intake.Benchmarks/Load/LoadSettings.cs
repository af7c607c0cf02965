using System.Globalization;
using Npgsql;

namespace Intake.Benchmarks.Load;

/// <summary>The load modes could not start: a setting is missing or a tool is not installed. The message says which.</summary>
public sealed class LoadSetupException(string message) : Exception(message);

/// <summary>
/// PostgreSQL connection settings for the ledger and intake modes, from the same environment variables the tests use (./scripts/test and
/// /tmp/testenv.sh export them). Every missing one is named at once.
/// </summary>
public sealed class PgSettings
{
    public static readonly string[] Required =
    [
        "INTAKE_TEST_PG_HOST", "INTAKE_TEST_PG_PORT", "INTAKE_TEST_PG_SUPERUSER_PASSWORD",
        "INTAKE_TEST_PG_MIGRATOR_PASSWORD", "INTAKE_TEST_PG_APP_PASSWORD", "INTAKE_TEST_PG_BIN",
    ];

    private PgSettings(Dictionary<string, string> values) => _values = values;

    private readonly Dictionary<string, string> _values;

    /// <summary>Reads <see cref="Required"/> plus <paramref name="extra"/> (e.g. the purger's password for the intake mode).</summary>
    public static PgSettings FromEnvironment(params string[] extra)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var missing = new List<string>();
        var required = Required.Concat(extra).ToArray();
        foreach (var name in required)
        {
            if (Environment.GetEnvironmentVariable(name) is { Length: > 0 } value)
            {
                values[name] = value;
            }
            else
            {
                missing.Add(name);
            }
        }
        if (missing.Count > 0)
        {
            throw new LoadSetupException(
                $"Missing environment variable(s): {string.Join(", ", missing)}. This mode needs {string.Join(", ", required)} "
                + "(the settings ./scripts/test exports; e.g. `. /tmp/testenv.sh` first). See docs/benchmarks.md.");
        }
        if (!int.TryParse(values["INTAKE_TEST_PG_PORT"], NumberStyles.None, CultureInfo.InvariantCulture, out _))
        {
            throw new LoadSetupException($"INTAKE_TEST_PG_PORT is not a port number: '{values["INTAKE_TEST_PG_PORT"]}'.");
        }
        return new PgSettings(values);
    }

    public string Host => _values["INTAKE_TEST_PG_HOST"];
    public int Port => int.Parse(_values["INTAKE_TEST_PG_PORT"], CultureInfo.InvariantCulture);
    public string SuperuserPassword => _values["INTAKE_TEST_PG_SUPERUSER_PASSWORD"];
    public string BinDirectory => _values["INTAKE_TEST_PG_BIN"];

    public string Superuser(string database = "postgres") => Connection("postgres", SuperuserPassword, database, pooling: false);
    public string Migrator(string database) => Connection("intake_migrator", _values["INTAKE_TEST_PG_MIGRATOR_PASSWORD"], database, pooling: false);
    public string App(string database) => Connection("intake_app", _values["INTAKE_TEST_PG_APP_PASSWORD"], database, pooling: true);

    /// <summary>Only when <c>INTAKE_TEST_PG_PURGER_PASSWORD</c> was asked for in <see cref="FromEnvironment"/>.</summary>
    public string Purger(string database) => Connection("intake_purger", _values["INTAKE_TEST_PG_PURGER_PASSWORD"], database, pooling: true);

    private string Connection(string role, string password, string database, bool pooling) =>
        new NpgsqlConnectionStringBuilder
        {
            Host = Host,
            Port = Port,
            Username = role,
            Password = password,
            Database = database,
            Pooling = pooling,
            Timeout = 10,
            CommandTimeout = 600,
            ApplicationName = "intake-benchmark",
        }.ConnectionString;
}

/// <summary>
/// RabbitMQ settings for the intake mode, from the variables the tests use: INTAKE_TEST_RABBIT_HOST, _PORT (AMQP),
/// _MGMT_PORT (management API, to create and delete a virtual host), _USER and _PASSWORD.
/// </summary>
public sealed class RabbitSettings
{
    public static readonly string[] Required =
    [
        "INTAKE_TEST_RABBIT_HOST", "INTAKE_TEST_RABBIT_PORT", "INTAKE_TEST_RABBIT_MGMT_PORT", "INTAKE_TEST_RABBIT_USER", "INTAKE_TEST_RABBIT_PASSWORD",
    ];

    private RabbitSettings(Dictionary<string, string> values) => _values = values;

    private readonly Dictionary<string, string> _values;

    public static RabbitSettings FromEnvironment()
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var missing = Required.Where(name => Environment.GetEnvironmentVariable(name) is not { Length: > 0 }).ToList();
        if (missing.Count > 0)
        {
            throw new LoadSetupException(
                $"Missing environment variable(s): {string.Join(", ", missing)}. The intake mode needs {string.Join(", ", Required)} "
                + "(the settings ./scripts/test exports; e.g. `. /tmp/testenv.sh` first). See docs/benchmarks.md.");
        }
        foreach (var name in Required)
        {
            values[name] = Environment.GetEnvironmentVariable(name)!;
        }
        foreach (var port in new[] { "INTAKE_TEST_RABBIT_PORT", "INTAKE_TEST_RABBIT_MGMT_PORT" })
        {
            if (!int.TryParse(values[port], NumberStyles.None, CultureInfo.InvariantCulture, out _))
            {
                throw new LoadSetupException($"{port} is not a port number: '{values[port]}'.");
            }
        }
        return new RabbitSettings(values);
    }

    public string Host => _values["INTAKE_TEST_RABBIT_HOST"];
    public int Port => int.Parse(_values["INTAKE_TEST_RABBIT_PORT"], CultureInfo.InvariantCulture);
    public int ManagementPort => int.Parse(_values["INTAKE_TEST_RABBIT_MGMT_PORT"], CultureInfo.InvariantCulture);
    public string User => _values["INTAKE_TEST_RABBIT_USER"];
    public string Password => _values["INTAKE_TEST_RABBIT_PASSWORD"];
}
