using System.Security.Cryptography;
using Intake.Core.Crypto;
using Intake.Core.Ledger;
using Intake.Storage.Cases;
using Intake.Storage.Ledger;
using Intake.Storage.Retention;
using Intake.Storage.Routing;
using Intake.Storage.Tests.Workspace;

namespace Intake.Storage.Tests.Retention;

/// <summary>
/// The retention dashboard's figures as the clock moves forward: cases by policy and state, purges
/// due, overdue until the retention job runs, purges done by reason within the last 30 days, holds.
/// Every read also checks that the daily series add up to the totals they chart.
/// </summary>
public sealed class RetentionDashboardTests
{
    private static readonly Guid Admin = Guid.NewGuid();

    [Fact]
    public async Task A_service_without_cases_shows_the_default_policy_and_zeros()
    {
        await using var bed = await RetentionTestBed.CreateAsync("dashboard_empty");

        var figures = await ReadAsync(bed);

        Assert.Equal(bed.Today, figures.Today);
        Assert.Equal([new PolicyCaseCounts(null, 0, 0, 0, 0)], figures.ByPolicy);
        Assert.Equal((0, 0, 0, 0, 0), (figures.Total, figures.Overdue, figures.DueToday, figures.DueIn7Days, figures.DueIn30Days));
        Assert.Equal((0, 0, 0, 0), (figures.Purged, figures.PurgedByRetention, figures.PurgedWithdrawn, figures.PurgedOther));
        Assert.Equal((0, 0), (figures.ActiveHolds, figures.WaitingRequests));
        Assert.All(figures.DuePerDay.Concat(figures.PurgedPerDay), d => Assert.Equal(0, d.Count));
    }

    [Fact]
    public async Task Cases_are_counted_by_policy_and_state_and_by_how_soon_they_are_due()
    {
        await using var bed = await RetentionTestBed.CreateAsync("dashboard_counts");
        var start = bed.Today;
        await bed.CaseAsync("alpha");
        var opened = await CaseInAsync(bed, "alpha");
        await bed.Assignments.MarkOpenedAsync(opened.CaseId, opened.AdvocateId);
        var closed = await CaseInAsync(bed, "alpha");
        await bed.Workspace.ChangeStatusAsync(closed.CaseId, closed.AdvocateId, "closed");
        await bed.CaseAsync("beta");
        var betaOpened = await CaseInAsync(bed, "beta");
        await bed.Assignments.MarkOpenedAsync(betaOpened.CaseId, betaOpened.AdvocateId);
        await new ChannelDirectory(bed.Db.App, bed.Writer).AddChannelAsync(new Channel("gamma", "Gamma", "丙"), "test");
        await bed.Policies.SetPolicyAsync(new RetentionPolicy("alpha", 5, 20, 3), Admin);
        await bed.Policies.SetPolicyAsync(new RetentionPolicy("gamma", 1, 1, 1), Admin);

        var figures = await ReadAsync(bed);

        // beta follows the default (unread 90, open 365); gamma has a policy and no case.
        Assert.Equal(
            [new PolicyCaseCounts(null, 1, 1, 0, 0), new PolicyCaseCounts("alpha", 1, 1, 1, 0), new PolicyCaseCounts("gamma", 0, 0, 0, 0)],
            figures.ByPolicy);
        Assert.Equal((5, 2, 2, 1, 0), (figures.Total, figures.Unread, figures.Open, figures.Closed, figures.Withdrawn));
        // alpha: closed +3, unread +5, opened +20; beta: +90 and +365.
        Assert.Equal((0, 0, 2, 3), (figures.Overdue, figures.DueToday, figures.DueIn7Days, figures.DueIn30Days));
        Assert.Equal([start.AddDays(3), start.AddDays(5), start.AddDays(20)], figures.DuePerDay.Where(d => d.Count > 0).Select(d => d.Day));
        Assert.All(figures.DuePerDay.Where(d => d.Count > 0), d => Assert.Equal(1, d.Count));

        bed.AdvanceDays(5);
        figures = await ReadAsync(bed);
        Assert.Equal((1, 1, 0, 1), (figures.Overdue, figures.DueToday, figures.DueIn7Days, figures.DueIn30Days));
        Assert.Equal(start.AddDays(20), Assert.Single(figures.DuePerDay, d => d.Count > 0).Day);

        bed.AdvanceDays(15);
        figures = await ReadAsync(bed);
        Assert.Equal((2, 1, 0, 0), (figures.Overdue, figures.DueToday, figures.DueIn7Days, figures.DueIn30Days));
        // Counts by state do not depend on the day.
        Assert.Equal((5, 2, 2, 1), (figures.Total, figures.Unread, figures.Open, figures.Closed));

        bed.AdvanceDays(65);
        figures = await ReadAsync(bed);
        Assert.Equal((3, 0, 1, 1), (figures.Overdue, figures.DueToday, figures.DueIn7Days, figures.DueIn30Days));
        Assert.Equal(start.AddDays(90), Assert.Single(figures.DuePerDay, d => d.Count > 0).Day);
    }

