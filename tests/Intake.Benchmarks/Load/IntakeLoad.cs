using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Intake.Core.Crypto;
using Intake.Storage.Cases;
using Intake.Storage.Ledger;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using static Intake.Benchmarks.Load.LoadKit;

namespace Intake.Benchmarks.Load;

/// <summary>
/// <c>-- intake</c>: survivor intake end to end. The Release build of Intake.Web runs as a child process on a fresh
/// migrated database and a RabbitMQ virtual host of its own; one channel with 3 advocate keys. Submissions (an 8 KiB
/// body sealed to the 3 keys, uploaded in one part) are prepared before the clock starts, so that the timed operation
/// is exactly <c>POST /api/channels/{c}/submissions</c> (HTTP, validation, upload digest, ledger append with the case,
/// commit, publish). 64 concurrent clients; accepted/s, p50/p99; then every 201 is checked against the database
/// (case row, ledger entry, leaf hash), the published messages are counted, and the ledger is verified. Baseline in
/// the same run: pgbench inserting the rows a submission writes, one transaction per submission, 64 clients.
/// </summary>
/// <remarks>
/// Options: <c>--duration S</c> (default 20), <c>--warmup S</c> (3), <c>--clients N</c> (64), <c>--body BYTES</c>
/// (8192), <c>--keys N</c> (3), <c>--pilot N</c> (submissions in the untimed pilot that sizes the batch, 1500),
/// <c>--role web|all</c> (Intake.Web's role: the survivor API alone, or with routing's consumers too; web),
/// <c>--store-phase on|off</c> (the in-process <see cref="SubmissionStore"/> decomposition, on), <c>--floor on|off</c>
/// (the same process answering a static file to the same clients: the ceiling of any endpoint here, on),
/// <c>--web-dll PATH</c> (default src/Intake.Web/bin/Release/net10.0/Intake.Web.dll; build it first with
/// <c>dotnet build -c Release src/Intake.Web</c>).
/// </remarks>
public static class IntakeLoad
{
    internal const string Channel = "bench";
    private const string PublishedQueue = "intake-bench-published";

    /// <summary>Prepared submissions per expected one: the pilot runs on a colder service and underestimates the rate.</summary>
    private const double Headroom = 2.0;

    internal sealed record Prepared(byte[] Json);

    internal sealed record Outcome(long Start, long End, int Status, long Entry, byte[]? LeafHash);

