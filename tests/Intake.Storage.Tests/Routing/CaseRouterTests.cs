using System.Text.Json;
using Intake.Core.Contracts;
using Intake.Core.Ledger;
using Intake.Core.Routing;
using Intake.Storage.Routing;

namespace Intake.Storage.Tests.Routing;

public sealed class CaseRouterTests
{
    [Fact]
    public async Task A_case_is_assigned_with_a_ledger_entry_naming_case_advocate_and_rule_and_hour_granular_times()
    {
        await using var bed = await RoutingTestBed.CreateAsync("routing_assign");
        var advocate = await bed.AdvocateAsync();
        var caseId = await bed.SubmitAsync(new RoutingHints("zh"));

        var outcome = await bed.Router.RouteAsync(caseId);

        Assert.Equal(RoutingResult.Assigned, outcome.Result);
        Assert.Equal(advocate, outcome.AdvocateId);
        var active = await bed.Assignments.ActiveAsync(caseId);
        Assert.NotNull(active);
        Assert.Equal(new DateTimeOffset(2026, 3, 1, 9, 0, 0, TimeSpan.Zero), active.AssignedAt);
        var entry = (await bed.Db.ReadAllAsync()).Single(r => r.Seq == active.AssignedSequence).Leaf;
        Assert.Equal(LedgerEntryKind.Assignment, entry.Kind);
        Assert.Equal(caseId, entry.CaseId);
        using var metadata = JsonDocument.Parse(entry.Metadata);
        Assert.Equal("case.assigned", metadata.RootElement.GetProperty("action").GetString());
        Assert.Equal(caseId, metadata.RootElement.GetProperty("case").GetGuid());
        Assert.Equal(advocate, metadata.RootElement.GetProperty("advocate").GetGuid());
        Assert.Equal(RuleNames.OnlyEligible, metadata.RootElement.GetProperty("rule").GetString());
        var decision = Assert.Single(await bed.Directory.DecisionsAsync(caseId));
        Assert.Equal(advocate, decision.AdvocateId);
    }

