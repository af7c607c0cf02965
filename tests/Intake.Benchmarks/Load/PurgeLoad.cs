using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using Intake.Core.Crypto;
using Intake.Storage.Cases;
using Intake.Storage.Ledger;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using static Intake.Benchmarks.Load.LoadKit;

namespace Intake.Benchmarks.Load;

/// <summary>
/// <c>-- purge</c>: the retention job purging many due cases, and what that does to survivors submitting at the same
/// time. A fresh database gets <c>--cases</c> submitted cases (real submissions through <see cref="SubmissionStore"/>:
/// ledger entry, payload, 3 wrapped keys, vault, an 8 KiB body stream), made due by moving their received day back and
/// giving them a one-day period of their own. The Release Intake.Web runs three times: role Web for survivors, role
/// Worker for routing their submissions (all along, without the job), and, for the second window, role Worker with the
/// retention job on Quartz (every 5 s, so it starts soon). Survivor intake is an open-loop load at a
/// fixed rate (<c>--rate</c> submissions a second, each sent at its scheduled time whatever the answers), measured
/// before the worker starts (idle) and while it purges; latency counts from the scheduled time, so queueing shows.
/// Then: cases purged per second, each seeded case purged once, the ledger verified.
/// </summary>
/// <remarks>
/// Options: <c>--cases N</c> (100000), <c>--rate R</c> (200), <c>--duration S</c> (20), <c>--warmup S</c> (3),
/// <c>--batch N</c> and <c>--pause T</c> (the job's Retention:BatchSize and BatchPause, 100 and 00:00:00.050).
/// </remarks>
public static class PurgeLoad
{
    private sealed record Window(double Rate, long Accepted, long Refused, double P50, double P99, double Max);

