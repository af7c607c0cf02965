using System.Diagnostics;
using System.Net;

namespace Intake.Web.Tests.Routing;

/// <summary>
/// Scale-out: two web and two worker processes on one PostgreSQL database and one RabbitMQ
/// virtual host route N submissions, each assigned exactly once. The issue asks for 10,000; on
/// the 2-CPU test machine N defaults to the largest count that keeps the test near three minutes
/// (docs/routing.md); set INTAKE_ROUTING_SCALE_N to run more.
/// </summary>
[Collection(WebCollection.Name)]
public sealed class RoutingScaleOutTests(WebFixture fixture)
{
    public const int DefaultSubmissions = 1500;

    private static int Submissions =>
        int.TryParse(Environment.GetEnvironmentVariable("INTAKE_ROUTING_SCALE_N"), out var n) && n > 0 ? n : DefaultSubmissions;

    [Fact]
    public async Task Two_web_and_two_worker_processes_assign_every_submission_exactly_once()
    {
        var total = Submissions;
        await using var kit = await RoutingWebKit.CreateAsync("routing_scale");
        var advocates = new List<Guid>();
        for (var i = 0; i < 8; i++)
        {
            advocates.Add(await kit.AdvocateAsync(capacity: total));
        }
        var processes = new List<IntakeProcess>();
        try
        {
            foreach (var role in new[] { "Web", "Web", "Worker", "Worker" })
            {
                var settings = kit.Settings(fixture);
                settings["Intake:Role"] = role;
                settings["Routing:ReconcileAfter"] = "00:00:30"; // retries and the reconciler may help; neither may duplicate
                settings["Routing:SweepInterval"] = "00:00:05";
                processes.Add(IntakeProcess.Start(settings));
            }
            await Task.WhenAll(processes.Select(p => p.WaitUntilHealthyAsync(TimeSpan.FromSeconds(90))));
            var webs = processes.Take(2).Select(p => new HttpClient { BaseAddress = p.BaseAddress, Timeout = TimeSpan.FromSeconds(60) }).ToList();

            var clock = Stopwatch.StartNew();
            var next = -1;
            var refused = 0;
            await Task.WhenAll(Enumerable.Range(0, 12).Select(async worker =>
            {
                var client = webs[worker % webs.Count];
                while (Interlocked.Increment(ref next) < total)
                {
                    var response = await kit.SubmitAsync(client, "scale-out testimony");
                    if (response.StatusCode != HttpStatusCode.Created)
                    {
                        Interlocked.Increment(ref refused);
                    }
                }
            }));
            Assert.Equal(0, refused);
            Assert.Equal(total, await kit.CasesAsync());

            await RoutingWebKit.EventuallyAsync(async () => await kit.AssignedCasesAsync() == total, TimeSpan.FromSeconds(120),
                async () => $"{await kit.AssignedCasesAsync()} of {total} assigned after {clock.Elapsed}");
            Assert.Equal(0, await kit.DoublyAssignedAsync());
            Assert.Equal(total, await kit.ScalarAsync("SELECT count(*) FROM intake.case_assignments"));
            Assert.Equal(total, await kit.ScalarAsync("SELECT count(*) FROM intake.ledger_entries WHERE kind = 6"));
            Assert.Equal(0, await kit.ScalarAsync("SELECT count(*) FROM intake.routing_waiting"));
            // Least-loaded with equal capacity spreads the cases evenly: concurrent decisions in two
            // workers read the same loads and may pick the same advocate, so allow 10% of the mean.
            var loads = new List<long>();
            foreach (var advocate in advocates)
            {
                loads.Add(await kit.ScalarAsync("SELECT count(*) FROM intake.case_assignments WHERE advocate_id = @a", ("a", advocate)));
            }
            Assert.True(loads.Max() - loads.Min() <= Math.Max(8, total / advocates.Count / 10), $"uneven loads: {string.Join(", ", loads)}");
            foreach (var web in webs)
            {
                web.Dispose();
            }
        }
        finally
        {
            foreach (var process in processes)
            {
                await process.DisposeAsync();
            }
        }
    }
}
