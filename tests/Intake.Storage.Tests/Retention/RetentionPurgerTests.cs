using System.Security.Cryptography;
using Intake.Core.Crypto;
using Intake.Core.Ledger;
using Intake.Storage.Cases;
using Intake.Storage.Ledger;
using Intake.Storage.Retention;
using Intake.Storage.Routing;
using Intake.Storage.Tests.Workspace;
using Microsoft.Extensions.Logging.Abstractions;

namespace Intake.Storage.Tests.Retention;

public sealed class RetentionPurgerTests
{
    private static readonly RetentionRunSettings Settings = new(BatchSize: 5, ReminderDays: 14);

    private static RetentionPurger Purger(RetentionTestBed bed, LedgerWriter? writer = null)
    {
        writer ??= bed.Writer;
        return new RetentionPurger(bed.Db.App, new LedgerPurger(writer, bed.Db.App, bed.Db.Purger), bed.Db.Purger,
            new LegalHoldStore(bed.Db.App, writer, bed.Time), new StaffNotifications(bed.Db.App, bed.Time), bed.Time);
    }

    /// <summary>Her own period, set as the database owner (the app role cannot change it once the case exists).</summary>
    private static async Task SetKeepDaysAsync(RetentionTestBed bed, Guid caseId, int days)
    {
        await using var owner = Npgsql.NpgsqlDataSource.Create(bed.Db.Database.Superuser);
        await using var command = owner.CreateCommand("UPDATE intake.cases SET keep_days = @days WHERE id = @id");
        command.Parameters.AddWithValue("days", days);
        command.Parameters.AddWithValue("id", caseId);
        Assert.Equal(1, await command.ExecuteNonQueryAsync());
    }

    /// <summary><paramref name="count"/> submitted cases in one new channel whose policy makes them due one day after submission.</summary>
    private static async Task<List<Guid>> ShortLivedCasesAsync(RetentionTestBed bed, string channel, int count)
    {
        var directory = new ChannelDirectory(bed.Db.App, bed.Writer);
        await directory.AddChannelAsync(new Channel(channel, "Bulk", "批量"), "test");
        var (_, advocatePublic) = HpkeSuite.GenerateKeyPair();
        await directory.AddKeyAsync(channel, advocatePublic, "test");
        await bed.Policies.SetPolicyAsync(new RetentionPolicy(channel, 1, 1, 1), Guid.NewGuid());
        var submissions = new SubmissionStore(bed.Db.App, bed.Uploads, bed.Writer);
        var cases = new List<Guid>();
        for (var i = 0; i < count; i++)
        {
            var content = System.Text.Encoding.UTF8.GetBytes($"{{\"v\":1,\"narrative\":\"case {i}\"}}");
            var contentKey = EnvelopeSealer.GenerateContentKey();
            var (_, replyPublic) = HpkeSuite.GenerateKeyPair();
            var header = StreamHeader.Create(StreamPurpose.Body, content.Length);
            var envelope = EnvelopeSealer.Seal(EnvelopeKind.Submission, channel, null, replyPublic, [advocatePublic], [header], contentKey);
            var upload = await WorkspaceTestCase.UploadAsync(bed.Uploads, contentKey, envelope.Header.ComputeHash(), header, content);
            var accepted = await submissions.AcceptAsync(new SubmissionRequest(envelope, [upload], RandomNumberGenerator.GetBytes(32), [7]));
            cases.Add(accepted.CaseId);
        }
        return cases;
    }

