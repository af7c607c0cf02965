using System.Globalization;
using Npgsql;

namespace Intake.Benchmarks.Load;

/// <summary>The load modes could not start: a setting is missing or a tool is not installed. The message says which.</summary>
public sealed class LoadSetupException(string message) : Exception(message);

/// <summary>
/// Connection settings for the ledger mode, from the same environment variables the tests use (./scripts/test and
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

    public static PgSettings FromEnvironment()
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var missing = new List<string>();
        foreach (var name in Required)
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
                $"Missing environment variable(s): {string.Join(", ", missing)}. The ledger mode needs {string.Join(", ", Required)} "
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
