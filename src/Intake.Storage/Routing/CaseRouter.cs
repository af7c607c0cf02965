using Intake.Core.Routing;
using Microsoft.Extensions.Logging;

namespace Intake.Storage.Routing;

public enum RoutingResult
{
    /// <summary>A new assignment was made.</summary>
    Assigned,

    /// <summary>The case already had an assignee (a duplicate or redelivered message): nothing changed.</summary>
    AlreadyAssigned,

    /// <summary>Nobody is eligible: the case is in the waiting queue.</summary>
    Waiting,

    /// <summary>The case was withdrawn, purged or closed, or the assignment to end changed meanwhile.</summary>
    Nothing,
}

/// <summary>What routing did. <see cref="NewlyWaiting"/> is true only the first time a case enters the queue.</summary>
public sealed record RoutingOutcome(
    RoutingResult Result, Guid CaseId, Guid? AdvocateId = null, Guid? AssignmentId = null, string? Rule = null,
    string? WaitingReason = null, bool NewlyWaiting = false, RoutingDecision? Decision = null);

/// <summary>
/// Routes one case: reads it and the advocates, lets the <see cref="RuleChain"/> decide, and
/// writes the outcome. Safe to call any number of times for the same case, from any process.
/// A decision made on data that changed before it was written is made again (a few times at
/// most; then the caller's retry takes over).
/// </summary>
public sealed class CaseRouter(AssignmentStore store, ILogger<CaseRouter> logger)
{
    public const string NotOpened = "not_opened";
    public const string HandedOver = "handed_over";
    private const int Attempts = 5;

    // Decisions made in this process but not yet written. Concurrent decisions read the same loads
    // and would all pick the same least-loaded advocate; counting these spreads them.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<Guid, int> _pending = new();

    public RuleChain Chain { get; init; } = RuleChain.Standard;

    private async Task<RoutingDecision> DecideAsync(RoutingCase routingCase, CancellationToken cancellationToken)
    {
        var candidates = (await store.LoadCandidatesAsync(cancellationToken))
            .Select(c => _pending.TryGetValue(c.AdvocateId, out var pending) ? c with { Pending = pending } : c)
            .ToList();
        var decision = Chain.Decide(routingCase, candidates);
        if (decision.AdvocateId is { } chosen)
        {
            _pending.AddOrUpdate(chosen, 1, (_, n) => n + 1);
        }
        return decision;
    }

    private void Written(RoutingDecision decision)
    {
        if (decision.AdvocateId is { } chosen)
        {
            _pending.AddOrUpdate(chosen, 0, (_, n) => Math.Max(0, n - 1));
        }
    }

    public async Task<RoutingOutcome> RouteAsync(Guid caseId, CancellationToken cancellationToken = default)
    {
        for (var attempt = 1; ; attempt++)
        {
            var state = await store.LoadCaseAsync(caseId, cancellationToken);
            if (state is null || state.Status is "withdrawn" or "closed")
            {
                return new RoutingOutcome(RoutingResult.Nothing, caseId);
            }
            if (state.Active is { } active)
            {
                if (state.Waiting)
                {
                    await store.ClearWaitingAsync(caseId, cancellationToken);
                }
                return new RoutingOutcome(RoutingResult.AlreadyAssigned, caseId, active.AdvocateId, active.Id);
            }
            var decision = await DecideAsync(state.Case, cancellationToken);
            if (!decision.Assigned)
            {
                var newly = await store.WaitAsync(caseId, decision, cancellationToken);
                return new RoutingOutcome(RoutingResult.Waiting, caseId, WaitingReason: decision.WaitingReason, NewlyWaiting: newly, Decision: decision);
            }
            try
            {
                var (assignment, _) = await store.AssignAsync(state.Case, decision, cancellationToken: cancellationToken);
                return new RoutingOutcome(RoutingResult.Assigned, caseId, decision.AdvocateId, assignment, decision.ChosenBy, Decision: decision);
            }
            catch (CaseAlreadyAssignedException)
            {
                continue; // read it again and report the assignee
            }
            catch (RoutingCaseGoneException)
            {
                return new RoutingOutcome(RoutingResult.Nothing, caseId);
            }
            catch (RoutingStaleException) when (attempt < Attempts)
            {
                logger.LogDebug("Routing decision was stale; deciding again (attempt {Attempt}).", attempt);
            }
            finally
            {
                Written(decision);
            }
        }
    }

    /// <summary>
    /// Takes a case from an advocate who did not open it in time and routes it to someone else,
    /// never back to her; if nobody else is eligible, the case waits. One ledger entry either way.
    /// </summary>
    public async Task<RoutingOutcome> ReassignAsync(OverdueAssignment overdue, string reason = NotOpened, CancellationToken cancellationToken = default)
    {
        for (var attempt = 1; ; attempt++)
        {
            var state = await store.LoadCaseAsync(overdue.CaseId, cancellationToken);
            if (state is null || state.Active?.Id != overdue.Id || state.Active.OpenedAt is not null)
            {
                return new RoutingOutcome(RoutingResult.Nothing, overdue.CaseId);
            }
            var routingCase = state.Case with { PassedOver = [.. state.Case.PassedOver, overdue.AdvocateId] };
            var decision = await DecideAsync(routingCase, cancellationToken);
            try
            {
                if (!decision.Assigned)
                {
                    await store.UnassignToWaitingAsync(routingCase, overdue, reason, decision, cancellationToken);
                    return new RoutingOutcome(RoutingResult.Waiting, overdue.CaseId, WaitingReason: decision.WaitingReason, NewlyWaiting: true, Decision: decision);
                }
                var (assignment, _) = await store.AssignAsync(routingCase, decision, (overdue, reason), cancellationToken);
                return new RoutingOutcome(RoutingResult.Assigned, overdue.CaseId, decision.AdvocateId, assignment, decision.ChosenBy, Decision: decision);
            }
            catch (RoutingCaseGoneException)
            {
                return new RoutingOutcome(RoutingResult.Nothing, overdue.CaseId);
            }
            catch (RoutingStaleException) when (attempt < Attempts)
            {
                logger.LogDebug("Reassignment decision was stale; deciding again (attempt {Attempt}).", attempt);
            }
            finally
            {
                Written(decision);
            }
        }
    }

    /// <summary>
    /// The assigned advocate hands her case to a colleague she chose. The colleague must be
    /// eligible as routing sees it (active, serving the channel, with room); the assignment
    /// changes hands in one ledger entry.
    /// </summary>
    /// <exception cref="RoutingStaleException">The colleague is not eligible or has no room, or the case changed meanwhile.</exception>
    /// <exception cref="RoutingCaseGoneException">The case was withdrawn or closed.</exception>
    public async Task<Guid> HandOverAsync(Guid caseId, Guid from, Guid to, CancellationToken cancellationToken = default)
    {
        var state = await store.LoadCaseAsync(caseId, cancellationToken) ?? throw new RoutingCaseGoneException();
        if (state.Active is not { } active || active.AdvocateId != from)
        {
            throw new RoutingStaleException("The case is not assigned to you any more.");
        }
        if (to == from)
        {
            throw new RoutingStaleException("Choose a colleague, not yourself.");
        }
        var decision = new RoutingDecision(to, HandedOver, null, []);
        var (assignment, _) = await store.AssignAsync(state.Case, decision, (new OverdueAssignment(active.Id, caseId, from), HandedOver), cancellationToken);
        return assignment;
    }
}