    [Fact]
    public async Task Each_policy_purges_exactly_what_is_due_and_nothing_else()
    {
        await using var bed = await RetentionTestBed.CreateAsync("purge_policies");
        var purger = Purger(bed);
        var start = bed.Today;
        var unread = await bed.CaseAsync("unread");
        var opened = await bed.CaseAsync("opened");
        await bed.Assignments.MarkOpenedAsync(opened.CaseId, opened.AdvocateId);
        var closed = await bed.CaseAsync("closed");
        await bed.Assignments.MarkOpenedAsync(closed.CaseId, closed.AdvocateId);
        await bed.Workspace.ChangeStatusAsync(closed.CaseId, closed.AdvocateId, "closed");
        var chosen = await bed.CaseAsync("chosen");
        await SetKeepDaysAsync(bed, chosen.CaseId, 7);
        var held = await bed.CaseAsync("held");
        var hold = await bed.Holds.RequestAsync(held.CaseId, held.AdvocateId, "Evidence in her court case", 120);
        await bed.Holds.ApproveAsync(hold.Id, Guid.NewGuid());
        var chosenHeld = await bed.CaseAsync("chosen-held");
        await SetKeepDaysAsync(bed, chosenHeld.CaseId, 10);
        var overridden = await bed.Holds.RequestAsync(chosenHeld.CaseId, chosenHeld.AdvocateId, "Evidence in her court case", 120);
        await bed.Holds.ApproveAsync(overridden.Id, Guid.NewGuid());
        Guid[] all = [unread.CaseId, opened.CaseId, closed.CaseId, chosen.CaseId, held.CaseId, chosenHeld.CaseId];
        var expected = all.ToHashSet();

        // Kept at most 7 (10) days counting the day received: purged on the 7th (10th) day.
        Assert.Equal(start.AddDays(6), (await bed.RetentionAsync(chosen.CaseId)).PurgeOn(start));
        Assert.Equal(start.AddDays(9), (await bed.RetentionAsync(chosenHeld.CaseId)).PurgeOn(start)); // her period caps the hold
        Assert.Equal(start.AddDays(120), (await bed.RetentionAsync(held.CaseId)).PurgeOn(start));

        // (day, cases purged that day, holds expired that day)
        (int Day, Guid[] Purged, int Expired)[] steps =
        [
            (0, [], 0),
            (5, [], 0),
            (6, [chosen.CaseId], 0),
            (8, [], 0),
            (9, [chosenHeld.CaseId], 0),
            (29, [], 0),
            (30, [closed.CaseId], 0),
            (89, [], 0),
            (90, [unread.CaseId], 0),
            (119, [], 0),
            (120, [held.CaseId], 1),
            (364, [], 0),
            (365, [opened.CaseId], 0),
            (400, [], 0),
        ];
        foreach (var (day, purgedToday, expired) in steps)
        {
            bed.Time.Advance(TimeSpan.FromDays(day - (bed.Today.DayNumber - start.DayNumber)));
            var run = await purger.RunAsync(Settings);
            expected.ExceptWith(purgedToday);
            Assert.Equal((day, purgedToday.Length, expired, 0), (day, run.Purged, run.HoldsExpired, run.Failed));
            Assert.Equal(expected.Order(), (await bed.RemainingAsync(all)).Order());
            // Running again the same day finds nothing more.
            Assert.Equal(new RetentionRun(0, 0, 0, 0), await purger.RunAsync(Settings));
        }
        await bed.AssertPurgedOnceAndLedgerVerifiesAsync(all, "retention");
        // The hold her own period overrode was ended first and says why; the other expired by itself.
        var holdSteps = (await bed.EntriesAsync()).Where(e => e.Kind == LedgerEntryKind.LegalHold).Select(RetentionTestBed.Metadata).ToList();
        Assert.Contains(holdSteps, m => m.GetProperty("action").GetString() == "legal_hold.end" && m.GetProperty("hold").GetGuid() == overridden.Id
            && m.GetProperty("cause").GetString() == "purged");
        Assert.Contains(holdSteps, m => m.GetProperty("action").GetString() == "legal_hold.expire" && m.GetProperty("hold").GetGuid() == hold.Id);
    }

    [Fact]
    public async Task A_hold_blocks_the_purge_while_it_is_active_and_a_release_lets_the_next_run_purge()
    {
        await using var bed = await RetentionTestBed.CreateAsync("purge_hold");
        var purger = Purger(bed);
        var test = await bed.CaseAsync();
        var hold = await bed.Holds.RequestAsync(test.CaseId, test.AdvocateId, "Evidence in her court case", 200);
        await bed.Holds.ApproveAsync(hold.Id, Guid.NewGuid());
        bed.AdvanceDays(150); // long past the 90 unread days

        Assert.Equal(0, (await purger.RunAsync(Settings)).Purged);
        Assert.Single(await bed.RemainingAsync([test.CaseId]));

        await bed.Holds.ReleaseAsync(hold.Id, Guid.NewGuid());
        Assert.Equal(1, (await purger.RunAsync(Settings)).Purged);
        await bed.AssertPurgedOnceAndLedgerVerifiesAsync([test.CaseId], "retention");
    }