    [Fact]
    public async Task Overdue_appears_when_the_clock_passes_a_purge_day_and_goes_when_the_retention_job_purges_the_case()
    {
        await using var bed = await RetentionTestBed.CreateAsync("dashboard_overdue");
        var due = await bed.CaseAsync("alpha");
        await bed.CaseAsync("beta");
        await bed.Policies.SetPolicyAsync(new RetentionPolicy("alpha", 2, 365, 30), Admin);

        var figures = await ReadAsync(bed);
        Assert.Equal((0, 0, 1, 1), (figures.Overdue, figures.DueToday, figures.DueIn7Days, figures.DueIn30Days));

        bed.AdvanceDays(2);
        figures = await ReadAsync(bed);
        Assert.Equal((0, 1, 0, 0), (figures.Overdue, figures.DueToday, figures.DueIn7Days, figures.DueIn30Days));

        bed.AdvanceDays(1);
        figures = await ReadAsync(bed);
        Assert.Equal((1, 0), (figures.Overdue, figures.DueToday));
        Assert.Equal(0, figures.Purged);

        var run = await PurgerFor(bed).RunAsync(new RetentionRunSettings());

        Assert.Equal(1, run.Purged);
        Assert.Null(await bed.Policies.ForCaseAsync(due.CaseId));
        figures = await ReadAsync(bed);
        Assert.Equal((0, 0), (figures.Overdue, figures.DueToday));
        Assert.Equal((1, 0, 1), (figures.Total, figures.ByPolicy.Single(p => p.Channel == "alpha").Total, figures.ByPolicy.Single(p => p.Channel is null).Total));
        Assert.Equal((1, 1, 0, 0), (figures.Purged, figures.PurgedByRetention, figures.PurgedWithdrawn, figures.PurgedOther));
        Assert.Equal(new DayCount(bed.Today, 1), figures.PurgedPerDay[^1]);
    }

    [Fact]
    public async Task Purges_of_the_last_30_days_count_each_case_once_by_reason_and_older_ones_drop_out()
    {
        await using var bed = await RetentionTestBed.CreateAsync("dashboard_purged");
        var start = bed.Today;
        var withdrawn = await bed.CaseAsync("alpha");
        var reply = await withdrawn.MessageAsync(bed.Uploads, "alpha", toSurvivor: true, "we read your account");
        await bed.Workspace.AddMessageAsync(withdrawn.CaseId, withdrawn.AdvocateId, LedgerEntryKind.Reply, reply.Envelope, [reply.Upload]);
        await bed.CaseAsync("beta");
        await bed.Policies.SetPolicyAsync(new RetentionPolicy("beta", 1, 365, 30), Admin);

        await bed.Cases.WithdrawAsync(withdrawn.CaseId);

        // Two tombstones (the submission and the reply), one case.
        Assert.Equal(2, await bed.ScalarAsync("SELECT count(*) FROM intake.ledger_entries WHERE kind = 10 AND case_id = @id", ("id", withdrawn.CaseId)));
        var figures = await ReadAsync(bed);
        Assert.Equal((1, 0, 1), (figures.Purged, figures.PurgedByRetention, figures.PurgedWithdrawn));
        Assert.Equal(new DayCount(start, 1), figures.PurgedPerDay[^1]);
        Assert.Equal(1, figures.Total);

        bed.AdvanceDays(2);
        Assert.Equal(1, (await PurgerFor(bed).RunAsync(new RetentionRunSettings())).Purged);
        figures = await ReadAsync(bed);
        Assert.Equal((2, 1, 1, 0), (figures.Purged, figures.PurgedByRetention, figures.PurgedWithdrawn, figures.Total));
        Assert.Equal([new DayCount(start, 1), new DayCount(start.AddDays(2), 1)], figures.PurgedPerDay.Where(d => d.Count > 0));

        // The last 30 days are today and the 29 before it.
        bed.AdvanceDays(27);
        figures = await ReadAsync(bed);
        Assert.Equal((2, 1, 1), (figures.Purged, figures.PurgedByRetention, figures.PurgedWithdrawn));
        Assert.Equal(new DayCount(start, 1), figures.PurgedPerDay[0]);

        bed.AdvanceDays(1);
        figures = await ReadAsync(bed);
        Assert.Equal((1, 1, 0), (figures.Purged, figures.PurgedByRetention, figures.PurgedWithdrawn));

        bed.AdvanceDays(2);
        figures = await ReadAsync(bed);
        Assert.Equal(0, figures.Purged);
    }

