using Intake.Core.Routing;

namespace Intake.Core.Tests.Routing;

public sealed class RuleChainTests
{
    private static readonly RuleChain Chain = RuleChain.Standard;

    private static RoutingCase Case(string channel = "general", string? language = "zh", string? region = null, string[]? exclude = null, Guid[]? passedOver = null) =>
        new(Guid.NewGuid(), channel, language, region, exclude ?? [], passedOver ?? []);

    private static AdvocateCandidate Advocate(
        int open = 0, int capacity = 10, bool active = true, string[]? channels = null, string[]? languages = null,
        string[]? regions = null, string[]? affiliations = null, long? lastAssigned = null, Guid? id = null) =>
        new(id ?? Guid.NewGuid(), active, channels ?? ["general"], languages ?? ["zh", "en"], regions ?? [], affiliations ?? [], capacity, open, lastAssigned);

    private static IReadOnlyList<Guid> RemovedBy(RoutingDecision decision, string rule) =>
        decision.Steps.Single(s => s.Rule == rule).Removed;

    [Fact]
    public void Inactive_advocates_are_never_chosen()
    {
        var idle = Advocate(active: false, open: 0);
        var busy = Advocate(open: 5);

        var decision = Chain.Decide(Case(), [idle, busy]);

        Assert.Equal(busy.AdvocateId, decision.AdvocateId);
        Assert.Equal([idle.AdvocateId], RemovedBy(decision, RuleNames.Active));
    }

    [Fact]
    public void Only_members_of_the_case_channel_are_eligible()
    {
        var other = Advocate(channels: ["legal"]);
        var member = Advocate(channels: ["legal", "general"], open: 3);

        var decision = Chain.Decide(Case("general"), [other, member]);

        Assert.Equal(member.AdvocateId, decision.AdvocateId);
        Assert.Equal([other.AdvocateId], RemovedBy(decision, RuleNames.Channel));
    }

    [Fact]
    public void The_advocate_must_read_the_survivors_language()
    {
        var english = Advocate(languages: ["en"]);
        var chinese = Advocate(languages: ["zh"], open: 4);

        var decision = Chain.Decide(Case(language: "zh"), [english, chinese]);

        Assert.Equal(chinese.AdvocateId, decision.AdvocateId);
        Assert.Equal([english.AdvocateId], RemovedBy(decision, RuleNames.Language));
    }

    [Fact]
    public void A_case_without_a_language_hint_is_open_to_every_language()
    {
        var english = Advocate(languages: ["en"]);

        var decision = Chain.Decide(Case(language: null), [english]);

        Assert.Equal(english.AdvocateId, decision.AdvocateId);
    }

    [Fact]
    public void A_region_admits_advocates_of_that_region_or_of_every_region()
    {
        var elsewhere = Advocate(regions: ["north"]);
        var here = Advocate(regions: ["south"], open: 2);
        var everywhere = Advocate(regions: [], open: 1);

        var decision = Chain.Decide(Case(region: "south"), [elsewhere, here, everywhere]);

        Assert.Equal(everywhere.AdvocateId, decision.AdvocateId); // least loaded of the two left
        Assert.Equal([elsewhere.AdvocateId], RemovedBy(decision, RuleNames.Region));
    }

    [Fact]
    public void An_advocate_affiliated_with_an_excluded_organisation_never_gets_the_case()
    {
        var conflicted = Advocate(affiliations: ["org-a", "org-b"], open: 0);
        var clear = Advocate(affiliations: ["org-c"], open: 9);

        var decision = Chain.Decide(Case(exclude: ["org-b"]), [conflicted, clear]);

        Assert.Equal(clear.AdvocateId, decision.AdvocateId);
        Assert.Equal([conflicted.AdvocateId], RemovedBy(decision, RuleNames.ConflictOfInterest));
    }

    [Fact]
    public void Advocates_at_capacity_are_skipped_and_zero_capacity_takes_nothing()
    {
        var full = Advocate(open: 3, capacity: 3);
        var none = Advocate(open: 0, capacity: 0);
        var room = Advocate(open: 7, capacity: 8);

        var decision = Chain.Decide(Case(), [full, none, room]);

        Assert.Equal(room.AdvocateId, decision.AdvocateId);
        Assert.Equal(new[] { full.AdvocateId, none.AdvocateId }.Order(), RemovedBy(decision, RuleNames.Capacity).Order());
    }

    [Fact]
    public void The_least_loaded_advocate_is_chosen()
    {
        var two = Advocate(open: 2);
        var one = Advocate(open: 1);
        var three = Advocate(open: 3);

        var decision = Chain.Decide(Case(), [two, one, three]);

        Assert.Equal(one.AdvocateId, decision.AdvocateId);
        Assert.Equal(RuleNames.LeastLoaded, decision.ChosenBy);
    }

    [Fact]
    public void Equal_load_goes_to_whoever_was_assigned_least_recently_and_never_assigned_goes_first()
    {
        var recent = Advocate(open: 1, lastAssigned: 90);
        var earlier = Advocate(open: 1, lastAssigned: 40);
        Assert.Equal(earlier.AdvocateId, Chain.Decide(Case(), [recent, earlier]).AdvocateId);

        var never = Advocate(open: 1, lastAssigned: null);
        var decision = Chain.Decide(Case(), [recent, earlier, never]);
        Assert.Equal(never.AdvocateId, decision.AdvocateId);
        Assert.Equal(RuleNames.LeastRecentlyAssigned, decision.ChosenBy);
    }