    [Fact]
    public async Task Activity_and_a_postponement_move_the_day_and_a_waiting_hold_request_is_ended_by_the_purge()
    {
        await using var bed = await RetentionTestBed.CreateAsync("purge_moves");
        var purger = Purger(bed);
        var test = await bed.CaseAsync();
        var start = bed.Today;
        bed.AdvanceDays(60);
        await bed.Assignments.MarkOpenedAsync(test.CaseId, test.AdvocateId); // reading is not activity
        await bed.Workspace.ChangeStatusAsync(test.CaseId, test.AdvocateId, "closed"); // activity: closed 30 days from now
        Assert.Equal(start.AddDays(90), (await bed.RetentionAsync(test.CaseId)).PurgeOn(bed.Today));

        bed.AdvanceDays(30); // day 90: due today
        Assert.Equal(bed.Today.AddDays(4), await bed.Holds.PostponeAsync(test.CaseId, test.AdvocateId, "She asked for time to find a lawyer", 4));
        Assert.Equal(0, (await purger.RunAsync(Settings)).Purged);
        var waiting = await bed.Holds.RequestAsync(test.CaseId, test.AdvocateId, "Court date not fixed yet", 30);

        bed.AdvanceDays(3); // the last day the postponement keeps
        Assert.Equal(0, (await purger.RunAsync(Settings)).Purged);
        bed.AdvanceDays(1);
        Assert.Equal(1, (await purger.RunAsync(Settings)).Purged);
        await bed.AssertPurgedOnceAndLedgerVerifiesAsync([test.CaseId], "retention");
        var end = Assert.Single((await bed.EntriesAsync()).Where(e => e.Kind == LedgerEntryKind.LegalHold).Select(RetentionTestBed.Metadata),
            m => m.GetProperty("action").GetString() == "legal_hold.end");
        Assert.Equal((waiting.Id, "purged"), (end.GetProperty("hold").GetGuid(), end.GetProperty("cause").GetString()));
        Assert.Equal(0, await bed.ScalarAsync("SELECT count(*) FROM intake.retention_postponements"));
        Assert.Equal(0, await bed.ScalarAsync("SELECT count(*) FROM intake.legal_holds"));
    }

    [Fact]
    public async Task A_run_that_crashes_half_way_is_finished_by_the_next_and_every_case_is_purged_once()
    {
        await using var bed = await RetentionTestBed.CreateAsync("purge_crash");
        var cases = await ShortLivedCasesAsync(bed, "bulk", 12);
        var keeper = await bed.CaseAsync("kept");
        bed.AdvanceDays(2);
        // The worst place to stop: one case's tombstone appended and its ciphertext gone, the rest of the case not yet.
        await new LedgerPurger(bed.Writer, bed.Db.App, bed.Db.Purger).PurgeAsync(
            (await bed.EntriesAsync()).Single(e => e.CaseId == cases[0] && e.Kind == LedgerEntryKind.Submission).Sequence,
            System.Text.Encoding.UTF8.GetBytes("{\"reason\":\"retention\"}"));
        var crashing = Purger(bed);
        var batches = 0;
        IReadOnlyList<Guid> halfWay = [];
        // The second batch has its tombstones and its ciphertext is gone (purge_case has not run yet) when the process dies.
        crashing.AfterBatchTombstoned = ids =>
        {
            if (++batches == 2)
            {
                halfWay = ids;
                throw new InvalidOperationException("the process died");
            }
            return Task.CompletedTask;
        };

        await Assert.ThrowsAsync<InvalidOperationException>(() => crashing.RunAsync(Settings));

        var left = await bed.RemainingAsync(cases);
        Assert.Equal(cases.Count - 5, left.Count); // the first batch of 5 is gone, the second half-way, the rest untouched
        Assert.Equal(5, halfWay.Count);
        Assert.Subset(left, halfWay.ToHashSet());
        var tombstoned = new HashSet<Guid>();
        foreach (var id in left)
        {
            if (await bed.ScalarAsync("""
                SELECT count(*) FROM intake.ledger_entries t JOIN intake.ledger_entries e ON e.seq = t.purged_seq WHERE e.case_id = @id
                """, ("id", id)) > 0)
            {
                tombstoned.Add(id);
            }
        }
        // Half-way: the second batch, and the case tombstoned by hand before the run if it was not in the first batch.
        Assert.Equal(halfWay.Concat(left.Contains(cases[0]) ? [cases[0]] : []).ToHashSet(), tombstoned);
        var run = await Purger(bed).RunAsync(Settings);
        Assert.Equal((left.Count, 0), (run.Purged, run.Failed));
        Assert.Empty(await bed.RemainingAsync(cases));
        Assert.Single(await bed.RemainingAsync([keeper.CaseId]));
        await bed.AssertPurgedOnceAndLedgerVerifiesAsync(cases, "retention");
    }