    [Fact]
    public async Task Active_holds_and_waiting_requests_are_counted_and_a_hold_moves_its_case_out_of_overdue()
    {
        await using var bed = await RetentionTestBed.CreateAsync("dashboard_holds");
        var start = bed.Today;
        var held = await bed.CaseAsync("alpha");
        var waiting = await bed.CaseAsync("beta");
        await bed.Policies.SetPolicyAsync(new RetentionPolicy("alpha", 2, 365, 30), Admin);

        var request = await bed.Holds.RequestAsync(held.CaseId, held.AdvocateId, "court case", 10);
        var figures = await ReadAsync(bed);
        Assert.Equal((0, 1), (figures.ActiveHolds, figures.WaitingRequests));

        await bed.Holds.ApproveAsync(request.Id, Admin);
        await bed.Holds.RequestAsync(waiting.CaseId, waiting.AdvocateId, "police inquiry", 5);
        figures = await ReadAsync(bed);
        Assert.Equal((1, 1), (figures.ActiveHolds, figures.WaitingRequests));
        // The hold covers days 0 to 9: the case is due on day 10, not day 2.
        Assert.Equal(start.AddDays(10), Assert.Single(figures.DuePerDay, d => d.Count > 0).Day);

        bed.AdvanceDays(3);
        figures = await ReadAsync(bed);
        Assert.Equal((0, 1, 1), (figures.Overdue, figures.ActiveHolds, figures.WaitingRequests));

        bed.AdvanceDays(6);
        Assert.Equal(1, (await ReadAsync(bed)).ActiveHolds);

        // Past its last day the hold no longer counts, even before the job records its expiry.
        bed.AdvanceDays(1);
        figures = await ReadAsync(bed);
        Assert.Equal(1, await bed.ScalarAsync("SELECT count(*) FROM intake.legal_holds WHERE status = 'active'"));
        Assert.Equal((0, 1, 1, 0), (figures.ActiveHolds, figures.WaitingRequests, figures.DueToday, figures.Overdue));
    }

    /// <summary>Reads the figures and checks what must hold of any of them: the series add up to the totals they chart.</summary>
    private static async Task<RetentionFigures> ReadAsync(RetentionTestBed bed)
    {
        var figures = await new RetentionDashboard(bed.Db.App, bed.Time).ReadAsync();
        Assert.Equal(bed.Today, figures.Today);
        Assert.Equal(Enumerable.Range(1, 30).Select(i => bed.Today.AddDays(i)), figures.DuePerDay.Select(d => d.Day));
        Assert.Equal(Enumerable.Range(-29, 30).Select(i => bed.Today.AddDays(i)), figures.PurgedPerDay.Select(d => d.Day));
        Assert.Equal(figures.DueIn30Days, figures.DuePerDay.Sum(d => d.Count));
        Assert.Equal(figures.DueIn7Days, figures.DuePerDay.Take(7).Sum(d => d.Count));
        Assert.Equal(figures.Purged, figures.PurgedPerDay.Sum(d => d.Count));
        Assert.Equal(figures.Total, await bed.ScalarAsync("SELECT count(*) FROM intake.cases"));
        Assert.Null(figures.ByPolicy[0].Channel);
        return figures;
    }

    private static RetentionPurger PurgerFor(RetentionTestBed bed) =>
        new(bed.Db.App, new LedgerPurger(bed.Writer, bed.Db.App, bed.Db.Purger), bed.Db.Purger, bed.Holds,
            new StaffNotifications(bed.Db.App, bed.Time), bed.Time);

    /// <summary>Another submitted case in an existing channel (sealed to a key of nobody's: content plays no part here), assigned to a new advocate.</summary>
    private static async Task<(Guid CaseId, Guid AdvocateId)> CaseInAsync(RetentionTestBed bed, string channel)
    {
        var (_, recipient) = HpkeSuite.GenerateKeyPair();
        var (_, reply) = HpkeSuite.GenerateKeyPair();
        var content = "{\"v\":1,\"narrative\":\"test\"}"u8.ToArray();
        var key = EnvelopeSealer.GenerateContentKey();
        var header = StreamHeader.Create(StreamPurpose.Body, content.Length);
        var envelope = EnvelopeSealer.Seal(EnvelopeKind.Submission, channel, null, reply, [recipient], [header], key);
        var upload = await WorkspaceTestCase.UploadAsync(bed.Uploads, key, envelope.Header.ComputeHash(), header, content);
        var accepted = await new SubmissionStore(bed.Db.App, bed.Uploads, bed.Writer)
            .AcceptAsync(new SubmissionRequest(envelope, [upload], RandomNumberGenerator.GetBytes(32), [7]));
        var advocate = Guid.NewGuid();
        await WorkspaceTestCase.AssignAsync(bed.Db.App, accepted.CaseId, advocate, accepted.Sequence);
        return (accepted.CaseId, advocate);
    }
}
