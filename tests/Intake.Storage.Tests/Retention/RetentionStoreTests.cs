using Intake.Core.Ledger;
using Intake.Storage.Retention;
using Npgsql;

namespace Intake.Storage.Tests.Retention;

public sealed class RetentionStoreTests
{
    private static readonly RetentionPolicy Default = new(null, 90, 365, 30);

    [Fact]
    public async Task The_default_policy_is_90_365_30_and_cases_follow_it()
    {
        await using var bed = await RetentionTestBed.CreateAsync("retention_default");
        var test = await bed.CaseAsync();

        Assert.Equal([Default], await bed.Policies.ListPoliciesAsync());
        var retention = await bed.RetentionAsync(test.CaseId);
        Assert.Equal((test.CaseId, "work", "new", false, (string?)null), (retention.Id, retention.Channel, retention.Status, retention.EverRead, retention.PolicyChannel));
        Assert.Equal(bed.Today, retention.LastActivityOn);
        Assert.Equal(bed.Today.AddDays(90), retention.DueOn);
        Assert.Null(retention.HeldUntil);
        Assert.Equal(90, retention.DaysLeft(bed.Today));
        Assert.Null(await bed.Policies.ForCaseAsync(Guid.NewGuid()));
    }

    [Fact]
    public async Task A_channel_policy_changes_only_that_channels_cases_and_clearing_it_restores_the_default()
    {
        await using var bed = await RetentionTestBed.CreateAsync("retention_channel");
        var work = await bed.CaseAsync("work");
        var other = await bed.CaseAsync("other");
        var admin = Guid.NewGuid();
        var before = (await bed.EntriesAsync()).Count;

        var set = await bed.Policies.SetPolicyAsync(new RetentionPolicy("work", 10, 20, 5), admin);

        Assert.Equal([Default, new RetentionPolicy("work", 10, 20, 5)], await bed.Policies.ListPoliciesAsync());
        var both = await bed.Policies.ForCasesAsync([work.CaseId, other.CaseId, Guid.NewGuid()]);
        Assert.Equal(2, both.Count);
        Assert.Equal(("work", bed.Today.AddDays(10)), (both[work.CaseId].PolicyChannel, both[work.CaseId].DueOn));
        Assert.Equal(((string?)null, bed.Today.AddDays(90)), (both[other.CaseId].PolicyChannel, both[other.CaseId].DueOn));
        Assert.Equal([work.CaseId, other.CaseId], (await bed.Policies.SoonestAsync(10)).Select(c => c.Id));
        Assert.Equal([work.CaseId], (await bed.Policies.SoonestAsync(1)).Select(c => c.Id));
        var setEntry = Assert.Single(await bed.EntriesSinceAsync(before));
        Assert.Equal((set.Sequence, LedgerEntryKind.AdminAction, (Guid?)null), (setEntry.Sequence, setEntry.Kind, setEntry.CaseId));
        var setMetadata = RetentionTestBed.Metadata(setEntry);
        Assert.Equal("retention.set", setMetadata.GetProperty("action").GetString());
        Assert.Equal("work", setMetadata.GetProperty("channel").GetString());
        Assert.Equal((10, 20, 5), (setMetadata.GetProperty("unread_days").GetInt32(), setMetadata.GetProperty("open_days").GetInt32(),
            setMetadata.GetProperty("closed_days").GetInt32()));
        Assert.Equal(admin, setMetadata.GetProperty("actor").GetGuid());
        Assert.Equal(set.Sequence, await bed.ScalarAsync("SELECT changed_seq FROM intake.retention_policies WHERE channel = 'work'"));

        // Changing the channel's policy again updates its one row.
        await bed.Policies.SetPolicyAsync(new RetentionPolicy("work", 11, 20, 5), admin);
        Assert.Equal([Default, new RetentionPolicy("work", 11, 20, 5)], await bed.Policies.ListPoliciesAsync());
        Assert.Equal(bed.Today.AddDays(11), (await bed.RetentionAsync(work.CaseId)).DueOn);

        var clearer = Guid.NewGuid();
        before = (await bed.EntriesAsync()).Count;
        await bed.Policies.ClearPolicyAsync("work", clearer);

        Assert.Equal([Default], await bed.Policies.ListPoliciesAsync());
        var cleared = await bed.RetentionAsync(work.CaseId);
        Assert.Equal(((string?)null, bed.Today.AddDays(90)), (cleared.PolicyChannel, cleared.DueOn));
        var clearEntry = Assert.Single(await bed.EntriesSinceAsync(before));
        Assert.Equal(LedgerEntryKind.AdminAction, clearEntry.Kind);
        var clearMetadata = RetentionTestBed.Metadata(clearEntry);
        Assert.Equal(("retention.clear", "work", clearer),
            (clearMetadata.GetProperty("action").GetString(), clearMetadata.GetProperty("channel").GetString(), clearMetadata.GetProperty("actor").GetGuid()));
    }