    [Fact]
    public async Task Routing_one_case_many_times_at_once_makes_one_assignment()
    {
        await using var bed = await RoutingTestBed.CreateAsync("routing_dupes");
        await bed.AdvocateAsync();
        await bed.AdvocateAsync();
        var caseId = await bed.SubmitAsync();

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => Task.Run(() => bed.Router.RouteAsync(caseId))));

        Assert.Equal(1, outcomes.Count(o => o.Result == RoutingResult.Assigned));
        Assert.Equal(15, outcomes.Count(o => o.Result == RoutingResult.AlreadyAssigned));
        Assert.Single(outcomes.Select(o => o.AssignmentId).Distinct());
        Assert.Equal(1, await bed.CountAsync("SELECT count(*) FROM intake.case_assignments WHERE case_id = @c", ("c", caseId)));
        Assert.Equal(1, await bed.CountAsync("SELECT count(*) FROM intake.ledger_entries WHERE kind = 6 AND case_id = @c", ("c", caseId)));
    }

    [Fact]
    public async Task Capacity_holds_when_many_cases_are_routed_at_once_and_the_rest_wait()
    {
        await using var bed = await RoutingTestBed.CreateAsync("routing_capacity");
        var a = await bed.AdvocateAsync(capacity: 3);
        var b = await bed.AdvocateAsync(capacity: 3);
        var cases = new List<Guid>();
        for (var i = 0; i < 10; i++)
        {
            cases.Add(await bed.SubmitAsync());
        }

        var outcomes = await Task.WhenAll(cases.Select(c => Task.Run(() => bed.Router.RouteAsync(c))));

        Assert.Equal(6, outcomes.Count(o => o.Result == RoutingResult.Assigned));
        Assert.Equal(4, outcomes.Count(o => o.Result == RoutingResult.Waiting && o.WaitingReason == RuleNames.Capacity));
        Assert.Equal(3, await bed.CountAsync("SELECT count(*) FROM intake.case_assignments WHERE advocate_id = @a", ("a", a)));
        Assert.Equal(3, await bed.CountAsync("SELECT count(*) FROM intake.case_assignments WHERE advocate_id = @b", ("b", b)));
        Assert.Equal(4, (await bed.Directory.WaitingQueueAsync()).Count);
    }

    [Fact]
    public async Task Nobody_eligible_puts_the_case_in_the_visible_queue_and_tells_the_admins_once()
    {
        await using var bed = await RoutingTestBed.CreateAsync("routing_waiting");
        await bed.Directory.SaveAsync(RoutingList.Organisations, new RoutingListItem("org-x", "Org X", "机构X"), "test-admin");
        await bed.AdvocateAsync(affiliations: ["org-x"]);
        var caseId = await bed.SubmitAsync(new RoutingHints("zh", null, ["org-x"]));

        var first = await bed.Router.RouteAsync(caseId);
        var second = await bed.Router.RouteAsync(caseId);

        Assert.Equal(RoutingResult.Waiting, first.Result);
        Assert.True(first.NewlyWaiting);
        Assert.False(second.NewlyWaiting);
        var waiting = Assert.Single(await bed.Directory.WaitingQueueAsync());
        Assert.Equal(caseId, waiting.CaseId);
        Assert.Equal(RuleNames.ConflictOfInterest, waiting.Reason);
        Assert.Equal(2, waiting.Attempts);
        Assert.Equal(TimeSpan.Zero, waiting.Since - RoutingTime.Hour(waiting.Since));
        var notice = Assert.Single(await bed.Notices.ForAdminsAsync());
        Assert.Equal("case_waiting", notice.Kind);
        Assert.Equal(caseId, notice.CaseId);
        Assert.Null(await bed.Assignments.ActiveAsync(caseId));
    }

    [Fact]
    public async Task A_waiting_case_is_assigned_once_an_advocate_joins_or_frees_capacity()
    {
        await using var bed = await RoutingTestBed.CreateAsync("routing_retry");
        var full = await bed.AdvocateAsync(capacity: 0);
        var caseId = await bed.SubmitAsync();
        Assert.Equal(RoutingResult.Waiting, (await bed.Router.RouteAsync(caseId)).Result);

        await bed.Directory.SaveProfileAsync(new AdvocateProfile(full, true, 1, [RoutingTestBed.Channel], ["zh", "en"], [], []), "test-admin");
        var outcome = await bed.Router.RouteAsync(caseId);

        Assert.Equal(RoutingResult.Assigned, outcome.Result);
        Assert.Equal(full, outcome.AdvocateId);
        Assert.Empty(await bed.Directory.WaitingQueueAsync());
    }

    [Fact]
    public async Task An_assignment_not_opened_in_time_goes_to_someone_else_never_back_to_her()
    {
        await using var bed = await RoutingTestBed.CreateAsync("routing_reassign");
        var first = await bed.AdvocateAsync();
        var caseId = await bed.SubmitAsync();
        var assigned = await bed.Router.RouteAsync(caseId);
        Assert.Equal(first, assigned.AdvocateId);
        var second = await bed.AdvocateAsync(); // less recently assigned, equally loaded after the hand-back

        bed.Time.Advance(TimeSpan.FromHours(47));
        Assert.Empty(await bed.Assignments.FindNotOpenedAsync(TimeSpan.FromHours(48), 10));
        bed.Time.Advance(TimeSpan.FromHours(2));
        var overdue = Assert.Single(await bed.Assignments.FindNotOpenedAsync(TimeSpan.FromHours(48), 10));
        var outcome = await bed.Router.ReassignAsync(overdue);

        Assert.Equal(RoutingResult.Assigned, outcome.Result);
        Assert.Equal(second, outcome.AdvocateId);
        Assert.Equal(1, await bed.CountAsync(
            "SELECT count(*) FROM intake.case_assignments WHERE case_id = @c AND advocate_id = @a AND end_reason = 'not_opened' AND ended_at IS NOT NULL",
            ("c", caseId), ("a", first)));
        var entries = (await bed.Db.ReadAllAsync()).Where(r => r.Leaf.Kind == LedgerEntryKind.Assignment && r.Leaf.CaseId == caseId).ToList();
        Assert.Equal(2, entries.Count);
        using var metadata = JsonDocument.Parse(entries[1].Leaf.Metadata);
        Assert.Equal("case.reassigned", metadata.RootElement.GetProperty("action").GetString());
        Assert.Equal(first, metadata.RootElement.GetProperty("from").GetGuid());
        Assert.Equal(second, metadata.RootElement.GetProperty("advocate").GetGuid());
        Assert.Contains(await bed.Notices.ForAdvocateAsync(first), n => n.Kind == "case_taken_back" && n.CaseId == caseId);

        // A second round: the first advocate stays excluded; nobody else is left, so the case waits.
        bed.Time.Advance(TimeSpan.FromHours(49));
        var again = Assert.Single(await bed.Assignments.FindNotOpenedAsync(TimeSpan.FromHours(48), 10));
        var waiting = await bed.Router.ReassignAsync(again);
        Assert.Equal(RoutingResult.Waiting, waiting.Result);
        Assert.Equal(RuleNames.PassedOver, waiting.WaitingReason);
        Assert.Null(await bed.Assignments.ActiveAsync(caseId));
        Assert.Equal(caseId, Assert.Single(await bed.Directory.WaitingQueueAsync()).CaseId);
    }

    [Fact]
    public async Task An_opened_assignment_is_never_reassigned_and_only_the_assignee_can_mark_it_opened()
    {
        await using var bed = await RoutingTestBed.CreateAsync("routing_opened");
        var advocate = await bed.AdvocateAsync();
        await bed.AdvocateAsync(capacity: 0);
        var caseId = await bed.SubmitAsync();
        await bed.Router.RouteAsync(caseId);

        Assert.False(await bed.Assignments.MarkOpenedAsync(caseId, Guid.NewGuid()));
        bed.Time.Advance(TimeSpan.FromMinutes(30));
        Assert.True(await bed.Assignments.MarkOpenedAsync(caseId, advocate));
        bed.Time.Advance(TimeSpan.FromDays(5));
        Assert.True(await bed.Assignments.MarkOpenedAsync(caseId, advocate)); // the first opening stays

        Assert.Empty(await bed.Assignments.FindNotOpenedAsync(TimeSpan.FromHours(48), 10));
        var active = await bed.Assignments.ActiveAsync(caseId);
        Assert.Equal(new DateTimeOffset(2026, 3, 1, 10, 0, 0, TimeSpan.Zero), active!.OpenedAt);
    }

    [Fact]
    public async Task A_withdrawn_case_is_not_routed_and_its_purge_leaves_no_routing_rows()
    {
        await using var bed = await RoutingTestBed.CreateAsync("routing_purge");
        await bed.Directory.SaveAsync(RoutingList.Regions, new RoutingListItem("south", "South", "南方"), "test-admin");
        var advocate = await bed.AdvocateAsync(email: "advocate@example.org");
        var caseId = await bed.SubmitAsync(new RoutingHints("en", "south", []));
        var outcome = await bed.Router.RouteAsync(caseId);
        await bed.Notices.NotifyAdvocateAsync(advocate, "case_assigned", caseId, outcome.AssignmentId!.Value);
        await bed.Directory.RecordFaultAsync(Guid.NewGuid(), "CaseAssigned", caseId, "System.Exception", bed.Time.GetUtcNow());
        var waitingCase = await bed.SubmitAsync();
        await bed.Directory.SaveProfileAsync(new AdvocateProfile(advocate, true, 1, [RoutingTestBed.Channel], ["zh", "en"], [], []), "test-admin");
        Assert.Equal(RoutingResult.Waiting, (await bed.Router.RouteAsync(waitingCase)).Result);
        Assert.True(await bed.CountAsync("SELECT count(*) FROM intake.case_routing WHERE case_id = @c", ("c", caseId)) == 1);

        var purger = new Intake.Storage.Ledger.LedgerPurger(bed.Writer, bed.Db.App, bed.Db.Purger);
        var cases = new Intake.Storage.Cases.CaseStore(bed.Db.App, bed.Uploads, bed.Writer, purger, bed.Db.Purger,
            new Intake.Storage.Retention.LegalHoldStore(bed.Db.App, bed.Writer, TimeProvider.System));
        await cases.WithdrawAsync(caseId);
        await cases.WithdrawAsync(waitingCase);

        foreach (var table in new[] { "case_assignments", "case_routing", "routing_decisions", "routing_waiting", "staff_notifications", "routing_faults" })
        {
            Assert.Equal(0, await bed.CountAsync($"SELECT count(*) FROM intake.{table} WHERE case_id = ANY(@c)", ("c", new[] { caseId, waitingCase })));
        }
        Assert.Equal(RoutingResult.Nothing, (await bed.Router.RouteAsync(caseId)).Result);
        // The ledger keeps the assignment entry (ids and the rule), as an audit needs.
        Assert.Equal(1, await bed.CountAsync("SELECT count(*) FROM intake.ledger_entries WHERE kind = 6 AND case_id = @c", ("c", caseId)));
    }

    [Fact]
    public async Task Hints_given_with_a_submission_are_stored_with_the_case_and_steer_routing()
    {
        await using var bed = await RoutingTestBed.CreateAsync("routing_hints");
        await bed.Directory.SaveAsync(RoutingList.Regions, new RoutingListItem("north", "North", "北方"), "test-admin");
        await bed.Directory.SaveAsync(RoutingList.Organisations, new RoutingListItem("org-a", "Org A", "机构A"), "test-admin");
        var conflicted = await bed.AdvocateAsync(affiliations: ["org-a"]);
        var english = await bed.AdvocateAsync(languages: ["en"]);
        var right = await bed.AdvocateAsync(languages: ["zh"], regions: ["north"], capacity: 5);
        var caseId = await bed.SubmitAsync(new RoutingHints("zh", "north", ["org-a"]));

        var state = await bed.Assignments.LoadCaseAsync(caseId);
        var outcome = await bed.Router.RouteAsync(caseId);

        Assert.Equal("zh", state!.Case.Language);
        Assert.Equal("north", state.Case.Region);
        Assert.Equal(["org-a"], state.Case.ExcludedOrganisations);
        Assert.Equal(right, outcome.AdvocateId);
        var steps = JsonDocument.Parse(Assert.Single(await bed.Directory.DecisionsAsync(caseId)).StepsJson).RootElement;
        Assert.Contains(steps.EnumerateArray(), s => s.GetProperty("rule").GetString() == RuleNames.ConflictOfInterest
            && s.GetProperty("removed")[0].GetGuid() == conflicted);
        Assert.Contains(steps.EnumerateArray(), s => s.GetProperty("rule").GetString() == RuleNames.Language
            && s.GetProperty("removed")[0].GetGuid() == english);
    }
}
