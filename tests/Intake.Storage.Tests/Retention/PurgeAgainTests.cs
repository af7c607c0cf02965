using Intake.Core.Ledger;
using Intake.Storage.Audit;
using Intake.Storage.Ledger;
using Intake.Storage.Retention;

namespace Intake.Storage.Tests.Retention;

/// <summary>
/// A backup restored after cases were purged brings them back; the purge tombstones of a newer
/// audit export name them, and <c>CaseStore.PurgeAgainAsync</c> purges them again as they were
/// purged: a withdrawal as a withdrawal, a retention purge as one, holds included (docs/retention.md §4).
/// </summary>
public sealed class PurgeAgainTests
{
    private static readonly RetentionRunSettings Settings = new(BatchSize: 5, ReminderDays: 14);

    [Fact]
    public async Task Cases_purged_after_the_backup_come_back_with_a_restore_and_are_purged_again_for_their_own_reasons()
    {
        await using var bed = await RetentionTestBed.CreateAsync("purge_again");
        var withdrawnBefore = await bed.CaseAsync("before");
        await bed.Cases.WithdrawAsync(withdrawnBefore.CaseId);
        var withdrawn = await bed.CaseAsync("withdrawn");
        // Withdrawn later, with a hold that was active when the backup was taken.
        var withdrawnHold = await bed.Holds.RequestAsync(withdrawn.CaseId, withdrawn.AdvocateId, "Evidence in her court case", 200);
        await bed.Holds.ApproveAsync(withdrawnHold.Id, Guid.NewGuid());
        // Purged later by policy, after a hold that was active when the backup was taken was released.
        var kept = await bed.CaseAsync("kept");
        var keptHold = await bed.Holds.RequestAsync(kept.CaseId, kept.AdvocateId, "Evidence in her court case", 200);
        await bed.Holds.ApproveAsync(keptHold.Id, Guid.NewGuid());
        var untouched = await bed.CaseAsync("untouched");

        await using var restored = await bed.BackUpAndRestoreAsync("purge_again_restored");

        await bed.Cases.WithdrawAsync(withdrawn.CaseId);
        await bed.Holds.ReleaseAsync(keptHold.Id, Guid.NewGuid());
        await bed.Policies.SetPolicyAsync(new RetentionPolicy("untouched", 365, 365, 365), Guid.NewGuid());
        bed.AdvanceDays(150); // long past the 90 unread days of the default policy, inside the untouched channel's 365
        var purger = new RetentionPurger(bed.Db.App, new LedgerPurger(bed.Writer, bed.Db.App, bed.Db.Purger), bed.Db.Purger, bed.Holds,
            new Intake.Storage.Routing.StaffNotifications(bed.Db.App, bed.Time), bed.Time);
        Assert.Equal(1, (await purger.RunAsync(Settings)).Purged); // kept
        var export = await ExportTombstonesAsync(bed);

        Assert.Null(export.Problem);
        Assert.Null(export.Incomplete);
        Assert.Equal(
            new[] { (withdrawnBefore.CaseId, "withdrawn"), (withdrawn.CaseId, "withdrawn"), (kept.CaseId, "retention") },
            export.Tombstones.Select(t => (t.CaseId, t.Reason)).Distinct().ToArray());

        // The restore has every case but the one withdrawn before the backup.
        var all = new[] { withdrawnBefore.CaseId, withdrawn.CaseId, kept.CaseId, untouched.CaseId };
        Assert.Equal(new[] { withdrawn.CaseId, kept.CaseId, untouched.CaseId }.Order(), (await restored.RemainingAsync(all)).Order());
        var held = await restored.Cases.HeldAgainAsync(export.Tombstones);
        Assert.Equal([(withdrawn.CaseId, "withdrawn"), (kept.CaseId, "retention")], held.Select(t => (t.CaseId, t.Reason)));

        foreach (var again in held)
        {
            await restored.Cases.PurgeAgainAsync(again);
        }

        Assert.Equal([untouched.CaseId], await restored.RemainingAsync(all));
        await restored.AssertPurgedOnceAndLedgerVerifiesAsync([withdrawn.CaseId], "withdrawn");
        await restored.AssertPurgedOnceAndLedgerVerifiesAsync([kept.CaseId], "retention");
        // Each hold the restore brought back was ended first, in the ledger, saying why.
        var holdEnds = (await restored.EntriesAsync()).Where(e => e.Kind == LedgerEntryKind.LegalHold).Select(RetentionTestBed.Metadata)
            .Where(m => m.GetProperty("action").GetString() == "legal_hold.end")
            .Select(m => (m.GetProperty("hold").GetGuid(), m.GetProperty("cause").GetString()));
        Assert.Equal([(withdrawnHold.Id, "withdrawn"), (keptHold.Id, "purged")], holdEnds);
        // Nothing is left to do: a second pass finds nothing held again.
        Assert.Empty(await restored.Cases.HeldAgainAsync(export.Tombstones));
    }

