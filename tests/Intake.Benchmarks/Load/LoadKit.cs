using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Intake.Storage;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Intake.Benchmarks.Load;

/// <summary>A pgbench measurement: its tps, latency average, WAL per transaction and (with per-transaction logs) percentiles.</summary>
public sealed record RawPoint(int Clients, double Tps, double LatencyMs, double WalPerInsert, double P50 = double.NaN, double P99 = double.NaN);

/// <summary>Ledger batches in a range of entries: how many, and their sizes.</summary>
public sealed record BatchStats(long Batches, double MeanSize, double MedianSize, long MaxSize);

/// <summary>
/// What the load modes share: options, percentiles, one-off SQL, fresh migrated databases, the server's WAL position and
/// the pgbench baseline (a custom script, one transaction per run of it).
/// </summary>
public static partial class LoadKit
{
    public static double Inv(string s) => double.Parse(s, CultureInfo.InvariantCulture);

    public static string Option(string[] args, string name, string fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
    }

    /// <summary>Nearest-rank percentile of an ascending array (p in 0..1); NaN when empty.</summary>
    public static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];

    public static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    public static async Task<string> ScalarAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToString(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture) ?? "";
    }

    /// <summary>Creates a database owned by intake_migrator, migrates it and records it in <paramref name="created"/> for dropping.</summary>
    public static async Task<string> CreateLedgerDatabaseAsync(PgSettings settings, string name, List<string> created)
    {
        await ExecuteAsync(settings.Superuser(), $"CREATE DATABASE \"{name}\" OWNER intake_migrator");
        created.Add(name);
        await new MigrationRunner(settings.Migrator(name), NullLogger<MigrationRunner>.Instance).MigrateAsync(Migration.All);
        Console.WriteLine($"Created and migrated database {name}.");
        return name;
    }

    /// <summary>A plain database owned by intake_migrator for a pgbench table, recorded for dropping.</summary>
    public static async Task<string> CreateRawDatabaseAsync(PgSettings settings, string name, List<string> created)
    {
        await ExecuteAsync(settings.Superuser(), $"CREATE DATABASE \"{name}\" OWNER intake_migrator");
        created.Add(name);
        return name;
    }

    public static async Task DropDatabasesAsync(PgSettings settings, IEnumerable<string> databases)
    {
        foreach (var database in databases)
        {
            NpgsqlConnection.ClearAllPools();
            await ExecuteAsync(settings.Superuser(), $"DROP DATABASE IF EXISTS \"{database}\" WITH (FORCE)");
            Console.WriteLine($"Dropped database {database}.");
        }
    }

    /// <summary>Prints the server version and the settings that decide commit cost.</summary>
    public static async Task DescribeServerAsync(PgSettings settings)
    {
        Console.WriteLine($"PostgreSQL {settings.Host}:{settings.Port}: {await ScalarAsync(settings.Superuser(), "SELECT version()")}");
        foreach (var setting in new[] { "fsync", "synchronous_commit", "full_page_writes", "shared_buffers", "wal_level", "max_connections" })
        {
            Console.WriteLine($"  {setting} = {await ScalarAsync(settings.Superuser(), $"SHOW {setting}")}");
        }
    }

    public static async Task<long> WalPositionAsync(PgSettings settings) =>
        long.Parse(await ScalarAsync(settings.Superuser(), "SELECT pg_current_wal_lsn() - '0/0'::pg_lsn"), CultureInfo.InvariantCulture);

    /// <summary>Ledger batches among entries <paramref name="from"/>..<paramref name="to"/>: each batch is one transaction, so the entries' xmin groups them.</summary>
    public static async Task<BatchStats> BatchStatsAsync(PgSettings settings, string database, long from, long to)
    {
        await using var connection = new NpgsqlConnection(settings.Superuser(database));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("""
            WITH b AS (SELECT xmin::text AS tx, count(*) AS n FROM intake.ledger_entries WHERE seq BETWEEN @from AND @to GROUP BY 1)
            SELECT count(*), avg(n)::float8, percentile_cont(0.5) WITHIN GROUP (ORDER BY n), max(n) FROM b
            """, connection);
        command.Parameters.AddWithValue("from", from);
        command.Parameters.AddWithValue("to", to);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return new BatchStats(reader.GetInt64(0), reader.GetDouble(1), reader.GetDouble(2), reader.GetInt64(3));
    }

    // ---- pgbench ----

    public static string Pgbench(PgSettings settings)
    {
        var pgbench = Path.Combine(settings.BinDirectory, "pgbench");
        return File.Exists(pgbench)
            ? pgbench
            : throw new LoadSetupException($"pgbench is not at {pgbench} (INTAKE_TEST_PG_BIN). On Debian it comes with the postgresql-15 package (postgresql-contrib).");
    }

    /// <summary>A bytea literal of random bytes (incompressible, like ciphertext) for a pgbench script.</summary>
    public static string RandomByteaLiteral(int length) =>
        "'\\x" + Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(length)) + "'";

    /// <summary>
    /// pgbench <c>-n -M prepared -c N -j min(2,N)</c> with <paramref name="script"/>: a discarded run of
    /// <paramref name="warmup"/>, then the measured one. With <paramref name="percentiles"/> pgbench also writes
    /// per-transaction logs (to a temporary directory, deleted afterwards), from which p50 and p99 are taken.
    /// </summary>
    public static async Task<RawPoint> MeasurePgbenchAsync(
        PgSettings settings, string database, string script, int clients, TimeSpan warmup, TimeSpan duration, bool percentiles = false)
    {
        var pgbench = Pgbench(settings);
        await RunPgbenchAsync(settings, database, pgbench, script, clients, warmup, null);
        var logs = percentiles ? Directory.CreateTempSubdirectory("intake-bench-pgbench-") : null;
        try
        {
            var walFrom = await WalPositionAsync(settings);
            var output = await RunPgbenchAsync(settings, database, pgbench, script, clients, duration, logs?.FullName);
            var walTo = await WalPositionAsync(settings);
            var tps = TpsPattern().Match(output);
            var latency = LatencyPattern().Match(output);
            var processed = ProcessedPattern().Match(output);
            if (!tps.Success || !latency.Success || !processed.Success)
            {
                throw new InvalidOperationException($"Could not read pgbench's output:\n{output}");
            }
            double p50 = double.NaN, p99 = double.NaN;
            if (logs is not null)
            {
                // Per-transaction log lines: client_id transaction_no time_us script_no time_epoch time_us_fraction.
                var latencies = logs.EnumerateFiles("pgbench_log*")
                    .SelectMany(f => File.ReadLines(f.FullName))
                    .Select(line => line.Split(' ', 4))
                    .Where(parts => parts.Length >= 3)
                    .Select(parts => double.Parse(parts[2], CultureInfo.InvariantCulture) / 1000.0)
                    .Order()
                    .ToArray();
                p50 = Percentile(latencies, 0.50);
                p99 = Percentile(latencies, 0.99);
            }
            return new RawPoint(clients, Inv(tps.Groups[1].Value), Inv(latency.Groups[1].Value),
                (double)(walTo - walFrom) / long.Parse(processed.Groups[1].Value, CultureInfo.InvariantCulture), p50, p99);
        }
        finally
        {
            logs?.Delete(recursive: true);
        }
    }

    private static async Task<string> RunPgbenchAsync(PgSettings settings, string database, string pgbench, string script, int clients, TimeSpan duration, string? logDirectory)
    {
        var start = new ProcessStartInfo(pgbench)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            ArgumentList =
            {
                "-h", settings.Host, "-p", settings.Port.ToString(CultureInfo.InvariantCulture), "-U", "postgres", "-n", "-M", "prepared",
                "-c", clients.ToString(CultureInfo.InvariantCulture), "-j", Math.Min(2, clients).ToString(CultureInfo.InvariantCulture),
                "-T", Math.Ceiling(duration.TotalSeconds).ToString(CultureInfo.InvariantCulture), "-f", script,
            },
        };
        if (logDirectory is not null)
        {
            start.ArgumentList.Add("-l");
            start.ArgumentList.Add($"--log-prefix={Path.Combine(logDirectory, "pgbench_log")}");
        }
        start.ArgumentList.Add(database);
        start.Environment["PGPASSWORD"] = settings.SuperuserPassword;
        using var process = Process.Start(start) ?? throw new LoadSetupException($"Could not start {pgbench}.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"pgbench failed ({process.ExitCode}): {await error}\n{await output}");
        }
        return await output;
    }

    [GeneratedRegex(@"tps = ([0-9.]+) \(without initial connection time\)")]
    private static partial Regex TpsPattern();

    [GeneratedRegex(@"latency average = ([0-9.]+) ms")]
    private static partial Regex LatencyPattern();

    [GeneratedRegex(@"number of transactions actually processed: ([0-9]+)")]
    private static partial Regex ProcessedPattern();
}