    public static async Task<int> RunAsync(string[] args)
    {
        var pg = PgSettings.FromEnvironment("INTAKE_TEST_PG_PURGER_PASSWORD");
        var rabbit = RabbitSettings.FromEnvironment();
        var cases = int.Parse(Option(args, "--cases", "100000"), CultureInfo.InvariantCulture);
        var rate = Inv(Option(args, "--rate", "200"));
        var duration = TimeSpan.FromSeconds(Inv(Option(args, "--duration", "20")));
        var warmup = TimeSpan.FromSeconds(Inv(Option(args, "--warmup", "3")));
        var batchSize = Option(args, "--batch", "100");
        var pause = Option(args, "--pause", "00:00:00.050");
        var repository = IntakeServer.RepositoryRoot();
        var dll = IntakeServer.ReleaseDll(repository);

        Console.WriteLine($"# Retention purge under survivor load, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Machine.Describe()}");
        Console.WriteLine($"Intake.Web: {dll} (built {File.GetLastWriteTimeUtc(dll):yyyy-MM-dd HH:mm} UTC)");
        await DescribeServerAsync(pg);
        var suffix = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));
        var created = new List<string>();
        try
        {
            await using var service = await IntakeLoad.SetUpServiceAsync(pg, rabbit, "purge", suffix, keyCount: 3, created);
            await using var app = NpgsqlDataSource.Create(pg.App(service.Database));
            var body = RandomNumberGenerator.GetBytes(8192);

            // ---- Seeding (untimed): real submissions, then made due ----
            var timer = Stopwatch.StartNew();
            await SeedAsync(app, service.PublicKeys, body, cases);
            Console.WriteLine($"Seeded {cases:N0} cases through SubmissionStore in {timer.Elapsed.TotalSeconds:F0} s.");
            await ExecuteAsync(pg.Superuser(service.Database), "UPDATE intake.cases SET opened_on = current_date - 5, keep_days = 1");
            var seeded = await CountAsync(app, "SELECT count(*) FROM intake.cases");
            var seededEntries = await CountAsync(app, "SELECT count(*) FROM intake.ledger_entries WHERE payload_hash IS NOT NULL");
            await ExecuteAsync(pg.Superuser(service.Database), "VACUUM ANALYZE");
            Console.WriteLine($"{seeded:N0} cases due (received 5 days ago, a one-day period of their own); {seededEntries:N0} ledger entries with ciphertext.");

            var web = new Dictionary<string, string>(service.Settings) { ["Intake:Role"] = "Web" };
            // Routing runs in both windows (a worker without the job, from the start), so the only difference is the purge.
            var routing = new Dictionary<string, string>(service.Settings)
            {
                ["Intake:Role"] = "Worker",
                ["Retention:JobEnabled"] = "false",
                ["Routing:ReconcilerEnabled"] = "false", // the seeded cases were never announced; only new submissions are routed
            };
            var worker = new Dictionary<string, string>(routing)
            {
                ["Retention:JobEnabled"] = "true",
                ["Retention:Schedule"] = "0/5 * * * * ?",
                ["Retention:BatchSize"] = batchSize,
                ["Retention:BatchPause"] = pause,
            };
            Window idle, during;
            double purgeSeconds;
            await using (var server = IntakeServer.Start(repository, dll, web))
            await using (var router = IntakeServer.Start(repository, dll, routing))
            {
                await Task.WhenAll(server.WaitUntilHealthyAsync(TimeSpan.FromSeconds(90)), router.WaitUntilHealthyAsync(TimeSpan.FromSeconds(90)));
                using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 512, PooledConnectionLifetime = Timeout.InfiniteTimeSpan })
                {
                    BaseAddress = server.BaseAddress,
                    Timeout = TimeSpan.FromSeconds(60),
                };
                var perWindow = (int)Math.Ceiling(rate * (warmup + duration).TotalSeconds) + 50;
                timer.Restart();
                var prepared = await IntakeLoad.PrepareAsync(http, service.PublicKeys, body, perWindow * 3, 16);
                Console.WriteLine($"Prepared {prepared.Count:N0} survivor submissions in {timer.Elapsed.TotalSeconds:F0} s.");
                await OpenLoopAsync(http, prepared, rate, TimeSpan.FromSeconds(5), TimeSpan.Zero); // warms the JIT and pools

                Console.WriteLine($"\n## Idle: {rate:F0} submissions/s for {warmup.TotalSeconds:0} + {duration.TotalSeconds:0} s (load average {Machine.LoadAverage()})");
                idle = await OpenLoopAsync(http, prepared, rate, duration, warmup);
                Print("idle", idle);

                timer.Restart();
                await using var purger = IntakeServer.Start(repository, dll, worker);
                await purger.WaitUntilHealthyAsync(TimeSpan.FromSeconds(90));
                while (await CountSeededAsync(app) >= seeded)
                {
                    await Task.Delay(100);
                }
                var purgeStarted = timer.Elapsed;
                Console.WriteLine($"\n## During the purge: {rate:F0} submissions/s for {warmup.TotalSeconds:0} + {duration.TotalSeconds:0} s "
                    + $"(the job started {purgeStarted.TotalSeconds:F1} s after the worker; load average {Machine.LoadAverage()})");
                var cpuBefore = Machine.CpuSeconds("Intake.Web", "postgres", "beam.smp");
                var purgedBefore = seeded - await CountSeededAsync(app);
                var windowTimer = Stopwatch.StartNew();
                during = await OpenLoopAsync(http, prepared, rate, duration, warmup);
                var windowPurged = seeded - await CountSeededAsync(app) - purgedBefore;
                var cpu = Machine.CpuSeconds("Intake.Web", "postgres", "beam.smp");
                Print("during", during);
                Console.WriteLine($"purged during that window: {windowPurged:N0} cases ({windowPurged / windowTimer.Elapsed.TotalSeconds:F0}/s); CPU seconds in it: "
                    + string.Join(", ", cpu.Select(kv => $"{kv.Key} {kv.Value - cpuBefore.GetValueOrDefault(kv.Key):F1}")));

                while (await CountSeededAsync(app) > 0)
                {
                    await Task.Delay(250);
                }
                purgeSeconds = (timer.Elapsed - purgeStarted).TotalSeconds;
                Console.WriteLine($"\nAll {seeded:N0} cases purged {purgeSeconds:F1} s after the first: {seeded / purgeSeconds:F0} cases/s overall (survivor load included).");
                var failedRuns = purger.Output.Split('\n').Count(l => l.Contains("could not be purged", StringComparison.Ordinal));
                Console.WriteLine($"Worker log: {purger.LineCount} lines, {failedRuns} runs reporting cases it could not purge; the last:");
                foreach (var line in purger.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).TakeLast(3))
                {
                    Console.WriteLine("  " + line);
                }
            }

            // ---- Checks ----
            var tombstones = await CountAsync(app, "SELECT count(*) FROM intake.ledger_entries WHERE kind = 10");
            var twice = await CountAsync(app, "SELECT count(*) FROM (SELECT purged_seq FROM intake.ledger_entries WHERE kind = 10 GROUP BY purged_seq HAVING count(*) > 1) t");
            var leftCiphertext = await CountAsync(app, """
                SELECT count(*) FROM intake.ledger_payloads p JOIN intake.ledger_entries e ON e.seq = p.seq
                WHERE EXISTS (SELECT 1 FROM intake.ledger_entries t WHERE t.purged_seq = e.seq)
                """);
            Console.WriteLine($"\nTombstones: {tombstones:N0} for {seededEntries:N0} seeded ciphertext entries; entries tombstoned twice: {twice}; "
                + $"payloads left behind a tombstone: {leftCiphertext}; survivor cases stored meanwhile and kept: {await CountAsync(app, "SELECT count(*) FROM intake.cases"):N0}.");
            using (var key = ECDsa.Create())
            {
                key.ImportFromPem(await File.ReadAllTextAsync(service.KeyFile));
                using var trusted = NoteVerifierKey.FromSubjectPublicKeyInfo("intake-benchmark", key.ExportSubjectPublicKeyInfo());
                timer.Restart();
                var verified = await new LedgerVerifier(app, trusted).VerifyAsync();
                Console.WriteLine($"LedgerVerifier.VerifyAsync: {verified.EntriesChecked:N0} entries, {verified.CheckpointsChecked} checkpoint(s), "
                    + $"{timer.Elapsed.TotalSeconds:F1} s: " + (verified.Ok ? "ok" : $"PROBLEM: {verified.Problem}"));
            }

            Console.WriteLine($"\n| Measurement | Per second | p50 | p99 | max |");
            Console.WriteLine("|---|---:|---:|---:|---:|");
            Console.WriteLine($"| Intake at {rate:F0}/s, idle | {idle.Rate:N0} | {idle.P50:F1} ms | {idle.P99:F1} ms | {idle.Max:F0} ms |");
            Console.WriteLine($"| Intake at {rate:F0}/s, during the purge | {during.Rate:N0} | {during.P50:F1} ms | {during.P99:F1} ms | {during.Max:F0} ms |");
            Console.WriteLine($"| Purge of {seeded:N0} cases | {seeded / purgeSeconds:N0} cases | | | |");
            Console.WriteLine($"\nTarget, intake p99 during the purge at most twice idle: {during.P99:F1} ms vs 2 x {idle.P99:F1} ms ({(during.P99 <= 2 * idle.P99 ? "met" : "MISSED")})");
        }
        finally
        {
            await DropDatabasesAsync(pg, created);
        }
        return 0;
    }

    private static void Print(string name, Window window) =>
        Console.WriteLine($"{name}: {window.Rate:F1} accepted/s ({window.Accepted:N0}), latency p50 {window.P50:F2} ms, p99 {window.P99:F2} ms, max {window.Max:F1} ms; "
            + $"non-201: {window.Refused}");

    private static async Task<long> CountAsync(NpgsqlDataSource app, string sql)
    {
        await using var command = app.CreateCommand(sql);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
    }

    private static Task<long> CountSeededAsync(NpgsqlDataSource app) => CountAsync(app, "SELECT count(*) FROM intake.cases WHERE keep_days = 1");

    /// <summary>Real submissions, <paramref name="count"/> of them, 64 at a time, through the product's stores.</summary>
    private static async Task SeedAsync(NpgsqlDataSource app, IReadOnlyList<ReadOnlyMemory<byte>> keys, byte[] body, int count)
    {
        await using var writer = new LedgerWriter(app, TimeProvider.System, NullLogger<LedgerWriter>.Instance);
        var uploads = new UploadStore(app);
        var store = new SubmissionStore(app, uploads, writer);
        var next = 0;
        await Task.WhenAll(Enumerable.Range(0, 64).Select(_ => Task.Run(async () =>
        {
            while (Interlocked.Increment(ref next) <= count)
            {
                var sealedSubmission = await IntakeLoad.SealAsync(keys, body);
                var upload = await uploads.CreateAsync(sealedSubmission.Stream[..StreamHeader.Length], long.MaxValue);
                await uploads.AppendPartAsync(upload.Id, 0, sealedSubmission.Stream);
                await store.AcceptAsync(new SubmissionRequest(sealedSubmission.Envelope, [upload.Id], sealedSubmission.LookupId, sealedSubmission.Vault));
            }
        })));
    }

    /// <summary>
    /// Sends prepared submissions at <paramref name="rate"/> a second, each at its scheduled time whether or not earlier
    /// ones were answered; latency is from the scheduled time to the whole answer. Answers in the first
    /// <paramref name="warmup"/> are not counted.
    /// </summary>
    private static async Task<Window> OpenLoopAsync(HttpClient http, ConcurrentQueue<IntakeLoad.Prepared> prepared, double rate, TimeSpan duration, TimeSpan warmup)
    {
        var total = (int)((warmup + duration).TotalSeconds * rate);
        var interval = Stopwatch.Frequency / rate;
        var start = Stopwatch.GetTimestamp();
        var sends = new List<Task<(long Scheduled, IntakeLoad.Outcome Outcome)>>(total);
        for (var i = 0; i < total && prepared.TryDequeue(out var next); i++)
        {
            var scheduled = start + (long)(i * interval);
            var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), scheduled);
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait);
            }
            var submission = next;
            sends.Add(Task.Run(async () => (scheduled, await IntakeLoad.SubmitOneAsync(http, submission))));
        }
        var results = await Task.WhenAll(sends);
        var counted = results.Where(r => r.Scheduled >= start + (long)(warmup.TotalSeconds * Stopwatch.Frequency)).ToList();
        var accepted = counted.Where(r => r.Outcome.Status == 201).Select(r => (r.Outcome.End - r.Scheduled) * 1000.0 / Stopwatch.Frequency).Order().ToArray();
        if (accepted.Length == 0)
        {
            throw new InvalidOperationException("No submission was accepted in the window.");
        }
        return new Window(accepted.Length / duration.TotalSeconds, accepted.Length, counted.Count - accepted.Length,
            Percentile(accepted, 0.50), Percentile(accepted, 0.99), accepted[^1]);
    }
}