    [Fact]
    public void Equal_advocates_take_turns_over_many_cases()
    {
        var advocates = Enumerable.Range(0, 3).Select(_ => Advocate(capacity: 100)).ToList();
        var counts = advocates.ToDictionary(a => a.AdvocateId, _ => 0);
        for (long seq = 1; seq <= 30; seq++)
        {
            var chosen = Chain.Decide(Case(), advocates).AdvocateId!.Value;
            counts[chosen]++;
            advocates = advocates.Select(a => a.AdvocateId == chosen ? a with { OpenCases = a.OpenCases + 1, LastAssignedSequence = seq } : a).ToList();
        }

        Assert.All(counts.Values, c => Assert.Equal(10, c));
    }

    [Fact]
    public void An_advocate_the_case_was_taken_from_is_not_chosen_again()
    {
        var passed = Advocate(open: 0);
        var other = Advocate(open: 5);

        var decision = Chain.Decide(Case(passedOver: [passed.AdvocateId]), [passed, other]);

        Assert.Equal(other.AdvocateId, decision.AdvocateId);
        Assert.Equal([passed.AdvocateId], RemovedBy(decision, RuleNames.PassedOver));
    }

    [Fact]
    public void The_rules_combine_and_the_decision_records_who_each_rule_removed()
    {
        var inactive = Advocate(active: false);
        var wrongChannel = Advocate(channels: ["legal"]);
        var english = Advocate(languages: ["en"]);
        var north = Advocate(regions: ["north"]);
        var conflicted = Advocate(affiliations: ["org-x"]);
        var full = Advocate(open: 2, capacity: 2);
        var loaded = Advocate(open: 4, regions: ["south"], affiliations: ["org-y"]);
        var light = Advocate(open: 1);

        var decision = Chain.Decide(Case(language: "zh", region: "south", exclude: ["org-x"]),
            [inactive, wrongChannel, english, north, conflicted, full, loaded, light]);

        Assert.Equal(light.AdvocateId, decision.AdvocateId);
        Assert.Equal(RuleNames.LeastLoaded, decision.ChosenBy);
        Assert.Null(decision.WaitingReason);
        Assert.Equal([inactive.AdvocateId], RemovedBy(decision, RuleNames.Active));
        Assert.Equal([wrongChannel.AdvocateId], RemovedBy(decision, RuleNames.Channel));
        Assert.Equal([english.AdvocateId], RemovedBy(decision, RuleNames.Language));
        Assert.Equal([north.AdvocateId], RemovedBy(decision, RuleNames.Region));
        Assert.Equal([conflicted.AdvocateId], RemovedBy(decision, RuleNames.ConflictOfInterest));
        Assert.Equal([full.AdvocateId], RemovedBy(decision, RuleNames.Capacity));
        Assert.Equal(Chain.Rules.Select(r => r.Name), decision.Steps.Select(s => s.Rule));
    }

    [Fact]
    public void Nobody_eligible_gives_no_advocate_and_names_the_rule_that_removed_the_last()
    {
        var conflicted = Advocate(affiliations: ["org-x"]);
        var english = Advocate(languages: ["en"]);

        var decision = Chain.Decide(Case(language: "zh", exclude: ["org-x"]), [conflicted, english]);

        Assert.False(decision.Assigned);
        Assert.Null(decision.AdvocateId);
        Assert.Equal(RuleNames.ConflictOfInterest, decision.WaitingReason);
    }

    [Fact]
    public void Everyone_full_waits_for_capacity_and_no_profiles_at_all_waits_for_advocates()
    {
        Assert.Equal(RuleNames.Capacity, Chain.Decide(Case(), [Advocate(open: 1, capacity: 1)]).WaitingReason);
        Assert.Equal(RuleNames.NoAdvocates, Chain.Decide(Case(), []).WaitingReason);
    }

    [Fact]
    public void Only_one_left_is_recorded_as_such()
    {
        var only = Advocate();

        var decision = Chain.Decide(Case(), [only, Advocate(active: false)]);

        Assert.Equal(only.AdvocateId, decision.AdvocateId);
        Assert.Equal(RuleNames.OnlyEligible, decision.ChosenBy);
    }

    [Fact]
    public void Admins_can_read_every_rule_with_an_explanation_in_English_and_Chinese()
    {
        var english = Chain.Describe("en");
        var chinese = Chain.Describe("zh");

        Assert.Equal(english.Select(r => r.Name), chinese.Select(r => r.Name));
        Assert.Contains(english, r => r.Name == RuleNames.ConflictOfInterest && r.Explanation.Contains("organisation", StringComparison.Ordinal));
        Assert.Contains(chinese, r => r.Name == RuleNames.ConflictOfInterest && r.Explanation.Contains("机构", StringComparison.Ordinal));
        Assert.All(english.Concat(chinese), r => Assert.NotEqual($"rule.{r.Name}", r.Explanation));
        Assert.Equal(Chain.Rules.Count + 2, english.Count);
    }

    [Fact]
    public void Decided_but_unwritten_assignments_count_for_the_least_loaded_choice_but_not_for_capacity()
    {
        var busyInFlight = Advocate(open: 1, capacity: 2, id: Guid.NewGuid()) with { Pending = 3 };
        var other = Advocate(open: 2, capacity: 10);

        Assert.Equal(other.AdvocateId, Chain.Decide(Case(), [busyInFlight, other]).AdvocateId);
        Assert.Equal(busyInFlight.AdvocateId, Chain.Decide(Case(), [busyInFlight]).AdvocateId); // pending never blocks by capacity
    }
}