/// <summary>The machine line for docs/benchmarks.md: core count, CPU model, memory.</summary>
public static class Machine
{
    public static string Describe()
    {
        var model = File.Exists("/proc/cpuinfo")
            ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim()
            : null;
        var memory = File.Exists("/proc/meminfo")
            ? File.ReadLines("/proc/meminfo").FirstOrDefault(l => l.StartsWith("MemTotal:", StringComparison.Ordinal))
            : null;
        var gib = memory is null ? double.NaN : long.Parse(memory.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024.0 / 1024.0;
        return $"nproc {Environment.ProcessorCount}, CPU \"{model ?? "?"}\", RAM {gib:F1} GiB, load average {LoadAverage()}, .NET {Environment.Version}";
    }

    /// <summary>The 1-minute load average from /proc/loadavg, or "?".</summary>
    public static string LoadAverage() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "?";

    /// <summary>
    /// CPU seconds (user + system) used so far by every process whose command name (/proc/PID/comm) is one of
    /// <paramref name="names"/>: a cheap way to see which process the 2 cores went to during a window. Processes that
    /// start or exit inside the window are counted from or up to that moment only.
    /// </summary>
    public static Dictionary<string, double> CpuSeconds(params string[] names)
    {
        var totals = names.ToDictionary(n => n, _ => 0.0, StringComparer.Ordinal);
        if (!Directory.Exists("/proc"))
        {
            return totals;
        }
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out _))
            {
                continue;
            }
            try
            {
                var stat = File.ReadAllText(Path.Combine(directory, "stat"));
                var open = stat.IndexOf('(', StringComparison.Ordinal);
                var close = stat.LastIndexOf(')');
                var comm = stat[(open + 1)..close];
                if (!totals.ContainsKey(comm))
                {
                    continue;
                }
                // Fields after the name: state(3) ... utime(14) stime(15), counted from 1 with the name as field 2.
                var fields = stat[(close + 2)..].Split(' ');
                var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
                totals[comm] += ticks / 100.0; // USER_HZ is 100 on Linux
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or ArgumentOutOfRangeException)
            {
                // The process exited meanwhile, or its stat is not readable.
            }
        }
        return totals;
    }
}
