using Intake.Core.Contracts;
using Intake.Storage.Routing;
using MassTransit;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Intake.Web.Routing;

/// <summary>
/// Repairs what messages cannot: a case committed but never announced (the process died between
/// commit and publish, or RabbitMQ was down) is announced again; waiting cases are retried (an
/// advocate may have joined or freed capacity); assignments not opened in time are reassigned.
/// </summary>
/// <remarks>
/// Runs on worker processes. One sweep at a time across all of them: a sweep holds a PostgreSQL
/// transaction-level advisory lock and a process that cannot take it skips its turn. How long a case has been
/// unrouted is measured in this process's memory (first seen unrouted at sweep time), so no
/// precise time is stored for a survivor's case; after a restart the clock starts again.
/// </remarks>
public sealed class RoutingReconciler(
    NpgsqlDataSource dataSource,
    AssignmentStore assignments,
    CaseRouter router,
    IBus bus,
    IOptions<RoutingOptions> options,
    TimeProvider time,
    ILogger<RoutingReconciler> logger) : BackgroundService
{
    /// <summary>Advisory lock key for sweeps ("routing" in ASCII).</summary>
    public const long SweepLock = 0x726f7574696e67;

    private readonly Dictionary<Guid, DateTimeOffset> _firstSeenUnrouted = [];

    /// <summary>What one sweep did, for tests and the log.</summary>
    public sealed record SweepReport(bool Ran, int Republished, int WaitingRetried, int WaitingAssigned, int Reassigned);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.ReconcilerEnabled)
        {
            return;
        }
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(options.Value.SweepInterval, time, stoppingToken);
                await SweepOnceAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is NpgsqlException or TimeoutException or InvalidOperationException or MassTransitException)
            {
                logger.LogWarning("Routing sweep failed and will run again: {Reason}", ex.Message);
            }
        }
    }

    public async Task<SweepReport> SweepOnceAsync(CancellationToken cancellationToken = default)
    {
        var settings = options.Value;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        // A transaction-level lock, held while the sweep runs: however the sweep ends, the transaction
        // ends with it (rolled back at the latest when the connection returns to the pool), and so does
        // the lock. Pooled connections are not reset (HostingExtensions), so a session-level lock could
        // outlive a sweep that failed halfway and stop every later sweep.
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var take = new NpgsqlCommand("SELECT pg_try_advisory_xact_lock(@key)", connection, transaction))
        {
            take.Parameters.AddWithValue("key", SweepLock);
            if (await take.ExecuteScalarAsync(cancellationToken) is not true)
            {
                return new SweepReport(false, 0, 0, 0, 0);
            }
        }
        var reassigned = 0;
        foreach (var overdue in await assignments.FindNotOpenedAsync(settings.NotOpenedWithin, settings.SweepBatch, cancellationToken))
        {
            var outcome = await router.ReassignAsync(overdue, CaseRouter.NotOpened, cancellationToken);
            if (outcome.Result != RoutingResult.Nothing)
            {
                reassigned++;
                await PublishQuietlyAsync(() => RoutingEvents.PublishAsync(bus, outcome, logger, overdue.AdvocateId, CaseRouter.NotOpened), cancellationToken);
            }
        }

        int waitingRetried = 0, waitingAssigned = 0;
        foreach (var caseId in await assignments.FindWaitingAsync(settings.SweepBatch, cancellationToken))
        {
            waitingRetried++;
            var outcome = await router.RouteAsync(caseId, cancellationToken);
            if (outcome.Result == RoutingResult.Assigned)
            {
                waitingAssigned++;
                await PublishQuietlyAsync(() => RoutingEvents.PublishAsync(bus, outcome, logger), cancellationToken);
            }
        }

        var now = time.GetUtcNow();
        var unrouted = await assignments.FindUnroutedAsync(settings.SweepBatch, cancellationToken);
        var current = unrouted.Select(u => u.CaseId).ToHashSet();
        foreach (var gone in _firstSeenUnrouted.Keys.Where(id => !current.Contains(id)).ToList())
        {
            _firstSeenUnrouted.Remove(gone);
        }
        var republished = 0;
        foreach (var (caseId, channel) in unrouted)
        {
            if (!_firstSeenUnrouted.TryGetValue(caseId, out var firstSeen))
            {
                _firstSeenUnrouted[caseId] = now;
                continue;
            }
            if (now - firstSeen < settings.ReconcileAfter)
            {
                continue;
            }
            if (!await PublishQuietlyAsync(() => bus.Publish(new TestimonySubmitted(caseId, channel), cancellationToken), cancellationToken))
            {
                break; // RabbitMQ is away; the next sweep tries again
            }
            _firstSeenUnrouted[caseId] = now; // if it is still unrouted after another delay, announce it again
            republished++;
        }
        if (republished + reassigned + waitingAssigned > 0)
        {
            logger.LogInformation("Routing sweep: {Republished} announced again, {Reassigned} reassigned, {Assigned} of {Waiting} waiting assigned.",
                republished, reassigned, waitingAssigned, waitingRetried);
        }
        await transaction.CommitAsync(CancellationToken.None); // nothing was written on it: this only ends it and frees the lock
        return new SweepReport(true, republished, waitingRetried, waitingAssigned, reassigned);
    }

    private async Task<bool> PublishQuietlyAsync(Func<Task> publish, CancellationToken cancellationToken)
    {
        try
        {
            await publish().WaitAsync(TimeSpan.FromSeconds(5), cancellationToken);
            return true;
        }
        catch (Exception ex) when (ex is TimeoutException or MassTransitException or RabbitMQ.Client.Exceptions.BrokerUnreachableException)
        {
            logger.LogWarning("Routing sweep could not publish ({Reason}); the next sweep tries again.", ex.GetType().Name);
            return false;
        }
    }
}
