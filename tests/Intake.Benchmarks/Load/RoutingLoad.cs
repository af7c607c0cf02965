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
using Intake.Storage.Routing;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using static Intake.Benchmarks.Load.LoadKit;

namespace Intake.Benchmarks.Load;

/// <summary>
/// <c>-- routing</c>: time from commit to assignment while survivor intake load runs. The Release build of
/// Intake.Web runs as a child process (role All: web, consumers and reconciler) on a fresh migrated database and a
/// RabbitMQ virtual host of its own; one channel with 3 keys and 16 advocates with routing profiles. Submissions are
/// prepared (sealed, uploaded) before the clock starts; then <c>--clients</c> clients post them all. A poller reads new
/// assignment rows every <c>--poll</c> ms and notes when it first sees each case's assignment. Commit-to-assignment is
/// measured from the 201 response (the case is committed, and the announcement confirmed by RabbitMQ, before it
/// is sent) to that sighting; from the request's start as an upper bound. Both include up to one poll interval.
/// Baseline in the same run: RabbitMQ's own publish-and-consume rate and latency on a quorum queue with publisher
/// confirms (RabbitMQ.Client, <c>--raw-publishers</c> confirmed publishers, one consumer with manual acks), messages
/// of MassTransit's envelope size.
/// </summary>
/// <remarks>
/// Options: <c>--count N</c> (submissions, default 3000), <c>--clients N</c> (32), <c>--poll MS</c> (10),
/// <c>--raw-seconds S</c> (10), <c>--raw-publishers N</c> (16), <c>--web-dll PATH</c> (as for <c>-- intake</c>).
/// </remarks>
public static class RoutingLoad
{
    private const string Channel = "bench";

    private sealed record Outcome(long Start, long End, int Status, long Entry);

