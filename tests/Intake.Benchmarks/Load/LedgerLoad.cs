using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Intake.Core.Ledger;
using Intake.Storage.Ledger;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

using static Intake.Benchmarks.Load.LoadKit;

namespace Intake.Benchmarks.Load;

/// <summary>
/// <c>-- ledger</c>: ledger append throughput through one <see cref="LedgerWriter"/> (the product's single logical
/// writer, intake_app role) at 1, 16 and 64 concurrent callers, against a pgbench baseline in the same run that inserts
/// rows of the same shape into a plain table, one transaction per insert, at the same client counts. Then a log of
/// 1,000,000 small entries for inclusion-proof and full-verify timings. Every database it makes is dropped at the end.
/// </summary>
/// <remarks>
/// Options: <c>--duration S</c> (measured seconds per point, default 20), <c>--warmup S</c> (default 3),
/// <c>--writers 1,16,64</c>, <c>--log-entries N</c> (default 1000000), <c>--proofs N</c> (default 1000),
/// <c>--phase all|append|log</c> (default all).
/// </remarks>
public static class LedgerLoad
{
    private const int PayloadLength = 8 * 1024;
    private const int WrappedLength = 60;
    private const int KeyIdLength = 16;
    private const int LogPayloadLength = 64;

    public static async Task<int> RunAsync(string[] args)
    {
        var settings = PgSettings.FromEnvironment();
        var duration = TimeSpan.FromSeconds(Inv(Option(args, "--duration", "20")));
        var warmup = TimeSpan.FromSeconds(Inv(Option(args, "--warmup", "3")));
        var writerCounts = Option(args, "--writers", "1,16,64").Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        var logEntries = long.Parse(Option(args, "--log-entries", "1000000"), CultureInfo.InvariantCulture);
        var proofs = int.Parse(Option(args, "--proofs", "1000"), CultureInfo.InvariantCulture);
        var phase = Option(args, "--phase", "all");
        if (phase is "all" or "append")
        {
            Pgbench(settings); // fails early, naming the missing tool
        }

        Console.WriteLine($"# Ledger load, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Machine.Describe()}");
        await DescribeServerAsync(settings);

        var suffix = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));
        var created = new List<string>();
        try
        {
            if (phase is "all" or "append")
            {
                await AppendPhaseAsync(settings, suffix, created, writerCounts, warmup, duration);
            }
            if (phase is "all" or "log")
            {
                await LogPhaseAsync(settings, suffix, created, logEntries, proofs);
            }
        }
        finally
        {
            await DropDatabasesAsync(settings, created);
        }
        return 0;
    }

    // ---- Append throughput: ledger vs pgbench ----

    private sealed record Point(int Writers, double Rate, long Count, double P50, double P99, double Mean, BatchStats Batches, double WalPerAppend);

    private static async Task AppendPhaseAsync(PgSettings settings, string suffix, List<string> created, int[] writerCounts, TimeSpan warmup, TimeSpan duration)
    {
        var ledgerDb = await CreateLedgerDatabaseAsync(settings, $"intake_bench_ledger_{suffix}", created);
        var rawDb = $"intake_bench_raw_{suffix}";
        await ExecuteAsync(settings.Superuser(), $"CREATE DATABASE \"{rawDb}\" OWNER intake_migrator");
        created.Add(rawDb);
        // Same columns as a ledger entry plus its payload and wrapped key, in one plain table. The payload column is
        // stored like intake.ledger_payloads.ciphertext (EXTERNAL: out of line, no compression attempt).
        await ExecuteAsync(settings.Superuser(rawDb), """
            CREATE TABLE raw_entries (
                seq bigserial PRIMARY KEY, kind smallint NOT NULL, entry_day date NOT NULL,
                payload_hash bytea, leaf_hash bytea, payload bytea, wrapped bytea);
            ALTER TABLE raw_entries ALTER COLUMN payload SET STORAGE EXTERNAL;
            """);
        var script = Path.Combine(Path.GetTempPath(), $"intake-bench-raw-{suffix}.sql");
        await File.WriteAllTextAsync(script, RawInsertScript());

        var payloads = Enumerable.Range(0, 64).Select(_ => RandomNumberGenerator.GetBytes(PayloadLength)).ToArray();
        var results = new List<(Point Ledger, RawPoint Raw)>();
        try
        {
            await using var app = NpgsqlDataSource.Create(settings.App(ledgerDb));
            await using (var writer = new LedgerWriter(app, TimeProvider.System, NullLogger<LedgerWriter>.Instance))
            {
                foreach (var writers in writerCounts)
                {
                    Console.WriteLine($"\n## {writers} writer(s): ledger, {warmup.TotalSeconds:0} s warm-up + {duration.TotalSeconds:0} s");
                    var ledger = await MeasureLedgerAsync(settings, ledgerDb, writer, writers, warmup, duration, payloads);
                    Console.WriteLine($"ledger: {ledger.Rate:F1} appends/s ({ledger.Count} in window), latency p50 {ledger.P50:F2} ms, p99 {ledger.P99:F2} ms, mean {ledger.Mean:F2} ms; "
                        + $"{ledger.Batches.Batches} batches, size mean {ledger.Batches.MeanSize:F1} / median {ledger.Batches.MedianSize:F0} / max {ledger.Batches.MaxSize}; "
                        + $"{duration.TotalMilliseconds / Math.Max(1, ledger.Batches.Batches):F2} ms per batch; WAL {ledger.WalPerAppend / 1024:F1} KiB per append");
                    Console.WriteLine($"## {writers} client(s): pgbench -c {writers} -j {Math.Min(2, writers)} -T {duration.TotalSeconds:0} (after -T {warmup.TotalSeconds:0} warm-up)");
                    var raw = await MeasurePgbenchAsync(settings, rawDb, script, writers, warmup, duration);
                    Console.WriteLine($"raw:    {raw.Tps:F1} inserts/s, latency average {raw.LatencyMs:F2} ms; WAL {raw.WalPerInsert / 1024:F1} KiB per insert");
                    Console.WriteLine($"ratio ledger/raw: {ledger.Rate / raw.Tps:F2}");
                    results.Add((ledger, raw));
                }
            }
            var ledgerBytes = await ScalarAsync(settings.Superuser(ledgerDb), """
                SELECT (SELECT sum(pg_total_relation_size(c.oid)) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                        WHERE n.nspname = 'intake' AND c.relkind = 'r' AND c.relname LIKE 'ledger%')
                       / (SELECT tree_size FROM intake.ledger_head)
                """);
            var rawBytes = await ScalarAsync(settings.Superuser(rawDb), "SELECT pg_total_relation_size('raw_entries') / (SELECT count(*) FROM raw_entries)");
            Console.WriteLine($"\nOn disk (tables, TOAST and indexes): ledger {Inv(ledgerBytes):F0} bytes per entry, raw {Inv(rawBytes):F0} bytes per row.");
        }
        finally
        {
            File.Delete(script);
        }

        Console.WriteLine("\n| Concurrent writers | Ledger appends/s | Raw inserts/s (pgbench) | Ratio ledger/raw | Ledger p50 | Ledger p99 | Raw mean latency | Mean batch (entries) |");
        Console.WriteLine("|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var (l, r) in results)
        {
            Console.WriteLine($"| {l.Writers} | {l.Rate:N0} | {r.Tps:N0} | {l.Rate / r.Tps:F2} | {l.P50:F1} ms | {l.P99:F1} ms | {r.LatencyMs:F1} ms | {l.Batches.MeanSize:F1} |");
        }
    }

    private static async Task<Point> MeasureLedgerAsync(PgSettings settings, string database, LedgerWriter writer, int writers, TimeSpan warmup, TimeSpan duration, byte[][] payloads)
    {
        var start = Stopwatch.GetTimestamp();
        var measureFrom = start + (long)(warmup.TotalSeconds * Stopwatch.Frequency);
        var measureTo = measureFrom + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var perWriter = new List<(double Ms, long Seq)>[writers];
        long walFrom = 0, walTo = 0;
        var walSampler = Task.Run(async () =>
        {
            await Task.Delay(Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), measureFrom));
            walFrom = await WalPositionAsync(settings);
            await Task.Delay(Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), measureTo));
            walTo = await WalPositionAsync(settings);
        });
        var failures = 0;
        var tasks = Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
        {
            var random = new Random(w);
            var samples = perWriter[w] = new List<(double, long)>(100_000);
            var keyId = RandomNumberGenerator.GetBytes(KeyIdLength);
            while (Stopwatch.GetTimestamp() < measureTo)
            {
                var append = new LedgerAppend(LedgerEntryKind.Submission, Guid.NewGuid(), payloads[random.Next(payloads.Length)],
                    [new WrappedKey(keyId, RandomNumberGenerator.GetBytes(WrappedLength))]);
                var t0 = Stopwatch.GetTimestamp();
                AppendedEntry appended;
                try
                {
                    appended = await writer.AppendAsync(append);
                }
                catch (LedgerAppendException)
                {
                    Interlocked.Increment(ref failures);
                    continue;
                }
                var t1 = Stopwatch.GetTimestamp();
                if (t1 >= measureFrom && t1 < measureTo)
                {
                    samples.Add((Stopwatch.GetElapsedTime(t0, t1).TotalMilliseconds, appended.Sequence));
                }
            }
        })).ToList();
        await Task.WhenAll(tasks);
        await walSampler;
        if (failures > 0)
        {
            Console.WriteLine($"WARNING: {failures} appends failed.");
        }
        var all = perWriter.SelectMany(s => s).ToList();
        var latencies = all.Select(s => s.Ms).Order().ToArray();
        var batches = await BatchStatsAsync(settings, database, all.Min(s => s.Seq), all.Max(s => s.Seq));
        return new Point(writers, all.Count / duration.TotalSeconds, all.Count, Percentile(latencies, 0.50), Percentile(latencies, 0.99),
            latencies.Average(), batches, (double)(walTo - walFrom) / all.Count);
    }

    private static string RawInsertScript()
    {
        // One random 8 KiB payload (incompressible, like ciphertext), two 32-byte hashes and a key id plus a 60-byte
        // wrapped key, as literals in a prepared statement (-M prepared): one INSERT, one transaction, per run.
        static string Hex(int length) => "'\\x" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(length)) + "'";
        return "INSERT INTO raw_entries (kind, entry_day, payload_hash, leaf_hash, payload, wrapped) VALUES (1, current_date, "
            + $"{Hex(32)}, {Hex(32)}, {Hex(PayloadLength)}, {Hex(KeyIdLength + WrappedLength)});\n";
    }

    // ---- A 1,000,000-entry log: build, inclusion proofs, full verify ----

    private static async Task LogPhaseAsync(PgSettings settings, string suffix, List<string> created, long entries, int proofs)
    {
        var database = await CreateLedgerDatabaseAsync(settings, $"intake_bench_log_{suffix}", created);
        await using var app = NpgsqlDataSource.Create(settings.App(database));
        Console.WriteLine($"\n## Log of {entries:N0} entries ({LogPayloadLength}-byte payload and one {WrappedLength}-byte wrapped key each), built by 64 writers through one LedgerWriter");
        var build = Stopwatch.StartNew();
        long issued = 0;
        await using (var writer = new LedgerWriter(app, TimeProvider.System, NullLogger<LedgerWriter>.Instance))
        {
            var progress = Task.Run(async () =>
            {
                while (Interlocked.Read(ref issued) < entries)
                {
                    await Task.Delay(TimeSpan.FromSeconds(30));
                    Console.WriteLine($"  {Math.Min(Interlocked.Read(ref issued), entries):N0} issued after {build.Elapsed.TotalSeconds:F0} s");
                }
            });
            await Task.WhenAll(Enumerable.Range(0, 64).Select(w => Task.Run(async () =>
            {
                var keyId = RandomNumberGenerator.GetBytes(KeyIdLength);
                while (Interlocked.Increment(ref issued) <= entries)
                {
                    await writer.AppendAsync(new LedgerAppend(LedgerEntryKind.Submission, Guid.NewGuid(), RandomNumberGenerator.GetBytes(LogPayloadLength),
                        [new WrappedKey(keyId, RandomNumberGenerator.GetBytes(WrappedLength))]));
                }
            })));
            await progress;
        }
        build.Stop();
        var reader = new LedgerReader(app);
        var head = await reader.GetHeadAsync();
        Console.WriteLine($"built: tree size {head.TreeSize:N0} in {build.Elapsed.TotalSeconds:F1} s ({head.TreeSize / build.Elapsed.TotalSeconds:F0} appends/s)");
        await ExecuteAsync(settings.Superuser(database), "VACUUM ANALYZE");

        // Inclusion proofs: warm the pool and plan once, then time each call (head read, one subtree query, hashing).
        var random = new Random(9162);
        for (var i = 0; i < 20; i++)
        {
            await reader.GetInclusionProofAsync(random.NextInt64(head.TreeSize), head.TreeSize);
        }
        var times = new double[proofs];
        var total = Stopwatch.StartNew();
        for (var i = 0; i < proofs; i++)
        {
            var leaf = random.NextInt64(head.TreeSize);
            var t0 = Stopwatch.GetTimestamp();
            var proof = await reader.GetInclusionProofAsync(leaf, head.TreeSize);
            times[i] = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
            if (proof.Count == 0)
            {
                throw new InvalidOperationException("Empty proof.");
            }
        }
        total.Stop();
        Array.Sort(times);
        Console.WriteLine($"inclusion proof (GetInclusionProofAsync, {proofs} random leaves of {head.TreeSize:N0}): mean {times.Average():F3} ms, p50 {Percentile(times, 0.5):F3} ms, p99 {Percentile(times, 0.99):F3} ms");

        await LedgerVerify.RunAsync(app, head);
    }
}