    [Fact]
    public async Task Changing_the_default_moves_every_case_without_a_policy_of_its_own()
    {
        await using var bed = await RetentionTestBed.CreateAsync("retention_set_default");
        var work = await bed.CaseAsync("work");
        var other = await bed.CaseAsync("other");
        await bed.Policies.SetPolicyAsync(new RetentionPolicy("work", 10, 20, 5), Guid.NewGuid());
        var admin = Guid.NewGuid();
        var before = (await bed.EntriesAsync()).Count;

        await bed.Policies.SetPolicyAsync(new RetentionPolicy(null, 60, 200, 14), admin);

        // The default is updated in place (one row without a channel), not added a second time.
        Assert.Equal([new RetentionPolicy(null, 60, 200, 14), new RetentionPolicy("work", 10, 20, 5)], await bed.Policies.ListPoliciesAsync());
        Assert.Equal(bed.Today.AddDays(60), (await bed.RetentionAsync(other.CaseId)).DueOn);
        Assert.Equal(bed.Today.AddDays(10), (await bed.RetentionAsync(work.CaseId)).DueOn);
        var metadata = RetentionTestBed.Metadata(Assert.Single(await bed.EntriesSinceAsync(before)));
        Assert.Equal("retention.set", metadata.GetProperty("action").GetString());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, metadata.GetProperty("channel").ValueKind);
        Assert.Equal(admin, metadata.GetProperty("actor").GetGuid());
    }

    [Fact]
    public async Task Bad_policy_changes_are_refused_by_field_and_write_nothing()
    {
        await using var bed = await RetentionTestBed.CreateAsync("retention_invalid");
        await bed.CaseAsync("work");
        await bed.CaseAsync("other");
        await bed.Policies.SetPolicyAsync(new RetentionPolicy("work", 10, 20, 5), Guid.NewGuid());
        var policies = await bed.Policies.ListPoliciesAsync();
        var before = (await bed.EntriesAsync()).Count;
        var admin = Guid.NewGuid();

        (Func<Task> Change, string Field)[] refused =
        [
            (() => bed.Policies.SetPolicyAsync(new RetentionPolicy(null, 0, 365, 30), admin), "unreadDays"),
            (() => bed.Policies.SetPolicyAsync(new RetentionPolicy("work", 10, 3651, 5), admin), "openDays"),
            (() => bed.Policies.SetPolicyAsync(new RetentionPolicy("work", 10, 20, 0), admin), "closedDays"),
            (() => bed.Policies.SetPolicyAsync(new RetentionPolicy("work", -1, 20, 5), admin), "unreadDays"),
            (() => bed.Policies.SetPolicyAsync(new RetentionPolicy("no-such-channel", 10, 20, 5), admin), "channel"),
            (() => bed.Policies.ClearPolicyAsync("other", admin), "channel"),
            (() => bed.Policies.ClearPolicyAsync("no-such-channel", admin), "channel"),
        ];
        foreach (var (change, field) in refused)
        {
            var error = await Assert.ThrowsAsync<RetentionException>(change);
            Assert.Equal(field, error.Field);
        }

        Assert.Equal(policies, await bed.Policies.ListPoliciesAsync());
        Assert.Equal(before, (await bed.EntriesAsync()).Count);
        // The bounds themselves are allowed.
        await bed.Policies.SetPolicyAsync(new RetentionPolicy("other", 1, 3650, 1), admin);
        Assert.Contains(new RetentionPolicy("other", 1, 3650, 1), await bed.Policies.ListPoliciesAsync());
    }

    [Fact]
    public async Task The_default_policy_cannot_be_removed_even_by_the_app_role_directly()
    {
        await using var bed = await RetentionTestBed.CreateAsync("retention_default_stays");
        await bed.CaseAsync("work");
        await bed.CaseAsync("other");
        await bed.Policies.SetPolicyAsync(new RetentionPolicy("work", 10, 20, 5), Guid.NewGuid());

        await using (var delete = bed.Db.App.CreateCommand("DELETE FROM intake.retention_policies WHERE channel IS NULL"))
        {
            Assert.Equal("42501", (await Assert.ThrowsAsync<PostgresException>(() => delete.ExecuteNonQueryAsync())).SqlState);
        }
        await using (var deleteAll = bed.Db.App.CreateCommand("DELETE FROM intake.retention_policies"))
        {
            Assert.Equal("42501", (await Assert.ThrowsAsync<PostgresException>(() => deleteAll.ExecuteNonQueryAsync())).SqlState);
        }
        // Giving the default row a channel would remove it just as well.
        await using (var rename = bed.Db.App.CreateCommand("UPDATE intake.retention_policies SET channel = 'other' WHERE channel IS NULL"))
        {
            Assert.Equal("42501", (await Assert.ThrowsAsync<PostgresException>(() => rename.ExecuteNonQueryAsync())).SqlState);
        }

        Assert.Equal([Default, new RetentionPolicy("work", 10, 20, 5)], await bed.Policies.ListPoliciesAsync());
        // A channel's own row is the app's to delete (that is what clearing does).
        await using var deleteChannel = bed.Db.App.CreateCommand("DELETE FROM intake.retention_policies WHERE channel = 'work'");
        Assert.Equal(1, await deleteChannel.ExecuteNonQueryAsync());
    }

    [Fact]
    public async Task An_unread_case_is_due_after_the_unread_days_and_once_opened_after_the_open_days_and_reading_is_not_activity()
    {
        await using var bed = await RetentionTestBed.CreateAsync("retention_unread_open");
        var test = await bed.CaseAsync();
        var submitted = bed.Today;

        bed.AdvanceDays(3);
        await bed.Workspace.RecordAccessAsync(test.CaseId, test.AdvocateId, "open");
        var unread = await bed.RetentionAsync(test.CaseId);
        Assert.False(unread.EverRead);
        Assert.Equal(submitted, unread.LastActivityOn);
        Assert.Equal(submitted.AddDays(90), unread.DueOn);
        Assert.Equal(87, unread.DaysLeft(bed.Today));

        // What the workspace does when she opens the case.
        Assert.True(await bed.Assignments.MarkOpenedAsync(test.CaseId, test.AdvocateId));
        var read = await bed.RetentionAsync(test.CaseId);
        Assert.True(read.EverRead);
        Assert.Equal(submitted, read.LastActivityOn);
        Assert.Equal(submitted.AddDays(365), read.DueOn);

        bed.AdvanceDays(10);
        await bed.Workspace.RecordAccessAsync(test.CaseId, test.AdvocateId, "download", [1, 2, 3]);
        Assert.Equal(submitted.AddDays(365), (await bed.RetentionAsync(test.CaseId)).DueOn);
    }

    [Fact]
    public async Task A_reply_moves_the_last_activity_and_closing_starts_the_closed_days()
    {
        await using var bed = await RetentionTestBed.CreateAsync("retention_closed");
        var test = await bed.CaseAsync();
        await bed.Assignments.MarkOpenedAsync(test.CaseId, test.AdvocateId);

        bed.AdvanceDays(7);
        var replied = bed.Today;
        var reply = await test.MessageAsync(bed.Uploads, "work", toSurvivor: true, "we read your account");
        await bed.Workspace.AddMessageAsync(test.CaseId, test.AdvocateId, LedgerEntryKind.Reply, reply.Envelope, [reply.Upload]);
        var open = await bed.RetentionAsync(test.CaseId);
        Assert.Equal((replied, replied.AddDays(365)), (open.LastActivityOn, open.DueOn));

        bed.AdvanceDays(5);
        var closedOn = bed.Today;
        await bed.Workspace.ChangeStatusAsync(test.CaseId, test.AdvocateId, "closed");
        var closed = await bed.RetentionAsync(test.CaseId);
        Assert.Equal(("closed", closedOn, closedOn.AddDays(30)), (closed.Status, closed.LastActivityOn, closed.DueOn));
        Assert.Equal(30, closed.DaysLeft(bed.Today));

        // A channel policy applies to closed cases by its own closed days.
        await bed.Policies.SetPolicyAsync(new RetentionPolicy("work", 10, 20, 3), Guid.NewGuid());
        Assert.Equal(closedOn.AddDays(3), (await bed.RetentionAsync(test.CaseId)).DueOn);
        bed.AdvanceDays(4);
        Assert.Equal(-1, (await bed.RetentionAsync(test.CaseId)).DaysLeft(bed.Today));
    }

    [Fact]
    public void Without_a_hold_a_case_is_purged_on_its_due_day()
    {
        var due = new DateOnly(2026, 6, 30);
        var retention = Retention(due, heldUntil: null);

        Assert.False(retention.IsHeld(due.AddDays(-10)));
        Assert.Equal(due, retention.PurgeOn(due.AddDays(-10)));
        Assert.Equal(10, retention.DaysLeft(due.AddDays(-10)));
        Assert.Equal(0, retention.DaysLeft(due));
        Assert.Equal(-2, retention.DaysLeft(due.AddDays(2)));
    }

    [Fact]
    public void A_hold_that_ends_before_the_due_day_changes_nothing()
    {
        var due = new DateOnly(2026, 6, 30);
        var retention = Retention(due, heldUntil: due.AddDays(-5));
        var today = due.AddDays(-20);

        Assert.True(retention.IsHeld(today));
        Assert.Equal(due, retention.PurgeOn(today));
        Assert.Equal(20, retention.DaysLeft(today));
        Assert.True(retention.IsHeld(due.AddDays(-5)));
        Assert.False(retention.IsHeld(due.AddDays(-4)));
    }

    [Fact]
    public void A_hold_that_ends_after_the_due_day_keeps_the_case_until_the_day_after_it_ends()
    {
        var due = new DateOnly(2026, 6, 30);
        var until = due.AddDays(10);
        var retention = Retention(due, heldUntil: until);

        Assert.Equal(until.AddDays(1), retention.PurgeOn(due));
        Assert.Equal(11, retention.DaysLeft(due));
        Assert.True(retention.IsHeld(until));
        Assert.Equal(1, retention.DaysLeft(until));
        Assert.Equal(until.AddDays(1), retention.PurgeOn(until));
        // Past its last day the hold no longer counts, even before the job records its expiry.
        Assert.False(retention.IsHeld(until.AddDays(1)));
        Assert.Equal(due, retention.PurgeOn(until.AddDays(1)));
        Assert.Equal(-11, retention.DaysLeft(until.AddDays(1)));
    }

    [Fact]
    public void A_hold_ending_on_the_due_day_moves_the_purge_to_the_next_day()
    {
        var due = new DateOnly(2026, 6, 30);
        var retention = Retention(due, heldUntil: due);

        Assert.Equal(due.AddDays(1), retention.PurgeOn(due.AddDays(-1)));
        Assert.Equal(1, retention.DaysLeft(due));
    }

    [Fact]
    public void Policy_days_outside_1_to_3650_name_the_first_bad_field()
    {
        Assert.Null(new RetentionPolicy(null, 1, 3650, 30).Invalid());
        Assert.Equal("unreadDays", new RetentionPolicy(null, 0, 0, 0).Invalid());
        Assert.Equal("openDays", new RetentionPolicy(null, 1, 3651, 0).Invalid());
        Assert.Equal("closedDays", new RetentionPolicy("work", 1, 1, int.MaxValue).Invalid());
    }

    private static CaseRetention Retention(DateOnly due, DateOnly? heldUntil) =>
        new(Guid.NewGuid(), "work", "in_review", due.AddDays(-400), due.AddDays(-365), true, null, due, heldUntil);
}
