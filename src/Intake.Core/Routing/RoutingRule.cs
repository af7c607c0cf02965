namespace Intake.Core.Routing;

/// <summary>A filter of the chain: keeps the advocates who may take the case.</summary>
/// <param name="Name">Stable snake_case name, recorded in decisions and the waiting queue.</param>
public sealed record RoutingRule(string Name, Func<RoutingCase, AdvocateCandidate, bool> Admits)
{
    /// <summary>What the rule does, in the admin's language ("en" or "zh").</summary>
    public string Explanation(string language = "en") => RoutingText.Get($"rule.{Name}", language);
}

/// <summary>The rule names, as they appear in decisions, ledger records and waiting reasons.</summary>
public static class RuleNames
{
    public const string Active = "active";
    public const string Channel = "channel_membership";
    public const string PassedOver = "not_passed_over";
    public const string Language = "language";
    public const string Region = "region";
    public const string ConflictOfInterest = "conflict_of_interest";
    public const string Capacity = "capacity";

    // How the one advocate was picked among those left.
    public const string OnlyEligible = "only_eligible";
    public const string LeastLoaded = "least_loaded";
    public const string LeastRecentlyAssigned = "least_recently_assigned";

    /// <summary>Waiting reason when no advocate has a routing profile at all.</summary>
    public const string NoAdvocates = "no_advocates";
}