    [Fact]
    public async Task Two_workers_running_at_once_purge_each_case_exactly_once()
    {
        await using var bed = await RetentionTestBed.CreateAsync("purge_two_workers");
        var cases = await ShortLivedCasesAsync(bed, "bulk", 30);
        bed.AdvanceDays(2);
        // Each worker process has its own ledger writer; the ledger serialises them.
        await using var otherWriter = new LedgerWriter(bed.Db.App, bed.Time, NullLogger<LedgerWriter>.Instance);

        // Both are made to be half-way through a batch at the same moment, so the runs surely overlap.
        var first = Purger(bed);
        var second = Purger(bed, otherWriter);
        var arrived = 0;
        var both = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Task Meet(IReadOnlyList<Guid> _)
        {
            if (Interlocked.Increment(ref arrived) == 2)
            {
                both.TrySetResult();
            }
            return both.Task.WaitAsync(TimeSpan.FromSeconds(30));
        }
        first.AfterBatchTombstoned = Meet;
        second.AfterBatchTombstoned = Meet;

        var runs = await Task.WhenAll(first.RunAsync(Settings), second.RunAsync(Settings));

        Assert.True(both.Task.IsCompletedSuccessfully, "The two runs never overlapped.");

        Assert.Equal(cases.Count, runs.Sum(r => r.Purged));
        Assert.All(runs, r => Assert.Equal(0, r.Failed));
        Assert.Empty(await bed.RemainingAsync(cases));
        await bed.AssertPurgedOnceAndLedgerVerifiesAsync(cases, "retention");
    }

    [Fact]
    public async Task After_a_purge_a_database_dump_holds_no_byte_of_the_cases_ciphertext_or_wrapped_keys()
    {
        await using var bed = await RetentionTestBed.CreateAsync("purge_dump");
        var test = await bed.CaseAsync();
        var kept = await bed.CaseAsync("kept");
        await SetKeepDaysAsync(bed, test.CaseId, 2);
        async Task<List<string>> SecretsAsync(Guid caseId)
        {
            var secrets = new List<string>();
            await using var command = bed.Db.App.CreateCommand("""
                SELECT p.bytes FROM intake.upload_parts p JOIN intake.uploads u ON u.id = p.upload_id WHERE u.case_id = @id
                UNION ALL SELECT k.wrapped FROM intake.ledger_wrapped_keys k JOIN intake.ledger_entries e ON e.seq = k.seq WHERE e.case_id = @id
                UNION ALL SELECT p.ciphertext FROM intake.ledger_payloads p JOIN intake.ledger_entries e ON e.seq = p.seq WHERE e.case_id = @id
                UNION ALL SELECT v.vault FROM intake.case_vaults v WHERE v.case_id = @id
                """);
            command.Parameters.AddWithValue("id", caseId);
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                // pg_dump writes bytea as hex; 24 bytes from the middle of each value are unique to it.
                var bytes = (byte[])reader[0];
                if (bytes.Length < 16)
                {
                    continue; // too short to be unique in a dump (the test vault is one byte)
                }
                var middle = Math.Max(0, bytes.Length / 2 - 12);
                secrets.Add(Convert.ToHexStringLower(bytes.AsSpan(middle, Math.Min(24, bytes.Length - middle))));
            }
            return secrets;
        }
        var secrets = await SecretsAsync(test.CaseId);
        var keptSecrets = await SecretsAsync(kept.CaseId);
        Assert.True(secrets.Count >= 3, $"{secrets.Count} values"); // the body stream, the wrapped key, the submission record
        var before = await bed.Db.DumpAsync();
        Assert.All(secrets, s => Assert.Contains(s, before, StringComparison.Ordinal));
        bed.AdvanceDays(1);

