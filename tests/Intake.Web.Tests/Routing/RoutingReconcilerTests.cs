using System.Net;
using Intake.Storage.Routing;
using Intake.Web.Routing;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Intake.Web.Tests.Routing;

[Collection(WebCollection.Name)]
public sealed class RoutingReconcilerTests(WebFixture fixture)
{
    private sealed class ManualTime(DateTimeOffset start) : TimeProvider
    {
        private DateTimeOffset _now = start;

        public override DateTimeOffset GetUtcNow() => _now;

        public void Advance(TimeSpan by) => _now += by;
    }

    [Fact]
    public async Task An_unannounced_case_is_republished_only_after_the_configured_delay_and_one_sweep_runs_at_a_time()
    {
        await using var kit = await RoutingWebKit.CreateAsync("routing_reconcile");
        await kit.AdvocateAsync();
        var settings = kit.Settings(fixture);
        settings["Routing:ReconcilerEnabled"] = "false"; // this test drives its own reconciler
        await using var factory = fixture.Factory(settings);
        using var client = factory.CreateClient();
        await HealthTests.WaitForHealthAsync(client, HttpStatusCode.OK, TimeSpan.FromSeconds(30));
        var services = factory.Services;
        var time = new ManualTime(DateTimeOffset.UtcNow);
        var options = Options.Create(new RoutingOptions { ReconcileAfter = TimeSpan.FromMinutes(2) });
        var reconciler = new RoutingReconciler(services.GetRequiredService<NpgsqlDataSource>(), services.GetRequiredService<AssignmentStore>(),
            services.GetRequiredService<CaseRouter>(), services.GetRequiredService<IBus>(), options, time, NullLogger<RoutingReconciler>.Instance);
        var caseId = await RoutingFaultTests.CommitWithoutPublishingAsync(services, kit);

        Assert.Equal(0, (await reconciler.SweepOnceAsync()).Republished); // first seen unrouted
        time.Advance(TimeSpan.FromSeconds(119));
        Assert.Equal(0, (await reconciler.SweepOnceAsync()).Republished);
        Assert.Equal(0, await kit.AssignedCasesAsync());

        // Another worker holding the sweep lock: this one skips its turn.
        await using (var other = await kit.App.OpenConnectionAsync())
        {
            await using (var take = new NpgsqlCommand($"SELECT pg_advisory_lock({RoutingReconciler.SweepLock})", other))
            {
                await take.ExecuteNonQueryAsync();
            }
            time.Advance(TimeSpan.FromSeconds(2));
            var skipped = await reconciler.SweepOnceAsync();
            Assert.False(skipped.Ran);
            Assert.Equal(0, skipped.Republished);
            await using var release = new NpgsqlCommand($"SELECT pg_advisory_unlock({RoutingReconciler.SweepLock})", other);
            await release.ExecuteNonQueryAsync();
        }

        var swept = await reconciler.SweepOnceAsync();
        Assert.True(swept.Ran);
        Assert.Equal(1, swept.Republished);
        await RoutingWebKit.EventuallyAsync(async () => await kit.AssignedCasesAsync() == 1, TimeSpan.FromSeconds(60),
            () => Task.FromResult("the republished case was not routed"));
        Assert.Equal(0, (await reconciler.SweepOnceAsync()).Republished); // routed: nothing left to announce
        Assert.Equal(1, await kit.ScalarAsync("SELECT count(*) FROM intake.case_assignments WHERE case_id = @c", ("c", caseId)));
        // Pooled connections are not reset (HostingExtensions): each sweep must have released its lock itself.
        Assert.Equal(0, await kit.ScalarAsync(
            "SELECT count(*) FROM pg_locks l JOIN pg_database d ON d.oid = l.database WHERE l.locktype = 'advisory' AND d.datname = current_database()"));
    }
}
