namespace Intake.Core.Routing;

/// <summary>What the rules know of a case: its channel and the survivor's routing hints (ids only), and the
/// advocates it was already taken from because they did not open it.</summary>
public sealed record RoutingCase(
    Guid CaseId,
    string Channel,
    string? Language,
    string? Region,
    IReadOnlyCollection<string> ExcludedOrganisations,
    IReadOnlyCollection<Guid> PassedOver);

/// <summary>
/// What the rules know of an advocate: her routing profile and her current load.
/// <paramref name="Regions"/> empty means she takes cases from every region.
/// <paramref name="LastAssignedSequence"/> is the ledger sequence of her latest assignment (null: never assigned);
/// a sequence orders assignments without keeping a precise time. <paramref name="Pending"/> counts assignments to her
/// that are decided but not yet written (in this process); it weighs in the least-loaded choice, never in capacity.
/// </summary>
public sealed record AdvocateCandidate(
    Guid AdvocateId,
    bool Active,
    IReadOnlyCollection<string> Channels,
    IReadOnlyCollection<string> Languages,
    IReadOnlyCollection<string> Regions,
    IReadOnlyCollection<string> Affiliations,
    int Capacity,
    int OpenCases,
    long? LastAssignedSequence,
    int Pending = 0);

/// <summary>One rule of the chain and whom it removed.</summary>
public sealed record RuleStep(string Rule, IReadOnlyList<Guid> Removed);

/// <summary>
/// The outcome of the chain for one case: who was chosen and by which rule, or why the case waits.
/// <see cref="Steps"/> lists, rule by rule, which advocates each rule removed (ids only).
/// </summary>
public sealed record RoutingDecision(Guid? AdvocateId, string? ChosenBy, string? WaitingReason, IReadOnlyList<RuleStep> Steps)
{
    public bool Assigned => AdvocateId is not null;
}