    public static async Task<int> RunAsync(string[] args)
    {
        var pg = PgSettings.FromEnvironment("INTAKE_TEST_PG_PURGER_PASSWORD");
        var rabbit = RabbitSettings.FromEnvironment();
        var count = int.Parse(Option(args, "--count", "3000"), CultureInfo.InvariantCulture);
        var clients = int.Parse(Option(args, "--clients", "32"), CultureInfo.InvariantCulture);
        var poll = TimeSpan.FromMilliseconds(Inv(Option(args, "--poll", "10")));
        var rawSeconds = Inv(Option(args, "--raw-seconds", "10"));
        var rawPublishers = int.Parse(Option(args, "--raw-publishers", "16"), CultureInfo.InvariantCulture);
        var repository = IntakeServer.RepositoryRoot();
        var dll = Option(args, "--web-dll", "") is { Length: > 0 } given ? Path.GetFullPath(given) : IntakeServer.ReleaseDll(repository);

        Console.WriteLine($"# Routing: commit to assignment under intake load, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Machine.Describe()}");
        Console.WriteLine($"Intake.Web: {dll} (built {File.GetLastWriteTimeUtc(dll):yyyy-MM-dd HH:mm} UTC)");
        var suffix = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));
        var created = new List<string>();
        try
        {
            await using var service = await IntakeLoad.SetUpServiceAsync(pg, rabbit, "routing", suffix, keyCount: 3, created);
            var (vhost, keys, settings) = (service.VirtualHost, service.PublicKeys, service.Settings);
            await using var app = NpgsqlDataSource.Create(pg.App(service.Database));
            await using (var writer = new LedgerWriter(app, TimeProvider.System, NullLogger<LedgerWriter>.Instance))
            {
                var routing = new RoutingDirectory(app, writer);
                for (var i = 0; i < 16; i++)
                {
                    await routing.SaveProfileAsync(new AdvocateProfile(Guid.NewGuid(), true, 10_000, [Channel], ["zh", "en"], [], []), "benchmark");
                }
            }
            Console.WriteLine($"Channel '{Channel}' with 3 keys; 16 advocates with routing profiles.");
            settings["Routing:ReconcileAfter"] = "00:00:30";
            await using (var server = IntakeServer.Start(repository, dll, settings))
            {
                await server.WaitUntilHealthyAsync(TimeSpan.FromSeconds(90));
                using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = clients * 2 })
                {
                    BaseAddress = server.BaseAddress,
                    Timeout = TimeSpan.FromSeconds(60),
                };
                var body = RandomNumberGenerator.GetBytes(8192);
                // Warm-up: a few submissions routed end to end, untimed.
                var warm = await PrepareAsync(http, keys, body, 200, clients);
                await SubmitAllAsync(http, warm, clients);
                await WaitAssignedAsync(app, 200, TimeSpan.FromSeconds(120));

                var timer = Stopwatch.StartNew();
                var batch = await PrepareAsync(http, keys, body, count, clients);
                Console.WriteLine($"Prepared {count:N0} submissions (8 KiB body, sealed to 3 keys, uploaded) in {timer.Elapsed.TotalSeconds:F1} s.");
                await Task.Delay(TimeSpan.FromSeconds(2));

                Console.WriteLine($"\n## {clients} clients post {count:N0} submissions; assignments polled every {poll.TotalMilliseconds:0} ms (load average {Machine.LoadAverage()})");
                var seen = new ConcurrentDictionary<long, long>(); // submission seq -> timestamp the assignment was first seen
                using var stopPolling = new CancellationTokenSource();
                var poller = PollAsync(app, seen, poll, stopPolling.Token);
                var outcomes = await SubmitAllAsync(http, batch, clients);
                var accepted = outcomes.Where(o => o.Status == 201).ToList();
                var intakeStart = outcomes.Min(o => o.Start);
                var intakeEnd = outcomes.Max(o => o.End);
                var intakeSeconds = (intakeEnd - intakeStart) / (double)Stopwatch.Frequency;
                var deadline = DateTime.UtcNow.AddSeconds(120);
                while (accepted.Any(o => !seen.ContainsKey(o.Entry)) && DateTime.UtcNow < deadline)
                {
                    await Task.Delay(100);
                }
                await stopPolling.CancelAsync();
                await poller;

                var missing = accepted.Count(o => !seen.ContainsKey(o.Entry));
                var fromResponse = accepted.Where(o => seen.ContainsKey(o.Entry)).Select(o => Math.Max(0, seen[o.Entry] - o.End) * 1000.0 / Stopwatch.Frequency).Order().ToArray();
                var fromRequest = accepted.Where(o => seen.ContainsKey(o.Entry)).Select(o => (seen[o.Entry] - o.Start) * 1000.0 / Stopwatch.Frequency).Order().ToArray();
                var submitLatency = accepted.Select(o => (o.End - o.Start) * 1000.0 / Stopwatch.Frequency).Order().ToArray();
                var lastSeen = accepted.Where(o => seen.ContainsKey(o.Entry)).Max(o => seen[o.Entry]);
                var routedSeconds = (lastSeen - intakeStart) / (double)Stopwatch.Frequency;
                Console.WriteLine($"intake: {accepted.Count:N0} of {count:N0} accepted in {intakeSeconds:F1} s ({accepted.Count / intakeSeconds:F1}/s), "
                    + $"POST p50 {Percentile(submitLatency, 0.50):F1} ms, p99 {Percentile(submitLatency, 0.99):F1} ms");
                Console.WriteLine($"routing: {accepted.Count - missing:N0} assigned ({missing} not seen within 120 s), last {routedSeconds:F1} s after the first post "
                    + $"({(accepted.Count - missing) / routedSeconds:F1} assignments/s)");
                Console.WriteLine($"commit (201) -> assignment seen: p50 {Percentile(fromResponse, 0.50):F1} ms, p99 {Percentile(fromResponse, 0.99):F1} ms, max {fromResponse[^1]:F1} ms");
                Console.WriteLine($"request start -> assignment seen (upper bound): p50 {Percentile(fromRequest, 0.50):F1} ms, p99 {Percentile(fromRequest, 0.99):F1} ms");
                await using var check = app.CreateCommand("SELECT count(*) FROM (SELECT case_id FROM intake.case_assignments GROUP BY case_id HAVING count(*) > 1) d");
                Console.WriteLine($"cases with more than one assignment: {await check.ExecuteScalarAsync()}");
            }

            Console.WriteLine($"\n## Baseline: RabbitMQ raw publish (confirmed) and consume (manual ack), quorum queue, {rawPublishers} publishers, {rawSeconds:0} s (load average {Machine.LoadAverage()})");
            await RawRabbitAsync(rabbit, vhost.Name, rawPublishers, TimeSpan.FromSeconds(rawSeconds));
            Console.WriteLine($"\nLoad average at the end: {Machine.LoadAverage()}");
        }
        finally
        {
            await DropDatabasesAsync(pg, created);
        }
        return 0;
    }

    private static async Task PollAsync(NpgsqlDataSource app, ConcurrentDictionary<long, long> seen, TimeSpan interval, CancellationToken stop)
    {
        long last = -1;
        while (!stop.IsCancellationRequested)
        {
            await using (var command = app.CreateCommand("""
                SELECT c.submission_seq, a.assigned_seq FROM intake.case_assignments a JOIN intake.cases c ON c.id = a.case_id
                WHERE a.assigned_seq > @last ORDER BY a.assigned_seq
                """))
            {
                command.Parameters.AddWithValue("last", last);
                await using var reader = await command.ExecuteReaderAsync(CancellationToken.None);
                var now = Stopwatch.GetTimestamp();
                while (await reader.ReadAsync(CancellationToken.None))
                {
                    seen.TryAdd(reader.GetInt64(0), now);
                    last = Math.Max(last, reader.GetInt64(1));
                }
            }
            try
            {
                await Task.Delay(interval, stop);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private static async Task WaitAssignedAsync(NpgsqlDataSource app, long expected, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            await using var command = app.CreateCommand("SELECT count(*) FROM intake.case_assignments");
            if ((long)(await command.ExecuteScalarAsync())! >= expected)
            {
                return;
            }
            await Task.Delay(200);
        }
        throw new InvalidOperationException($"The warm-up submissions were not all assigned within {timeout}.");
    }

    private static async Task<ConcurrentQueue<byte[]>> PrepareAsync(HttpClient http, IReadOnlyList<ReadOnlyMemory<byte>> keys, byte[] body, int count, int clients)
    {
        var queue = new ConcurrentQueue<byte[]>();
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

    private static async Task<byte[]> PrepareOneAsync(HttpClient http, IReadOnlyList<ReadOnlyMemory<byte>> keys, byte[] body)
    {
        var contentKey = EnvelopeSealer.GenerateContentKey();
        var (replyPrivate, replyPublic) = HpkeSuite.GenerateKeyPair();
        var header = StreamHeader.Create(StreamPurpose.Body, body.Length);
        var envelope = EnvelopeSealer.Seal(EnvelopeKind.Submission, Channel, null, replyPublic, keys, [header], contentKey);
        using var stream = new MemoryStream((int)header.CiphertextLength);
        await ContentStreamSealer.SealAsync(contentKey, envelope.Header.ComputeHash(), header, new MemoryStream(body), body.Length, stream);
        using var secrets = ReceiptSecrets.Derive(SurvivorReceipt.Generate());
        var vault = ReceiptVault.Seal(secrets.VaultKey, replyPrivate, contentKey);
        var bytes = stream.ToArray();
        using var create = await http.PostAsync("/api/uploads", new StringContent(
            $"{{\"header\":\"{Base64UrlStrict.Encode(bytes.AsSpan(0, StreamHeader.Length))}\"}}", Encoding.UTF8, "application/json"));
        using var created = JsonDocument.Parse(await create.Content.ReadAsStringAsync());
        var upload = created.RootElement.GetProperty("id").GetGuid();
        using var part = await http.PutAsync($"/api/uploads/{upload}/parts/0", new ByteArrayContent(bytes));
        part.EnsureSuccessStatusCode();
        var json = $"{{\"envelope\":{envelope.ToJson()},\"uploads\":[\"{upload}\"],"
            + $"\"lookupId\":\"{Base64UrlStrict.Encode(secrets.LookupId)}\",\"vault\":\"{Base64UrlStrict.Encode(vault)}\","
            + "\"routing\":{\"language\":\"zh\"}}";
        return Encoding.UTF8.GetBytes(json);
    }

    private static async Task<List<Outcome>> SubmitAllAsync(HttpClient http, ConcurrentQueue<byte[]> batch, int clients)
    {
        var outcomes = new ConcurrentBag<Outcome>();
        await Task.WhenAll(Enumerable.Range(0, clients).Select(_ => Task.Run(async () =>
        {
            while (batch.TryDequeue(out var json))
            {
                var t0 = Stopwatch.GetTimestamp();
                try
                {
                    using var content = new ByteArrayContent(json);
                    content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
                    using var response = await http.PostAsync($"/api/channels/{Channel}/submissions", content);
                    var text = await response.Content.ReadAsByteArrayAsync();
                    var t1 = Stopwatch.GetTimestamp();
                    outcomes.Add(response.StatusCode == HttpStatusCode.Created
                        ? new Outcome(t0, t1, 201, JsonDocument.Parse(text).RootElement.GetProperty("entry").GetInt64())
                        : new Outcome(t0, t1, (int)response.StatusCode, -1));
                }
                catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
                {
                    outcomes.Add(new Outcome(t0, Stopwatch.GetTimestamp(), 0, -1));
                }
            }
        })));
        return [.. outcomes];
    }

    /// <summary>RabbitMQ on its own: confirmed publishes to a quorum queue, one consumer acking each message.</summary>
    private static async Task RawRabbitAsync(RabbitSettings settings, string virtualHost, int publishers, TimeSpan duration)
    {
        var factory = new ConnectionFactory
        {
            HostName = settings.Host,
            Port = settings.Port,
            VirtualHost = virtualHost,
            UserName = settings.User,
            Password = settings.Password,
        };
        const string queue = "bench-raw";
        await using var connection = await factory.CreateConnectionAsync();
        await using var consumerChannel = await connection.CreateChannelAsync();
        await consumerChannel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false,
            arguments: new Dictionary<string, object?> { ["x-queue-type"] = "quorum" });
        await consumerChannel.BasicQosAsync(0, 64, false);
        var latencies = new ConcurrentBag<double>();
        long consumed = 0;
        var consumer = new AsyncEventingBasicConsumer(consumerChannel);
        consumer.ReceivedAsync += async (_, delivery) =>
        {
            var sent = BitConverter.ToInt64(delivery.Body.Span[..8]);
            latencies.Add((Stopwatch.GetTimestamp() - sent) * 1000.0 / Stopwatch.Frequency);
            Interlocked.Increment(ref consumed);
            await consumerChannel.BasicAckAsync(delivery.DeliveryTag, false);
        };
        await consumerChannel.BasicConsumeAsync(queue, autoAck: false, consumer);

        var padding = RandomNumberGenerator.GetBytes(1200); // about a MassTransit envelope of TestimonySubmitted
        long published = 0;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, publishers).Select(async _ =>
        {
            await using var channel = await connection.CreateChannelAsync(new CreateChannelOptions(true, true));
            var properties = new BasicProperties { Persistent = true };
            while (clock.Elapsed < duration)
            {
                var body = new byte[8 + padding.Length];
                BitConverter.TryWriteBytes(body, Stopwatch.GetTimestamp());
                padding.CopyTo(body, 8);
                await channel.BasicPublishAsync("", queue, false, properties, body);
                Interlocked.Increment(ref published);
            }
        }));
        var publishSeconds = clock.Elapsed.TotalSeconds;
        var drainDeadline = DateTime.UtcNow.AddSeconds(60);
        while (Interlocked.Read(ref consumed) < published && DateTime.UtcNow < drainDeadline)
        {
            await Task.Delay(50);
        }
        var totalSeconds = clock.Elapsed.TotalSeconds;
        var sorted = latencies.Order().ToArray();
        Console.WriteLine($"raw: {published:N0} published with confirms in {publishSeconds:F1} s ({published / publishSeconds:F0}/s); "
            + $"{consumed:N0} consumed by {totalSeconds:F1} s ({consumed / totalSeconds:F0}/s end to end); "
            + $"publish -> consume p50 {Percentile(sorted, 0.50):F1} ms, p99 {Percentile(sorted, 0.99):F1} ms");
    }
}
