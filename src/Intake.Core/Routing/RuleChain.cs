namespace Intake.Core.Routing;

/// <summary>
/// The routing rules, applied in order: each removes the advocates it does not admit. Among those
/// left, the least loaded is chosen; ties go to whoever was assigned least recently, so equal
/// advocates take turns. Pure: no database, no clock; docs/routing.md explains each rule.
/// </summary>
public sealed class RuleChain
{
    /// <summary>The chain every case goes through, in order.</summary>
    public static RuleChain Standard { get; } = new(
    [
        new(RuleNames.Active, (_, a) => a.Active),
        new(RuleNames.Channel, (c, a) => a.Channels.Contains(c.Channel, StringComparer.Ordinal)),
        new(RuleNames.PassedOver, (c, a) => !c.PassedOver.Contains(a.AdvocateId)),
        new(RuleNames.Language, (c, a) => c.Language is null || a.Languages.Contains(c.Language, StringComparer.Ordinal)),
        new(RuleNames.Region, (c, a) => c.Region is null || a.Regions.Count == 0 || a.Regions.Contains(c.Region, StringComparer.Ordinal)),
        new(RuleNames.ConflictOfInterest, (c, a) => !a.Affiliations.Any(o => c.ExcludedOrganisations.Contains(o, StringComparer.Ordinal))),
        new(RuleNames.Capacity, (_, a) => a.OpenCases < a.Capacity),
    ]);

    public RuleChain(IReadOnlyList<RoutingRule> rules) => Rules = rules;

    public IReadOnlyList<RoutingRule> Rules { get; }

    /// <summary>The chain as an admin reads it: each rule's name and explanation, then how the one advocate is picked.</summary>
    public IReadOnlyList<(string Name, string Explanation)> Describe(string language = "en") =>
    [
        .. Rules.Select(r => (r.Name, r.Explanation(language))),
        (RuleNames.LeastLoaded, RoutingText.Get($"rule.{RuleNames.LeastLoaded}", language)),
        (RuleNames.LeastRecentlyAssigned, RoutingText.Get($"rule.{RuleNames.LeastRecentlyAssigned}", language)),
    ];

    public RoutingDecision Decide(RoutingCase routingCase, IReadOnlyCollection<AdvocateCandidate> advocates)
    {
        ArgumentNullException.ThrowIfNull(routingCase);
        ArgumentNullException.ThrowIfNull(advocates);
        if (advocates.Count == 0)
        {
            return new RoutingDecision(null, null, RuleNames.NoAdvocates, []);
        }
        var left = advocates.ToList();
        var steps = new List<RuleStep>(Rules.Count);
        string? lastRemover = null;
        foreach (var rule in Rules)
        {
            var removed = new List<Guid>();
            left.RemoveAll(a =>
            {
                if (rule.Admits(routingCase, a))
                {
                    return false;
                }
                removed.Add(a.AdvocateId);
                return true;
            });
            steps.Add(new RuleStep(rule.Name, removed));
            if (removed.Count > 0)
            {
                lastRemover = rule.Name;
            }
            if (left.Count == 0)
            {
                return new RoutingDecision(null, null, lastRemover, steps);
            }
        }
        if (left.Count == 1)
        {
            return new RoutingDecision(left[0].AdvocateId, RuleNames.OnlyEligible, null, steps);
        }
        var ordered = left
            .OrderBy(a => a.OpenCases + a.Pending)
            .ThenBy(a => a.LastAssignedSequence ?? -1) // never assigned goes first
            .ThenBy(a => a.AdvocateId)
            .ToList();
        var chosen = ordered[0];
        var chosenBy = ordered[1].OpenCases + ordered[1].Pending > chosen.OpenCases + chosen.Pending ? RuleNames.LeastLoaded : RuleNames.LeastRecentlyAssigned;
        return new RoutingDecision(chosen.AdvocateId, chosenBy, null, steps);
    }
}