        Assert.Equal(1, (await Purger(bed).RunAsync(Settings)).Purged);

        var after = await bed.Db.DumpAsync();
        Assert.All(secrets, s => Assert.DoesNotContain(s, after, StringComparison.Ordinal));
        Assert.All(keptSecrets, s => Assert.Contains(s, after, StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_assigned_advocate_is_reminded_once_per_purge_day()
    {
        await using var bed = await RetentionTestBed.CreateAsync("purge_reminders");
        var purger = Purger(bed);
        var test = await bed.CaseAsync();
        var notices = new StaffNotifications(bed.Db.App, bed.Time);

        bed.AdvanceDays(75); // 15 days left: not yet
        Assert.Equal(0, (await purger.RunAsync(Settings)).Reminded);
        bed.AdvanceDays(1); // 14 days left
        Assert.Equal(1, (await purger.RunAsync(Settings)).Reminded);
        Assert.Equal(0, (await purger.RunAsync(Settings)).Reminded);
        var notice = Assert.Single(await notices.ForAdvocateAsync(test.AdvocateId));
        Assert.Equal((RetentionPurger.ReminderKind, (Guid?)test.CaseId), (notice.Kind, notice.CaseId));

        // Activity (here a status change) moves the purge day; the new day gets its own reminder when it comes near.
        await bed.Workspace.ChangeStatusAsync(test.CaseId, test.AdvocateId, "in_review");
        Assert.Equal(0, (await purger.RunAsync(Settings)).Reminded);
        bed.AdvanceDays(90 - 14);
        Assert.Equal(1, (await purger.RunAsync(Settings)).Reminded);
        Assert.Equal(2, (await notices.ForAdvocateAsync(test.AdvocateId)).Count(n => n.Kind == RetentionPurger.ReminderKind));

        // Turned off, nobody is reminded.
        bed.AdvanceDays(365);
        Assert.Equal(0, (await purger.RunAsync(Settings with { ReminderDays = 0 })).Reminded);
    }

    [Fact]
    public async Task A_postponement_never_reaches_past_the_period_the_survivor_chose_nor_90_days_past_the_policy()
    {
        await using var bed = await RetentionTestBed.CreateAsync("purge_postpone_cap");
        var test = await bed.CaseAsync();
        var other = await bed.CaseAsync("other");
        await SetKeepDaysAsync(bed, test.CaseId, 10);
        var before = (await bed.EntriesAsync()).Count;

        var refused = await Assert.ThrowsAsync<LegalHoldException>(() => bed.Holds.PostponeAsync(test.CaseId, test.AdvocateId, "Waiting for her lawyer", 30));

        Assert.Equal((LegalHoldFailure.Conflict, "survivor"), (refused.Kind, refused.Field));
        Assert.Equal(before, (await bed.EntriesAsync()).Count);
        Assert.Null((await bed.RetentionAsync(test.CaseId)).PostponedUntil);
        Assert.Equal(bed.Today.AddDays(9), (await bed.RetentionAsync(test.CaseId)).PurgeOn(bed.Today));

        // 90 days past the policy's day in all (unread: day 90), however it is split; then a legal hold is the way.
        Assert.Equal(bed.Today.AddDays(150), await bed.Holds.PostponeAsync(other.CaseId, other.AdvocateId, "Her lawyer is abroad", 60));
        Assert.Equal(bed.Today.AddDays(180), await bed.Holds.PostponeAsync(other.CaseId, other.AdvocateId, "Her lawyer is still abroad", 30));
        var tooFar = await Assert.ThrowsAsync<LegalHoldException>(() => bed.Holds.PostponeAsync(other.CaseId, other.AdvocateId, "And longer", 1));
        Assert.Equal((LegalHoldFailure.Invalid, "days"), (tooFar.Kind, tooFar.Field));
        foreach (var days in new[] { 0, -1, 91, int.MaxValue })
        {
            var bad = await Assert.ThrowsAsync<LegalHoldException>(() => bed.Holds.PostponeAsync(other.CaseId, other.AdvocateId, "reason", days));
            Assert.Equal((LegalHoldFailure.Invalid, "days"), (bad.Kind, bad.Field));
        }
        var missing = await Assert.ThrowsAsync<LegalHoldException>(() => bed.Holds.PostponeAsync(Guid.NewGuid(), test.AdvocateId, "reason", 5));
        Assert.Equal(LegalHoldFailure.NotFound, missing.Kind);

        bed.AdvanceDays(9);
        Assert.Equal(1, (await Purger(bed).RunAsync(Settings)).Purged);
        Assert.Empty(await bed.RemainingAsync([test.CaseId]));
    }

    [Fact]
    public async Task Once_a_purge_has_begun_a_hold_or_postponement_is_refused_and_the_case_stays_due_until_it_is_gone()
    {
        await using var bed = await RetentionTestBed.CreateAsync("purge_begun");
        var test = await bed.CaseAsync();
        await bed.Holds.RequestAsync(test.CaseId, test.AdvocateId, "Evidence", 30);
        bed.AdvanceDays(90);
        var purger = Purger(bed);
        purger.AfterBatchTombstoned = _ => throw new InvalidOperationException("the process died");
        await Assert.ThrowsAsync<InvalidOperationException>(() => purger.RunAsync(Settings));
        var before = (await bed.EntriesAsync()).Count;

        // Her follow-up or an advocate's note would move an ordinary case's day; this one stays due.
        await bed.Workspace.ChangeStatusAsync(test.CaseId, test.AdvocateId, "in_review");
        Assert.Equal(bed.Today.AddDays(-90), (await bed.RetentionAsync(test.CaseId)).PurgeOn(bed.Today));
        foreach (var attempt in new Func<Task>[]
        {
            () => bed.Holds.PostponeAsync(test.CaseId, test.AdvocateId, "too late", 10),
            () => bed.Holds.RequestAsync(test.CaseId, test.AdvocateId, "too late", 10),
        })
        {
            var refused = await Assert.ThrowsAsync<LegalHoldException>(attempt);
            Assert.Equal((LegalHoldFailure.Conflict, "case"), (refused.Kind, refused.Field));
        }
        Assert.Equal(before + 1, (await bed.EntriesAsync()).Count); // the status change alone
        Assert.Empty(await bed.Holds.OpenAsync()); // the waiting request was ended before the tombstones

        var run = await Purger(bed).RunAsync(Settings);
        Assert.Equal((1, 0), (run.Purged, run.Failed));
        await bed.AssertPurgedOnceAndLedgerVerifiesAsync([test.CaseId], "retention");
        Assert.Equal(0, await bed.ScalarAsync("SELECT count(*) FROM intake.case_purges"));
    }

    [Fact]
    public async Task Bad_settings_are_refused_before_anything_is_done()
    {
        await using var bed = await RetentionTestBed.CreateAsync("purge_settings");
        var test = await bed.CaseAsync();
        await SetKeepDaysAsync(bed, test.CaseId, 1);
        bed.AdvanceDays(2);

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Purger(bed).RunAsync(Settings with { BatchSize = 0 }));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Purger(bed).RunAsync(Settings with { BatchSize = -1 }));
        Assert.Single(await bed.RemainingAsync([test.CaseId]));
        var bad = await Assert.ThrowsAsync<Npgsql.PostgresException>(() => SetKeepDaysAsync(bed, test.CaseId, 0));
        Assert.Equal(Npgsql.PostgresErrorCodes.CheckViolation, bad.SqlState);
        // The app role cannot change her period once the case exists.
        var denied = await Assert.ThrowsAsync<Npgsql.PostgresException>(() =>
            bed.ScalarAsync("UPDATE intake.cases SET keep_days = 3650 WHERE id = @id RETURNING 1", ("id", test.CaseId)));
        Assert.Equal(Npgsql.PostgresErrorCodes.InsufficientPrivilege, denied.SqlState);
    }
}