    [Fact]
    public async Task A_case_held_here_is_purged_again_only_when_the_export_names_its_own_submission_entry()
    {
        await using var bed = await RetentionTestBed.CreateAsync("purge_again_tie");
        var live = await bed.CaseAsync();
        var before = (await bed.EntriesAsync()).Count;

        // Another Intake's export names no case held here; an empty one names none at all.
        Assert.Empty(await bed.Cases.HeldAgainAsync([new ExportedTombstone(7, Guid.NewGuid(), 3, "withdrawn")]));
        Assert.Empty(await bed.Cases.HeldAgainAsync([]));
        // A row naming this case with an entry that is not its submission does not describe this ledger.
        var wrong = await Assert.ThrowsAsync<InvalidDataException>(() =>
            bed.Cases.HeldAgainAsync([new ExportedTombstone(40, live.CaseId, live.SubmissionSequence + 1, "withdrawn")]));
        Assert.Contains("tombstone at seq 40", wrong.Message, StringComparison.Ordinal);
        Assert.Contains($"(entry {live.SubmissionSequence})", wrong.Message, StringComparison.Ordinal);
        // Reading changed nothing.
        Assert.Equal([live.CaseId], await bed.RemainingAsync([live.CaseId]));
        Assert.Equal(before, (await bed.EntriesAsync()).Count);

        // Named with its submission entry, and a tombstone without a reason: the last tombstone's
        // reason, "retention" when there is none, purges it, and records that reason.
        var named = await bed.Cases.HeldAgainAsync([
            new ExportedTombstone(40, live.CaseId, live.SubmissionSequence, "withdrawn"),
            new ExportedTombstone(41, live.CaseId, live.SubmissionSequence + 1, "")]);
        var last = Assert.Single(named);
        Assert.Equal((41L, "retention"), (last.Sequence, last.PurgeReason));
        await bed.Cases.PurgeAgainAsync(last);
        await bed.AssertPurgedOnceAndLedgerVerifiesAsync([live.CaseId], "retention");
        Assert.Equal(0, await bed.ScalarAsync("SELECT count(*) FROM intake.case_purges"));
    }

    [Fact]
    public async Task A_case_marked_by_a_run_cut_short_is_due_at_once_and_the_job_finishes_it()
    {
        await using var bed = await RetentionTestBed.CreateAsync("purge_again_cut");
        var live = await bed.CaseAsync();
        Assert.Equal(0, await bed.ScalarAsync("SELECT count(*) FROM intake.case_retention WHERE id = @id AND purge_on <= @today",
            ("id", live.CaseId), ("today", bed.Today)));

        // The run is cut short after the mark: a purge that cannot start (the purger cannot log in).
        var broken = new Npgsql.NpgsqlConnectionStringBuilder(bed.Db.Database.Purger) { Password = "wrong" }.ConnectionString;
        await using var wrongPurger = Npgsql.NpgsqlDataSource.Create(broken);
        var cut = new Intake.Storage.Cases.CaseStore(bed.Db.App, bed.Uploads, bed.Writer, new LedgerPurger(bed.Writer, bed.Db.App, wrongPurger), wrongPurger, bed.Holds);
        await Assert.ThrowsAsync<Npgsql.PostgresException>(() => cut.PurgeAgainAsync(new ExportedTombstone(40, live.CaseId, live.SubmissionSequence, "withdrawn")));

        Assert.Equal(1, await bed.ScalarAsync("SELECT count(*) FROM intake.case_retention WHERE id = @id AND purge_on <= @today",
            ("id", live.CaseId), ("today", bed.Today)));
        var purger = new RetentionPurger(bed.Db.App, new LedgerPurger(bed.Writer, bed.Db.App, bed.Db.Purger), bed.Db.Purger, bed.Holds,
            new Intake.Storage.Routing.StaffNotifications(bed.Db.App, bed.Time), bed.Time);
        Assert.Equal(1, (await purger.RunAsync(Settings)).Purged);
        Assert.Empty(await bed.RemainingAsync([live.CaseId]));
    }

    private static async Task<AuditExportTombstones> ExportTombstonesAsync(RetentionTestBed bed)
    {
        using var file = new MemoryStream();
        await new AuditExport(bed.Db.App, bed.Time).WriteAsync(file, AuditExportFormat.Json,
            new AuditExportQuery(new AuditFilter(LedgerEntryKind.PurgeTombstone)));
        return AuditExportVerifier.ReadTombstones(file);
    }
}