    /// <summary>
    /// A fresh benchmark service: database, virtual host, checkpoint key file, the channel and its keys, and Intake.Web's
    /// settings. Disposing deletes the virtual host and the key file; the database is dropped with the caller's others.
    /// </summary>
    internal sealed record BenchService(string Database, RabbitVirtualHost VirtualHost, string KeyFile, List<ReadOnlyMemory<byte>> PublicKeys,
        Dictionary<string, string> Settings) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await VirtualHost.DisposeAsync();
            File.Delete(KeyFile);
        }
    }

    /// <summary>
    /// Creates the database (recorded in <paramref name="created"/>, for dropping), the virtual host and the key file, and
    /// writes the channel and its keys the way an admin would (ledger entries). The caller disposes the result.
    /// </summary>
    internal static async Task<BenchService> SetUpServiceAsync(PgSettings pg, RabbitSettings rabbit, string prefix, string suffix, int keyCount,
        List<string> created)
    {
        var database = await CreateLedgerDatabaseAsync(pg, $"intake_bench_{prefix}_{suffix}", created);
        var vhost = await RabbitVirtualHost.CreateAsync(rabbit, $"intake-bench-{suffix}");
        var keyFile = Path.Combine(Path.GetTempPath(), $"intake-bench-key-{suffix}.pem");
        var service = new BenchService(database, vhost, keyFile, [], new Dictionary<string, string>
        {
            ["Database:App"] = pg.App(database),
            ["Database:Purger"] = pg.Purger(database),
            ["Ledger:Origin"] = "intake-benchmark",
            ["Ledger:SigningKeyFile"] = keyFile,
            ["Submissions:ProofOfWorkBits"] = "0",
            ["RateLimits:PerConnectionPerMinute"] = "1000000",
            ["RateLimits:GlobalPerSecond"] = "1000000",
            ["RateLimits:FailedLookupsPerConnection"] = "100000",
            ["RateLimits:FailedLookupsPerMinute"] = "1000000",
            ["RabbitMq:Host"] = rabbit.Host,
            ["RabbitMq:Port"] = rabbit.Port.ToString(CultureInfo.InvariantCulture),
            ["RabbitMq:VirtualHost"] = vhost.Name,
            ["RabbitMq:Username"] = rabbit.User,
            ["RabbitMq:Password"] = rabbit.Password,
        });
        try
        {
            using (var signing = ECDsa.Create(ECCurve.NamedCurves.nistP256))
            {
                await File.WriteAllTextAsync(keyFile, signing.ExportPkcs8PrivateKeyPem());
            }
            await using var app = NpgsqlDataSource.Create(pg.App(database));
            await using var writer = new LedgerWriter(app, TimeProvider.System, NullLogger<LedgerWriter>.Instance);
            var directory = new ChannelDirectory(app, writer);
            await directory.AddChannelAsync(new Channel(Channel, "Benchmark", "基准"), "benchmark");
            for (var i = 0; i < keyCount; i++)
            {
                var (_, publicKey) = HpkeSuite.GenerateKeyPair();
                await directory.AddKeyAsync(Channel, publicKey, "benchmark");
                service.PublicKeys.Add(publicKey);
            }
            return service;
        }
        catch
        {
            await service.DisposeAsync();
            throw;
        }
    }

    private sealed record IntakeResult(
        int Clients, double Rate, long Accepted, long Refused, Dictionary<int, long> RefusedByStatus, double P50, double P99, double Mean, double Max,
        double WindowSeconds, BatchStats Batches, double WalPerSubmission, Dictionary<string, double> CpuSeconds);

    public static async Task<int> RunAsync(string[] args)
    {
        var pg = PgSettings.FromEnvironment("INTAKE_TEST_PG_PURGER_PASSWORD");
        var rabbit = RabbitSettings.FromEnvironment();
        var duration = TimeSpan.FromSeconds(Inv(Option(args, "--duration", "20")));
        var warmup = TimeSpan.FromSeconds(Inv(Option(args, "--warmup", "3")));
        var clients = int.Parse(Option(args, "--clients", "64"), CultureInfo.InvariantCulture);
        var bodyLength = int.Parse(Option(args, "--body", "8192"), CultureInfo.InvariantCulture);
        var keyCount = int.Parse(Option(args, "--keys", "3"), CultureInfo.InvariantCulture);
        var pilot = int.Parse(Option(args, "--pilot", "1500"), CultureInfo.InvariantCulture);
        var role = Option(args, "--role", "web").Equals("all", StringComparison.OrdinalIgnoreCase) ? "All" : "Web";
        var repository = IntakeServer.RepositoryRoot();
        var dll = Option(args, "--web-dll", "") is { Length: > 0 } given ? Path.GetFullPath(given) : IntakeServer.ReleaseDll(repository);
        Pgbench(pg);

        Console.WriteLine($"# Survivor intake end to end, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Machine.Describe()}");
        Console.WriteLine($"Intake.Web: {dll} (built {File.GetLastWriteTimeUtc(dll):yyyy-MM-dd HH:mm} UTC)");
        await DescribeServerAsync(pg);

        var suffix = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));
        var created = new List<string>();
        try
        {
            await using var service = await SetUpServiceAsync(pg, rabbit, "intake", suffix, keyCount, created);
            var (database, vhost, keyFile, publicKeys, settings) = (service.Database, service.VirtualHost, service.KeyFile, service.PublicKeys, service.Settings);
            await using var app = NpgsqlDataSource.Create(pg.App(database));
            Console.WriteLine($"Channel '{Channel}' with {keyCount} advocate keys.");
            // Web: the survivor API alone; routing's consumers (role All) would compete for the same two cores
            // and the same ledger writer, and have a benchmark of their own (routing mode).
            settings["Intake:Role"] = role;

            IntakeResult result;
            SizeFacts sizes;
            long accepted201;
            bool noneLost;
            FloorResult? floor = null;
            await using (var server = IntakeServer.Start(repository, dll, settings))
            {
                await server.WaitUntilHealthyAsync(TimeSpan.FromSeconds(90));
                Console.WriteLine($"Intake.Web is up on {server.BaseAddress} (Production, role {role}, proof of work 0 bits, rate limits 1,000,000).");
                using var http = new HttpClient(new SocketsHttpHandler
                {
                    MaxConnectionsPerServer = Math.Max(64, clients * 2),
                    PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
                    PooledConnectionIdleTimeout = TimeSpan.FromMinutes(10),
                })
                {
                    BaseAddress = server.BaseAddress,
                    Timeout = TimeSpan.FromSeconds(60),
                };
                var body = RandomNumberGenerator.GetBytes(bodyLength);
                var streamLength = StreamHeader.Create(StreamPurpose.Body, bodyLength).CiphertextLength;
                Console.WriteLine($"Body: {bodyLength:N0} content bytes -> {streamLength:N0}-byte stream (padded, with header and tags), one upload part.");

                // Pilot: untimed. Warms the JIT, pools and caches on both sides, and measures the rate to size the real batch.
                var all = new List<Outcome>();
                var timer = Stopwatch.StartNew();
                var pilotBatch = await PrepareAsync(http, publicKeys, body, pilot, clients);
                Console.WriteLine($"Pilot: prepared {pilot:N0} in {timer.Elapsed.TotalSeconds:F1} s ({pilot / timer.Elapsed.TotalSeconds:F0}/s: seal + upload)");
                var pilotRun = await SubmitAllAsync(http, pilotBatch, clients);
                all.AddRange(pilotRun.Outcomes);
                // The pilot's middle half: past the cold start, before the tail where fewer than all clients are busy.
                var pilotStart = pilotRun.Outcomes.Min(o => o.Start);
                var pilotSpan = pilotRun.Outcomes.Max(o => o.End) - pilotStart;
                var pilotRate = pilotRun.Outcomes.Count(o => o.Status == 201 && o.End >= pilotStart + (pilotSpan / 4) && o.End < pilotStart + (3 * pilotSpan / 4))
                    / (0.5 * pilotSpan / Stopwatch.Frequency);
                Console.WriteLine($"Pilot: {pilotRun.Outcomes.Count(o => o.Status == 201):N0} of {pilot:N0} accepted in {pilotRun.Elapsed.TotalSeconds:F1} s ({pilotRate:F0}/s in its middle half)");

                // Count what is published from now on: a quorum queue bound to the exchange MassTransit made in the pilot.
                var exchange = await vhost.FindExchangeAsync("TestimonySubmitted")
                    ?? throw new InvalidOperationException("No TestimonySubmitted exchange after the pilot: nothing was published.");
                await vhost.BindQueueAsync(PublishedQueue, exchange);

                var needed = (int)Math.Ceiling(pilotRate * Headroom * (warmup + duration).TotalSeconds) + clients * 4;
                timer.Restart();
                var batch = await PrepareAsync(http, publicKeys, body, needed, clients);
                Console.WriteLine($"Prepared {needed:N0} submissions in {timer.Elapsed.TotalSeconds:F1} s ({Headroom} x the pilot rate x {(warmup + duration).TotalSeconds:0} s).");
                await Task.Delay(TimeSpan.FromSeconds(2)); // let the upload traffic settle

                Console.WriteLine($"\n## {clients} clients: POST /api/channels/{Channel}/submissions, {warmup.TotalSeconds:0} s warm-up + {duration.TotalSeconds:0} s (load average {Machine.LoadAverage()})");
                var linesBefore = server.LineCount;
                (result, var outcomes) = await MeasureAsync(pg, database, server, http, batch, clients, warmup, duration);
                all.AddRange(outcomes);
                accepted201 = outcomes.Count(o => o.Status == 201);
                Console.WriteLine($"intake: {result.Rate:F1} accepted/s ({result.Accepted:N0} in {result.WindowSeconds:F1} s), latency p50 {result.P50:F2} ms, p99 {result.P99:F2} ms, "
                    + $"mean {result.Mean:F2} ms, max {result.Max:F1} ms; non-201 in window: {result.Refused}"
                    + (result.RefusedByStatus.Count > 0 ? $" ({string.Join(", ", result.RefusedByStatus.Select(kv => $"{kv.Key}: {kv.Value}"))})" : ""));
                Console.WriteLine($"ledger batches in window: {result.Batches.Batches:N0}, size mean {result.Batches.MeanSize:F1} / median {result.Batches.MedianSize:F0} / max {result.Batches.MaxSize}; "
                    + $"{result.WindowSeconds * 1000 / Math.Max(1, result.Batches.Batches):F2} ms per batch; WAL {result.WalPerSubmission / 1024:F1} KiB per submission");
                Console.WriteLine($"CPU seconds in the {result.WindowSeconds:F1} s window (2 cores = {2 * result.WindowSeconds:F0} s): "
                    + string.Join(", ", result.CpuSeconds.Select(kv => $"{kv.Key} {kv.Value:F1}")));
                Console.WriteLine($"Intake.Web wrote {server.LineCount - linesBefore} log lines during the run"
                    + (server.LineCount > linesBefore ? $"; the last: {server.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault()}" : "."));

                noneLost = await VerifyAsync(app, vhost, keyFile, all, accepted201, keyCount);
                sizes = await SizesAsync(app);

                if (Option(args, "--floor", "on") != "off")
                {
                    Console.WriteLine($"\n## Floor: {clients} clients GET /css/intake.css from the same process, {warmup.TotalSeconds:0} s warm-up + {duration.TotalSeconds:0} s (load average {Machine.LoadAverage()})");
                    floor = await MeasureFloorAsync(server, http, clients, warmup, duration);
                    Console.WriteLine($"floor:  {floor.Rate:F1} responses/s ({floor.Answered:N0}), latency p50 {floor.P50:F2} ms, p99 {floor.P99:F2} ms; "
                        + $"Intake.Web CPU {floor.ServerCpuSeconds:F1} s of {2 * floor.WindowSeconds:F0}");
                }
            }
            Console.WriteLine("Intake.Web stopped.");

            StoreResult? storeResult = null;
            if (Option(args, "--store-phase", "on") != "off")
            {
                Console.WriteLine($"\n## {clients} callers: SubmissionStore.AcceptAsync in process (no HTTP, validation or publish), {warmup.TotalSeconds:0} s warm-up + {duration.TotalSeconds:0} s (load average {Machine.LoadAverage()})");
                storeResult = await MeasureStoreAsync(pg, database, app, publicKeys, RandomNumberGenerator.GetBytes(bodyLength), clients, warmup, duration, result.Rate);
                Console.WriteLine($"store:  {storeResult.Rate:F1} accepted/s ({storeResult.Accepted:N0} in {storeResult.WindowSeconds:F1} s), latency p50 {storeResult.P50:F2} ms, p99 {storeResult.P99:F2} ms; "
                    + $"{storeResult.Failed} failed; batches {storeResult.Batches.Batches:N0}, size mean {storeResult.Batches.MeanSize:F1} / max {storeResult.Batches.MaxSize}; "
                    + $"{storeResult.WindowSeconds * 1000 / Math.Max(1, storeResult.Batches.Batches):F2} ms per batch");
            }

            // ---- Baseline: the same rows, raw, one transaction per submission ----
            var rawDb = await CreateRawDatabaseAsync(pg, $"intake_bench_intakeraw_{suffix}", created);
            await ExecuteAsync(pg.Superuser(rawDb), """
                CREATE TABLE raw_entries (
                    seq bigserial PRIMARY KEY, kind smallint NOT NULL, entry_day date NOT NULL, case_id uuid NOT NULL,
                    payload_hash bytea NOT NULL, leaf_hash bytea NOT NULL, metadata bytea NOT NULL, payload bytea NOT NULL, wrapped bytea NOT NULL);
                ALTER TABLE raw_entries ALTER COLUMN payload SET STORAGE EXTERNAL;
                CREATE TABLE raw_cases (
                    id uuid PRIMARY KEY, channel text NOT NULL, lookup_id bytea NOT NULL UNIQUE, entry_seq bigint NOT NULL UNIQUE,
                    header_hash bytea NOT NULL, status text NOT NULL DEFAULT 'new', opened_on date NOT NULL, vault bytea NOT NULL);
                """);
            var raw = new List<(string Name, int Payload, RawPoint Point)>();
            foreach (var (name, payload) in new[] { ("8 KiB payload", (int)StreamHeader.Create(StreamPurpose.Body, bodyLength).CiphertextLength), ("payload as stored", sizes.Payload) })
            {
                var script = Path.Combine(Path.GetTempPath(), $"intake-bench-intakeraw-{suffix}.sql");
                await File.WriteAllTextAsync(script, RawScript(payload, sizes));
                try
                {
                    Console.WriteLine($"\n## Raw ({name}: {payload:N0} bytes): pgbench -c {clients} -j {Math.Min(2, clients)} -T {duration.TotalSeconds:0} (after -T {warmup.TotalSeconds:0}), load average {Machine.LoadAverage()}");
                    var point = await MeasurePgbenchAsync(pg, rawDb, script, clients, warmup, duration, percentiles: true);
                    Console.WriteLine($"raw:    {point.Tps:F1} submissions/s, latency p50 {point.P50:F2} ms, p99 {point.P99:F2} ms, average {point.LatencyMs:F2} ms; WAL {point.WalPerInsert / 1024:F1} KiB per transaction");
                    raw.Add((name, payload, point));
                }
                finally
                {
                    File.Delete(script);
                }
            }

            Console.WriteLine($"\nLoad average at the end: {Machine.LoadAverage()}");
            Console.WriteLine($"\n| Measurement ({clients} concurrent clients) | Per second | p50 | p99 | Ratio to raw |");
            Console.WriteLine("|---|---:|---:|---:|---:|");
            Console.WriteLine($"| Intake: `POST /api/channels/{{c}}/submissions`, 201s | {result.Rate:N0} | {result.P50:F1} ms | {result.P99:F1} ms | |");
            foreach (var (name, payload, point) in raw)
            {
                Console.WriteLine($"| Raw pgbench, {name} ({payload:N0} B) | {point.Tps:N0} | {point.P50:F1} ms | {point.P99:F1} ms | {result.Rate / point.Tps:F2} |");
            }
            if (storeResult is not null)
            {
                Console.WriteLine($"| Decomposition: `SubmissionStore.AcceptAsync` in process | {storeResult.Rate:N0} | {storeResult.P50:F1} ms | {storeResult.P99:F1} ms | |");
            }
            if (floor is not null)
            {
                Console.WriteLine($"| Floor: `GET /css/intake.css`, same process and clients | {floor.Rate:N0} | {floor.P50:F1} ms | {floor.P99:F1} ms | "
                    + $"{string.Join(" / ", raw.Select(r => (floor.Rate / r.Point.Tps).ToString("F2", CultureInfo.InvariantCulture)))} |");
            }
            Console.WriteLine($"\nTarget, at least half the raw rate: {string.Join("; ", raw.Select(r => $"{r.Name} {result.Rate / r.Point.Tps:F2} ({(result.Rate >= r.Point.Tps / 2 ? "met" : "MISSED")})"))}");
            Console.WriteLine($"Target, p99 under 50 ms: {result.P99:F1} ms ({(result.P99 < 50 ? "met" : "MISSED")})");
            Console.WriteLine($"Target, zero accepted submissions lost: {(noneLost ? "met" : "MISSED")}");
        }
        finally
        {
            await DropDatabasesAsync(pg, created);
        }
        return 0;
    }

    // ---- Preparing submissions (untimed) ----

    /// <summary>Seals <paramref name="count"/> submissions to the channel's keys and uploads each body stream in one part.</summary>
    internal static async Task<ConcurrentQueue<Prepared>> PrepareAsync(HttpClient http, IReadOnlyList<ReadOnlyMemory<byte>> keys, byte[] body, int count, int clients)
    {
        var queue = new ConcurrentQueue<Prepared>();
        var next = 0;
        await Task.WhenAll(Enumerable.Range(0, Math.Min(clients, 16)).Select(_ => Task.Run(async () =>
        {
            while (Interlocked.Increment(ref next) <= count)
            {
                queue.Enqueue(await PrepareOneAsync(http, keys, body));
            }
        })));
        return queue;
    }

    internal sealed record SealedSubmission(Envelope Envelope, byte[] Stream, byte[] LookupId, byte[] Vault);

    /// <summary>What the survivor's browser does before uploading: content key, envelope to the keys, body stream, receipt vault.</summary>
    internal static async Task<SealedSubmission> SealAsync(IReadOnlyList<ReadOnlyMemory<byte>> keys, byte[] body)
    {
        var contentKey = EnvelopeSealer.GenerateContentKey();
        var (replyPrivate, replyPublic) = HpkeSuite.GenerateKeyPair();
        var header = StreamHeader.Create(StreamPurpose.Body, body.Length);
        var envelope = EnvelopeSealer.Seal(EnvelopeKind.Submission, Channel, null, replyPublic, keys, [header], contentKey);
        using var stream = new MemoryStream((int)header.CiphertextLength);
        await ContentStreamSealer.SealAsync(contentKey, envelope.Header.ComputeHash(), header, new MemoryStream(body), body.Length, stream);
        using var secrets = ReceiptSecrets.Derive(SurvivorReceipt.Generate());
        var vault = ReceiptVault.Seal(secrets.VaultKey, replyPrivate, contentKey);
        CryptographicOperations.ZeroMemory(replyPrivate);
        CryptographicOperations.ZeroMemory(contentKey);
        return new SealedSubmission(envelope, stream.ToArray(), (byte[])secrets.LookupId.Clone(), vault);
    }

    private static async Task<Prepared> PrepareOneAsync(HttpClient http, IReadOnlyList<ReadOnlyMemory<byte>> keys, byte[] body)
    {
        var submission = await SealAsync(keys, body);
        var bytes = submission.Stream;
        using var create = await http.PostAsync("/api/uploads", new StringContent(
            $"{{\"header\":\"{Base64UrlStrict.Encode(bytes.AsSpan(0, StreamHeader.Length))}\"}}", Encoding.UTF8, "application/json"));
        if (create.StatusCode != HttpStatusCode.Created)
        {
            throw new InvalidOperationException($"POST /api/uploads answered {(int)create.StatusCode}: {await create.Content.ReadAsStringAsync()}");
        }
        using var created = JsonDocument.Parse(await create.Content.ReadAsStringAsync());
        var upload = created.RootElement.GetProperty("id").GetGuid();
        using var part = await http.PutAsync($"/api/uploads/{upload}/parts/0", new ByteArrayContent(bytes));
        if (part.StatusCode != HttpStatusCode.OK)
        {
            throw new InvalidOperationException($"PUT /api/uploads/{{id}}/parts/0 answered {(int)part.StatusCode}: {await part.Content.ReadAsStringAsync()}");
        }
        // Proof of work is off (0 bits): the field is omitted, as the server then ignores it.
        var json = $"{{\"envelope\":{submission.Envelope.ToJson()},\"uploads\":[\"{upload}\"],"
            + $"\"lookupId\":\"{Base64UrlStrict.Encode(submission.LookupId)}\",\"vault\":\"{Base64UrlStrict.Encode(submission.Vault)}\"}}";
        return new Prepared(Encoding.UTF8.GetBytes(json));
    }

    // ---- Submitting ----

    internal static async Task<Outcome> SubmitOneAsync(HttpClient http, Prepared prepared)
    {
        var t0 = Stopwatch.GetTimestamp();
        try
        {
            using var content = new ByteArrayContent(prepared.Json);
            content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
            using var response = await http.PostAsync($"/api/channels/{Channel}/submissions", content);
            var text = await response.Content.ReadAsByteArrayAsync();
            var t1 = Stopwatch.GetTimestamp();
            if (response.StatusCode != HttpStatusCode.Created)
            {
                return new Outcome(t0, t1, (int)response.StatusCode, -1, null);
            }
            using var document = JsonDocument.Parse(text);
            return new Outcome(t0, t1, 201, document.RootElement.GetProperty("entry").GetInt64(),
                Base64UrlStrict.TryDecode(document.RootElement.GetProperty("leafHash").GetString()));
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            return new Outcome(t0, Stopwatch.GetTimestamp(), 0, -1, null); // no answer at all: counted as status 0
        }
    }

    private static async Task<(List<Outcome> Outcomes, TimeSpan Elapsed)> SubmitAllAsync(HttpClient http, ConcurrentQueue<Prepared> batch, int clients)
    {
        var results = new ConcurrentBag<Outcome>();
        var timer = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, clients).Select(_ => Task.Run(async () =>
        {
            while (batch.TryDequeue(out var prepared))
            {
                results.Add(await SubmitOneAsync(http, prepared));
            }
        })));
        return ([.. results], timer.Elapsed);
    }

    private static async Task<(IntakeResult, List<Outcome>)> MeasureAsync(
        PgSettings pg, string database, IntakeServer server, HttpClient http, ConcurrentQueue<Prepared> batch, int clients, TimeSpan warmup, TimeSpan duration)
    {
        var start = Stopwatch.GetTimestamp();
        var measureFrom = start + (long)(warmup.TotalSeconds * Stopwatch.Frequency);
        var measureTo = measureFrom + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var ranDry = long.MaxValue; // when the first client found no prepared submission left
        long walFrom = 0, walTo = 0;
        TimeSpan selfFrom = default, selfTo = default, serverFrom = default, serverTo = default;
        Dictionary<string, double> othersFrom = [], othersTo = [];
        var sampler = Task.Run(async () =>
        {
            await Task.Delay(Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), measureFrom));
            (selfFrom, serverFrom, othersFrom) = (Process.GetCurrentProcess().TotalProcessorTime, server.ProcessorTime, Machine.CpuSeconds("postgres", "beam.smp"));
            walFrom = await WalPositionAsync(pg);
            await Task.Delay(Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), measureTo));
            (selfTo, serverTo, othersTo) = (Process.GetCurrentProcess().TotalProcessorTime, server.ProcessorTime, Machine.CpuSeconds("postgres", "beam.smp"));
            walTo = await WalPositionAsync(pg);
        });
        var results = new ConcurrentBag<Outcome>();
        await Task.WhenAll(Enumerable.Range(0, clients).Select(_ => Task.Run(async () =>
        {
            while (Stopwatch.GetTimestamp() < measureTo)
            {
                if (!batch.TryDequeue(out var prepared))
                {
                    Interlocked.CompareExchange(ref ranDry, Stopwatch.GetTimestamp(), long.MaxValue);
                    return;
                }
                results.Add(await SubmitOneAsync(http, prepared));
            }
        })));
        await sampler;
        var all = results.ToList();
        var windowEnd = Math.Min(measureTo, ranDry);
        if (ranDry < measureTo)
        {
            Console.WriteLine($"WARNING: the prepared submissions ran out {Stopwatch.GetElapsedTime(ranDry, measureTo).TotalSeconds:F1} s before the end; "
                + "the window ends there (CPU and WAL figures still cover the full window).");
        }
        var window = all.Where(o => o.End >= measureFrom && o.End < windowEnd).ToList();
        var windowSeconds = Stopwatch.GetElapsedTime(measureFrom, windowEnd).TotalSeconds;
        var acceptedInWindow = window.Where(o => o.Status == 201).ToList();
        var latencies = acceptedInWindow.Select(o => Stopwatch.GetElapsedTime(o.Start, o.End).TotalMilliseconds).Order().ToArray();
        var refused = window.Where(o => o.Status != 201).GroupBy(o => o.Status).ToDictionary(g => g.Key, g => (long)g.Count());
        var batches = acceptedInWindow.Count > 0
            ? await BatchStatsAsync(pg, database, acceptedInWindow.Min(o => o.Entry), acceptedInWindow.Max(o => o.Entry))
            : new BatchStats(0, 0, 0, 0);
        var cpu = new Dictionary<string, double>(StringComparer.Ordinal)
        {
            ["load client (this process)"] = (selfTo - selfFrom).TotalSeconds,
            ["Intake.Web"] = (serverTo - serverFrom).TotalSeconds,
        };
        foreach (var (name, seconds) in othersTo)
        {
            cpu[name == "postgres" ? "PostgreSQL (all backends, whole server)" : "RabbitMQ (beam.smp)"] = seconds - othersFrom.GetValueOrDefault(name);
        }
        var submittedInFullWindow = all.Count(o => o.Status == 201 && o.End >= measureFrom && o.End < measureTo);
        return (new IntakeResult(clients, acceptedInWindow.Count / windowSeconds, acceptedInWindow.Count, refused.Values.Sum(), refused,
            LoadKit.Percentile(latencies, 0.50), LoadKit.Percentile(latencies, 0.99), latencies.Length > 0 ? latencies.Average() : double.NaN,
            latencies.Length > 0 ? latencies[^1] : double.NaN, windowSeconds, batches, (double)(walTo - walFrom) / Math.Max(1, submittedInFullWindow), cpu), all);
    }

    // ---- Floor: the same HTTP pipeline with no work behind it ----

    private sealed record FloorResult(double Rate, long Answered, double P50, double P99, double ServerCpuSeconds, double WindowSeconds);

    /// <summary>
    /// <paramref name="clients"/> concurrent clients fetch a small static file from the same Intake.Web process, with
    /// the same <see cref="HttpClient"/>, for the same window: every middleware a submission passes (request privacy,
    /// security headers, rate limiter) and none of its work (no JSON, validation, database or RabbitMQ). It bounds
    /// from above what any endpoint of this process can answer per second on this machine.
    /// </summary>
    private static async Task<FloorResult> MeasureFloorAsync(IntakeServer server, HttpClient http, int clients, TimeSpan warmup, TimeSpan duration)
    {
        var start = Stopwatch.GetTimestamp();
        var measureFrom = start + (long)(warmup.TotalSeconds * Stopwatch.Frequency);
        var measureTo = measureFrom + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        TimeSpan serverFrom = default, serverTo = default;
        var sampler = Task.Run(async () =>
        {
            await Task.Delay(Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), measureFrom));
            serverFrom = server.ProcessorTime;
            await Task.Delay(Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), measureTo));
            serverTo = server.ProcessorTime;
        });
        var results = new ConcurrentBag<(long Start, long End, bool Ok)>();
        await Task.WhenAll(Enumerable.Range(0, clients).Select(_ => Task.Run(async () =>
        {
            while (Stopwatch.GetTimestamp() < measureTo)
            {
                var begin = Stopwatch.GetTimestamp();
                using var response = await http.GetAsync("/css/intake.css");
                await response.Content.ReadAsByteArrayAsync();
                results.Add((begin, Stopwatch.GetTimestamp(), response.IsSuccessStatusCode));
            }
        })));
        await sampler;
        var window = results.Where(r => r.Ok && r.End >= measureFrom && r.End < measureTo).ToList();
        var latencies = window.Select(r => Stopwatch.GetElapsedTime(r.Start, r.End).TotalMilliseconds).Order().ToArray();
        return new FloorResult(window.Count / duration.TotalSeconds, window.Count, LoadKit.Percentile(latencies, 0.50), LoadKit.Percentile(latencies, 0.99),
            (serverTo - serverFrom).TotalSeconds, duration.TotalSeconds);
    }

    // ---- Decomposition: the storage part alone, in process ----

    private sealed record StoreResult(double Rate, long Accepted, long Failed, double P50, double P99, BatchStats Batches, double WindowSeconds);

    /// <summary>
    /// <see cref="SubmissionStore.AcceptAsync"/> called directly by <paramref name="clients"/> concurrent callers, with
    /// its own <see cref="LedgerWriter"/>, after Intake.Web has stopped: what the endpoint costs without HTTP, JSON,
    /// envelope validation and publishing. Uploads are written through <see cref="UploadStore"/> beforehand (untimed).
    /// </summary>
    private static async Task<StoreResult> MeasureStoreAsync(
        PgSettings pg, string database, NpgsqlDataSource app, IReadOnlyList<ReadOnlyMemory<byte>> keys, byte[] body, int clients, TimeSpan warmup, TimeSpan duration, double rateHint)
    {
        var uploads = new UploadStore(app);
        var count = (int)Math.Ceiling(rateHint * Headroom * (warmup + duration).TotalSeconds) + clients * 4;
        var requests = new ConcurrentQueue<SubmissionRequest>();
        var next = 0;
        var timer = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => Task.Run(async () =>
        {
            while (Interlocked.Increment(ref next) <= count)
            {
                var submission = await SealAsync(keys, body);
                var status = await uploads.CreateAsync(submission.Stream[..StreamHeader.Length], 1L << 30);
                await uploads.AppendPartAsync(status.Id, 0, submission.Stream);
                requests.Enqueue(new SubmissionRequest(submission.Envelope, [status.Id], submission.LookupId, submission.Vault));
            }
        })));
        Console.WriteLine($"Prepared {count:N0} submissions for the store phase in {timer.Elapsed.TotalSeconds:F1} s (uploads through UploadStore).");

        await using var writer = new LedgerWriter(app, TimeProvider.System, NullLogger<LedgerWriter>.Instance);
        var store = new SubmissionStore(app, uploads, writer);
        var start = Stopwatch.GetTimestamp();
        var measureFrom = start + (long)(warmup.TotalSeconds * Stopwatch.Frequency);
        var measureTo = measureFrom + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var ranDry = long.MaxValue;
        var failed = 0L;
        var samples = new ConcurrentBag<(double Ms, long End, long Seq)>();
        await Task.WhenAll(Enumerable.Range(0, clients).Select(_ => Task.Run(async () =>
        {
            while (Stopwatch.GetTimestamp() < measureTo)
            {
                if (!requests.TryDequeue(out var request))
                {
                    Interlocked.CompareExchange(ref ranDry, Stopwatch.GetTimestamp(), long.MaxValue);
                    return;
                }
                var t0 = Stopwatch.GetTimestamp();
                try
                {
                    var accepted = await store.AcceptAsync(request);
                    var t1 = Stopwatch.GetTimestamp();
                    samples.Add((Stopwatch.GetElapsedTime(t0, t1).TotalMilliseconds, t1, accepted.Sequence));
                }
                catch (LedgerAppendException)
                {
                    Interlocked.Increment(ref failed);
                }
            }
        })));
        var windowEnd = Math.Min(measureTo, ranDry);
        if (ranDry < measureTo)
        {
            Console.WriteLine($"WARNING: the store phase ran out of prepared submissions {Stopwatch.GetElapsedTime(ranDry, measureTo).TotalSeconds:F1} s early; the window ends there.");
        }
        var window = samples.Where(s => s.End >= measureFrom && s.End < windowEnd).ToList();
        var windowSeconds = Stopwatch.GetElapsedTime(measureFrom, windowEnd).TotalSeconds;
        var latencies = window.Select(s => s.Ms).Order().ToArray();
        var batches = window.Count > 0 ? await BatchStatsAsync(pg, database, window.Min(s => s.Seq), window.Max(s => s.Seq)) : new BatchStats(0, 0, 0, 0);
        return new StoreResult(window.Count / windowSeconds, window.Count, failed, LoadKit.Percentile(latencies, 0.50), LoadKit.Percentile(latencies, 0.99), batches, windowSeconds);
    }

    // ---- Zero accepted submissions lost ----

    private static async Task<bool> VerifyAsync(NpgsqlDataSource app, RabbitVirtualHost vhost, string keyFile, List<Outcome> all, long acceptedAfterBinding, int keyCount)
    {
        var accepted = all.Where(o => o.Status == 201).ToList();
        Console.WriteLine($"\n## Verification: {accepted.Count:N0} submissions answered 201 in the whole run (pilot included), {all.Count - accepted.Count:N0} answered otherwise");
        var stored = new Dictionary<long, byte[]>();
        long cases;
        await using (var command = app.CreateCommand("""
            SELECT c.submission_seq, e.leaf_hash
            FROM intake.cases c
            JOIN intake.ledger_entries e ON e.seq = c.submission_seq AND e.kind = 1
            JOIN intake.ledger_payloads p ON p.seq = e.seq
            JOIN intake.case_vaults v ON v.case_id = c.id
            WHERE (SELECT count(*) FROM intake.ledger_wrapped_keys k WHERE k.seq = e.seq) = @keys
            """))
        {
            command.Parameters.AddWithValue("keys", (long)keyCount);
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                stored[reader.GetInt64(0)] = (byte[])reader[1];
            }
        }
        await using (var count = app.CreateCommand("SELECT count(*) FROM intake.cases"))
        {
            cases = (long)(await count.ExecuteScalarAsync())!;
        }
        var missing = accepted.Count(o => !stored.ContainsKey(o.Entry));
        var wrongLeaf = accepted.Count(o => stored.TryGetValue(o.Entry, out var leaf) && o.LeafHash is not null && !leaf.AsSpan().SequenceEqual(o.LeafHash));
        var duplicates = accepted.Count - accepted.Select(o => o.Entry).Distinct().Count();
        Console.WriteLine($"201 entries without a case row + ledger entry + payload + vault + {keyCount} wrapped keys: {missing}; with a different leaf hash: {wrongLeaf}; "
            + $"entry numbers answered twice: {duplicates}");
        Console.WriteLine($"count(intake.cases) = {cases:N0}, count(201) = {accepted.Count:N0}: " + (cases == accepted.Count ? "equal" : "DIFFERENT"));
        var lost = missing + wrongLeaf + duplicates;
        Console.WriteLine(lost == 0 && cases == accepted.Count ? "ZERO accepted submissions lost." : $"PROBLEM: {lost} accepted submissions not found as answered.");

        // Published: every 201 of the measured run (after the queue was bound) should be one TestimonySubmitted message.
        long messages = -1;
        for (var i = 0; i < 12; i++)
        {
            messages = await vhost.QueueMessagesAsync(PublishedQueue);
            if (messages >= acceptedAfterBinding)
            {
                break;
            }
            await Task.Delay(TimeSpan.FromSeconds(2.5));
        }
        Console.WriteLine($"TestimonySubmitted messages in the bound queue: {messages:N0} for {acceptedAfterBinding:N0} 201s of the measured run"
            + (messages == acceptedAfterBinding ? " (equal)" : " (DIFFERENT; the management API's statistics may lag)"));

        using var key = ECDsa.Create();
        key.ImportFromPem(await File.ReadAllTextAsync(keyFile));
        using var trusted = NoteVerifierKey.FromSubjectPublicKeyInfo("intake-benchmark", key.ExportSubjectPublicKeyInfo());
        var head = await new LedgerReader(app).GetHeadAsync();
        var timer = Stopwatch.StartNew();
        var verified = await new LedgerVerifier(app, trusted).VerifyAsync();
        Console.WriteLine($"LedgerVerifier.VerifyAsync: {verified.EntriesChecked:N0} of {head.TreeSize:N0} entries, {verified.CheckpointsChecked} checkpoint(s), "
            + $"{timer.Elapsed.TotalSeconds:F1} s: " + (verified.Ok ? "ok" : $"PROBLEM: {verified.Problem}"));
        return lost == 0 && cases == accepted.Count && verified.Ok;
    }

    // ---- The raw baseline's rows ----

    private sealed record SizeFacts(int Payload, int Metadata, int Wrapped, int Keys, int Vault);

    /// <summary>What one accepted submission stored, on average: ledger payload, metadata, wrapped keys, vault.</summary>
    private static async Task<SizeFacts> SizesAsync(NpgsqlDataSource app)
    {
        await using var command = app.CreateCommand("""
            SELECT avg(length(p.ciphertext))::int, avg(length(e.metadata))::int,
                   (SELECT avg(length(k.wrapped))::int FROM intake.ledger_wrapped_keys k JOIN intake.ledger_entries x ON x.seq = k.seq AND x.kind = 1),
                   (SELECT (count(*) / greatest(1, count(DISTINCT k.seq)))::int FROM intake.ledger_wrapped_keys k JOIN intake.ledger_entries x ON x.seq = k.seq AND x.kind = 1),
                   (SELECT avg(length(vault))::int FROM intake.case_vaults)
            FROM intake.ledger_entries e JOIN intake.ledger_payloads p ON p.seq = e.seq
            WHERE e.kind = 1
            """);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        var sizes = new SizeFacts(reader.GetInt32(0), reader.GetInt32(1), reader.GetInt32(2), reader.GetInt32(3), reader.GetInt32(4));
        Console.WriteLine($"Stored per submission (averages): ledger payload {sizes.Payload} B (the submission record: envelope header and stream digest; "
            + $"the body stream itself is in intake.upload_parts), metadata {sizes.Metadata} B, {sizes.Keys} wrapped keys of {sizes.Wrapped} B, vault {sizes.Vault} B.");
        return sizes;
    }

    /// <summary>
    /// One statement, so one transaction, per submission: a ledger-entry-like row (hashes, metadata, the payload and
    /// the wrapped keys with their key ids) and its case row (lookup id, header hash, vault), linked by the entry's seq.
    /// </summary>
    private static string RawScript(int payload, SizeFacts sizes) =>
        "WITH e AS (INSERT INTO raw_entries (kind, entry_day, case_id, payload_hash, leaf_hash, metadata, payload, wrapped) VALUES (1, current_date, gen_random_uuid(), "
        + $"{RandomByteaLiteral(32)}, {RandomByteaLiteral(32)}, {RandomByteaLiteral(sizes.Metadata)}, {RandomByteaLiteral(payload)}, "
        + $"{RandomByteaLiteral(sizes.Keys * (16 + sizes.Wrapped))}) RETURNING seq, case_id) "
        + "INSERT INTO raw_cases (id, channel, lookup_id, entry_seq, header_hash, opened_on, vault) "
        + $"SELECT case_id, '{Channel}', uuid_send(gen_random_uuid()) || uuid_send(gen_random_uuid()), seq, {RandomByteaLiteral(32)}, current_date, {RandomByteaLiteral(sizes.Vault)} FROM e;\n";
}
