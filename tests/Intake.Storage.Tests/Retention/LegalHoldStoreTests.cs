using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Intake.Core.Crypto;
using Intake.Core.Ledger;
using Intake.Storage.Ledger;
using Intake.Storage.Retention;
using Npgsql;

namespace Intake.Storage.Tests.Retention;

public sealed class LegalHoldStoreTests
{
    private const string Reason = "Court order 2026-114 names this case; keep it until the hearing";

    [Fact]
    public async Task A_request_keeps_the_trimmed_reason_and_the_ledger_only_its_hash()
    {
        await using var bed = await RetentionTestBed.CreateAsync("holds_request");
        var test = await bed.CaseAsync();
        var before = (await bed.EntriesAsync()).Count;

        var hold = await bed.Holds.RequestAsync(test.CaseId, test.AdvocateId, "  " + Reason + "\n ", 30);

        var stored = await bed.Holds.GetAsync(hold.Id);
        Assert.Equal(hold, stored);
        Assert.Equal((test.CaseId, LegalHoldStatus.Requested, Reason, 30, test.AdvocateId, bed.Today, (Guid?)null, (DateOnly?)null),
            (stored!.CaseId, stored.Status, stored.Reason, stored.Days, stored.RequestedBy, stored.RequestedOn, stored.DecidedBy, stored.ExpiresOn));
        var metadata = AssertOneHoldEntry(await bed.EntriesSinceAsync(before), test.CaseId, "legal_hold.request", test.AdvocateId);
        Assert.Equal(hold.Id, metadata.GetProperty("hold").GetGuid());
        Assert.Equal(30, metadata.GetProperty("days").GetInt32());
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Reason))), metadata.GetProperty("reason_sha256").GetString());
        await AssertReasonNotInLedgerAsync(bed, Reason);
        Assert.Null((await bed.RetentionAsync(test.CaseId)).HeldUntil); // a request alone holds nothing
        Assert.Equal([hold.Id], (await bed.Holds.OpenAsync()).Select(h => h.Id));

        // One waiting request per case.
        before = (await bed.EntriesAsync()).Count;
        var second = await Assert.ThrowsAsync<LegalHoldException>(() => bed.Holds.RequestAsync(test.CaseId, Guid.NewGuid(), "another reason", 10));
        Assert.Equal((LegalHoldFailure.Conflict, "case"), (second.Kind, second.Field));
        Assert.Equal(before, (await bed.EntriesAsync()).Count);
        Assert.Single(await bed.Holds.ForCaseAsync(test.CaseId));
    }

    [Fact]
    public async Task An_approved_hold_runs_from_today_for_its_days_and_only_someone_else_decides_it_once()
    {
        await using var bed = await RetentionTestBed.CreateAsync("holds_approve");
        var test = await bed.CaseAsync();
        var requested = await bed.Holds.RequestAsync(test.CaseId, test.AdvocateId, Reason, 120);
        bed.AdvanceDays(2);
        var admin = Guid.NewGuid();
        var before = (await bed.EntriesAsync()).Count;

        var own = await Assert.ThrowsAsync<LegalHoldException>(() => bed.Holds.ApproveAsync(requested.Id, test.AdvocateId));
        Assert.Equal(LegalHoldFailure.Forbidden, own.Kind);
        Assert.Equal(LegalHoldFailure.Forbidden, (await Assert.ThrowsAsync<LegalHoldException>(() => bed.Holds.RefuseAsync(requested.Id, test.AdvocateId))).Kind);
        Assert.Equal(before, (await bed.EntriesAsync()).Count);

        var approved = await bed.Holds.ApproveAsync(requested.Id, admin);

        var expires = bed.Today.AddDays(119);
        var stored = await bed.Holds.GetAsync(requested.Id);
        Assert.Equal(approved, stored);
        Assert.Equal((LegalHoldStatus.Active, (Guid?)admin, (DateOnly?)expires), (stored!.Status, stored.DecidedBy, stored.ExpiresOn));
        Assert.True(stored.IsActive(bed.Today));
        Assert.True(stored.IsActive(expires));
        Assert.False(stored.IsActive(expires.AddDays(1)));
        var metadata = AssertOneHoldEntry(await bed.EntriesSinceAsync(before), test.CaseId, "legal_hold.approve", admin);
        Assert.Equal(requested.Id, metadata.GetProperty("hold").GetGuid());
        Assert.Equal(expires.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), metadata.GetProperty("expires_on").GetString());
        Assert.Equal(JsonValueKind.Null, metadata.GetProperty("replaces").ValueKind);
        var retention = await bed.RetentionAsync(test.CaseId);
        Assert.Equal(expires, retention.HeldUntil);
        Assert.True(retention.IsHeld(bed.Today));
        // Unread, the case was due 90 days after its submission two days ago; the hold ends later, so it wins.
        Assert.Equal(bed.Today.AddDays(88), retention.DueOn);
        Assert.Equal(expires.AddDays(1), retention.PurgeOn(bed.Today));
        Assert.Equal(120, retention.DaysLeft(bed.Today));

        before = (await bed.EntriesAsync()).Count;
        var twice = await Assert.ThrowsAsync<LegalHoldException>(() => bed.Holds.ApproveAsync(requested.Id, Guid.NewGuid()));
        Assert.Equal((LegalHoldFailure.Conflict, "hold"), (twice.Kind, twice.Field));
        Assert.Equal(LegalHoldFailure.Conflict, (await Assert.ThrowsAsync<LegalHoldException>(() => bed.Holds.RefuseAsync(requested.Id, Guid.NewGuid()))).Kind);
        Assert.Equal(LegalHoldFailure.NotFound, (await Assert.ThrowsAsync<LegalHoldException>(() => bed.Holds.ApproveAsync(Guid.NewGuid(), admin))).Kind);
        Assert.Equal(LegalHoldFailure.NotFound, (await Assert.ThrowsAsync<LegalHoldException>(() => bed.Holds.RefuseAsync(Guid.NewGuid(), admin))).Kind);
        Assert.Equal(LegalHoldFailure.NotFound, (await Assert.ThrowsAsync<LegalHoldException>(() => bed.Holds.ReleaseAsync(Guid.NewGuid(), admin))).Kind);
        Assert.Equal(before, (await bed.EntriesAsync()).Count);
        Assert.Equal(LegalHoldStatus.Active, (await bed.Holds.GetAsync(requested.Id))!.Status);
    }

    [Fact]
    public async Task A_refused_request_holds_nothing_and_a_release_ends_a_hold_early()
    {
        await using var bed = await RetentionTestBed.CreateAsync("holds_refuse_release");
        var test = await bed.CaseAsync();
        var admin = Guid.NewGuid();
        var first = await bed.Holds.RequestAsync(test.CaseId, test.AdvocateId, Reason, 30);
        var before = (await bed.EntriesAsync()).Count;

        var refused = await bed.Holds.RefuseAsync(first.Id, admin);

        Assert.Equal((LegalHoldStatus.Refused, (Guid?)admin, (DateOnly?)null), (refused.Status, refused.DecidedBy, refused.ExpiresOn));
        Assert.Equal(refused, await bed.Holds.GetAsync(first.Id));
        var metadata = AssertOneHoldEntry(await bed.EntriesSinceAsync(before), test.CaseId, "legal_hold.refuse", admin);
        Assert.Equal(first.Id, metadata.GetProperty("hold").GetGuid());
        Assert.Null((await bed.RetentionAsync(test.CaseId)).HeldUntil);
        Assert.Empty(await bed.Holds.OpenAsync());
        Assert.Equal(LegalHoldFailure.Conflict, (await Assert.ThrowsAsync<LegalHoldException>(() => bed.Holds.ReleaseAsync(first.Id, admin))).Kind);

        // After a refusal she may ask again.
        var second = await bed.Holds.RequestAsync(test.CaseId, test.AdvocateId, "New evidence: " + Reason, 30);
        await bed.Holds.ApproveAsync(second.Id, admin);
        Assert.NotNull((await bed.RetentionAsync(test.CaseId)).HeldUntil);
        var releaser = Guid.NewGuid();
        before = (await bed.EntriesAsync()).Count;

        var released = await bed.Holds.ReleaseAsync(second.Id, releaser);

        Assert.Equal(LegalHoldStatus.Released, released.Status);
        Assert.Equal(LegalHoldStatus.Released, (await bed.Holds.GetAsync(second.Id))!.Status);
        metadata = AssertOneHoldEntry(await bed.EntriesSinceAsync(before), test.CaseId, "legal_hold.release", releaser);
        Assert.Equal(second.Id, metadata.GetProperty("hold").GetGuid());
        var retention = await bed.RetentionAsync(test.CaseId);
        Assert.Null(retention.HeldUntil);
        Assert.Equal(retention.DueOn, retention.PurgeOn(bed.Today));
        var again = await Assert.ThrowsAsync<LegalHoldException>(() => bed.Holds.ReleaseAsync(second.Id, releaser));
        Assert.Equal((LegalHoldFailure.Conflict, "hold"), (again.Kind, again.Field));
        Assert.Equal([second.Id, first.Id], (await bed.Holds.ForCaseAsync(test.CaseId)).Select(h => h.Id));
    }

    [Fact]
    public async Task Approving_a_renewal_releases_the_active_hold_in_the_same_entry()
    {
        await using var bed = await RetentionTestBed.CreateAsync("holds_renewal");
        var test = await bed.CaseAsync();
        var admin = Guid.NewGuid();
        var first = await bed.Holds.RequestAsync(test.CaseId, test.AdvocateId, Reason, 10);
        await bed.Holds.ApproveAsync(first.Id, admin);
        bed.AdvanceDays(8);
        var renewal = await bed.Holds.RequestAsync(test.CaseId, test.AdvocateId, "Hearing postponed: " + Reason, 60);
        Assert.Equal([first.Id, renewal.Id], (await bed.Holds.OpenAsync()).Select(h => h.Id));
        var before = (await bed.EntriesAsync()).Count;

        await bed.Holds.ApproveAsync(renewal.Id, admin);

        var appended = await bed.EntriesSinceAsync(before);
        var metadata = AssertOneHoldEntry(appended, test.CaseId, "legal_hold.approve", admin);
        Assert.Equal((renewal.Id, first.Id), (metadata.GetProperty("hold").GetGuid(), metadata.GetProperty("replaces").GetGuid()));
        Assert.Equal(LegalHoldStatus.Released, (await bed.Holds.GetAsync(first.Id))!.Status);
        Assert.Equal(LegalHoldStatus.Active, (await bed.Holds.GetAsync(renewal.Id))!.Status);
        Assert.Equal(bed.Today.AddDays(59), (await bed.RetentionAsync(test.CaseId)).HeldUntil);
        Assert.Equal([renewal.Id], (await bed.Holds.OpenAsync()).Select(h => h.Id));
        // The released hold's end is that approval's entry.
        Assert.Equal(appended[0].Sequence, await bed.ScalarAsync("SELECT ended_seq FROM intake.legal_holds WHERE id = @id", ("id", first.Id)));
        Assert.Equal(appended[0].Sequence, await bed.ScalarAsync("SELECT decided_seq FROM intake.legal_holds WHERE id = @id", ("id", renewal.Id)));
    }

    [Fact]
    public async Task A_hold_expires_after_its_last_day_with_a_ledger_entry()
    {
        await using var bed = await RetentionTestBed.CreateAsync("holds_expire");
        var test = await bed.CaseAsync();
        var hold = await bed.Holds.RequestAsync(test.CaseId, test.AdvocateId, Reason, 5);
        await bed.Holds.ApproveAsync(hold.Id, Guid.NewGuid());
        var lastDay = bed.Today.AddDays(4);

        bed.AdvanceDays(4);
        var before = (await bed.EntriesAsync()).Count;
        Assert.Equal(0, await bed.Holds.ExpireAsync());
        Assert.Equal(before, (await bed.EntriesAsync()).Count);
        Assert.True((await bed.RetentionAsync(test.CaseId)).IsHeld(bed.Today));

        bed.AdvanceDays(1);
        var lapsed = await bed.RetentionAsync(test.CaseId);
        Assert.Equal(lastDay, lapsed.HeldUntil);
        Assert.False(lapsed.IsHeld(bed.Today)); // past its last day it no longer counts, recorded or not

        Assert.Equal(1, await bed.Holds.ExpireAsync());

        var metadata = AssertOneHoldEntry(await bed.EntriesSinceAsync(before), test.CaseId, "legal_hold.expire", actor: null);
        Assert.Equal(hold.Id, metadata.GetProperty("hold").GetGuid());
        var expired = await bed.Holds.GetAsync(hold.Id);
        Assert.Equal((LegalHoldStatus.Expired, (DateOnly?)lastDay), (expired!.Status, expired.ExpiresOn));
        Assert.Null((await bed.RetentionAsync(test.CaseId)).HeldUntil);
        Assert.Equal(0, await bed.Holds.ExpireAsync());
        Assert.Equal(before + 1, (await bed.EntriesAsync()).Count);
        Assert.Equal(LegalHoldFailure.Conflict, (await Assert.ThrowsAsync<LegalHoldException>(() => bed.Holds.ReleaseAsync(hold.Id, Guid.NewGuid()))).Kind);
    }

    [Fact]
    public async Task Bad_requests_are_refused_by_field_and_write_nothing()
    {
        await using var bed = await RetentionTestBed.CreateAsync("holds_invalid");
        var test = await bed.CaseAsync();
        var withdrawn = await bed.CaseAsync("other");
        await using (var update = bed.Db.App.CreateCommand("UPDATE intake.cases SET status = 'withdrawn' WHERE id = @id"))
        {
            update.Parameters.AddWithValue("id", withdrawn.CaseId);
            Assert.Equal(1, await update.ExecuteNonQueryAsync());
        }
        var before = (await bed.EntriesAsync()).Count;
        var advocate = test.AdvocateId;

        (Func<Task> Request, LegalHoldFailure Kind, string Field)[] refused =
        [
            (() => bed.Holds.RequestAsync(test.CaseId, advocate, "", 30), LegalHoldFailure.Invalid, "reason"),
            (() => bed.Holds.RequestAsync(test.CaseId, advocate, " \n\t ", 30), LegalHoldFailure.Invalid, "reason"),
            (() => bed.Holds.RequestAsync(test.CaseId, advocate, new string('a', 501), 30), LegalHoldFailure.Invalid, "reason"),
            (() => bed.Holds.RequestAsync(test.CaseId, advocate, "court\0order", 30), LegalHoldFailure.Invalid, "reason"),
            (() => bed.Holds.RequestAsync(test.CaseId, advocate, "court\u001b[2Jorder", 30), LegalHoldFailure.Invalid, "reason"),
            (() => bed.Holds.RequestAsync(test.CaseId, advocate, "court\u0085order", 30), LegalHoldFailure.Invalid, "reason"),
            (() => bed.Holds.RequestAsync(test.CaseId, advocate, Reason, 0), LegalHoldFailure.Invalid, "days"),
            (() => bed.Holds.RequestAsync(test.CaseId, advocate, Reason, 366), LegalHoldFailure.Invalid, "days"),
            (() => bed.Holds.RequestAsync(test.CaseId, advocate, Reason, -5), LegalHoldFailure.Invalid, "days"),
            (() => bed.Holds.RequestAsync(Guid.NewGuid(), advocate, Reason, 30), LegalHoldFailure.NotFound, "case"),
            (() => bed.Holds.RequestAsync(withdrawn.CaseId, withdrawn.AdvocateId, Reason, 30), LegalHoldFailure.Conflict, "case"),
        ];
        foreach (var (request, kind, field) in refused)
        {
            var error = await Assert.ThrowsAsync<LegalHoldException>(request);
            Assert.Equal((kind, field), (error.Kind, error.Field));
        }

        Assert.Equal(before, (await bed.EntriesAsync()).Count);
        Assert.Equal(0, await bed.ScalarAsync("SELECT count(*) FROM intake.legal_holds"));
        // The bounds themselves are accepted: 500 characters (after trimming), 365 days, line breaks.
        var longest = await bed.Holds.RequestAsync(test.CaseId, advocate, "  " + new string('b', 500) + "\n ", 365);
        Assert.Equal((500, 365), (longest.Reason.Length, longest.Days));
        await bed.Holds.RefuseAsync(longest.Id, Guid.NewGuid());
        var lines = await bed.Holds.RequestAsync(test.CaseId, advocate, "Line one\r\nline two", 1);
        await bed.Holds.ApproveAsync(lines.Id, Guid.NewGuid());
        Assert.Equal(bed.Today, (await bed.RetentionAsync(test.CaseId)).HeldUntil); // one day: today is its last
    }

    [Fact]
    public async Task Her_withdrawal_ends_every_hold_and_the_purge_leaves_no_trace_of_the_reason()
    {
        await using var bed = await RetentionTestBed.CreateAsync("holds_withdrawal");
        var test = await bed.CaseAsync();
        var bystander = await bed.CaseAsync("other");
        var admin = Guid.NewGuid();
        var active = await bed.Holds.RequestAsync(test.CaseId, test.AdvocateId, Reason, 200);
        await bed.Holds.ApproveAsync(active.Id, admin);
        const string waitingReason = "Second subpoena expected from the district prosecutor";
        var waiting = await bed.Holds.RequestAsync(test.CaseId, test.AdvocateId, waitingReason, 300);
        var kept = await bed.Holds.RequestAsync(bystander.CaseId, bystander.AdvocateId, "Unrelated hold on another case", 30);
        var dumpBefore = await bed.Db.DumpAsync();
        Assert.Contains(Reason, dumpBefore, StringComparison.Ordinal);
        Assert.Contains(waitingReason, dumpBefore, StringComparison.Ordinal);
        var before = (await bed.EntriesAsync()).Count;

        await bed.Cases.WithdrawAsync(test.CaseId);

        var appended = await bed.EntriesSinceAsync(before);
        var ends = appended.Where(e => e.Kind == LedgerEntryKind.LegalHold).ToList();
        Assert.Equal(2, ends.Count);
        Assert.All(ends, e => Assert.Equal(test.CaseId, e.CaseId));
        Assert.All(ends.Select(RetentionTestBed.Metadata), m =>
            Assert.Equal(("legal_hold.end", "withdrawn"), (m.GetProperty("action").GetString(), m.GetProperty("cause").GetString())));
        Assert.Equal(new[] { active.Id, waiting.Id }.Order(), ends.Select(e => RetentionTestBed.Metadata(e).GetProperty("hold").GetGuid()).Order());
        // The holds end before the tombstones: her withdrawal wins over them.
        Assert.True(ends.Max(e => e.Sequence) < appended.Where(e => e.Kind == LedgerEntryKind.PurgeTombstone).Min(e => e.Sequence));
        Assert.Equal(0, await bed.ScalarAsync("SELECT count(*) FROM intake.legal_holds WHERE case_id = @id", ("id", test.CaseId)));
        Assert.Equal(0, await bed.ScalarAsync("SELECT count(*) FROM intake.cases WHERE id = @id", ("id", test.CaseId)));
        Assert.Null(await bed.Policies.ForCaseAsync(test.CaseId));
        Assert.Equal([kept.Id], (await bed.Holds.OpenAsync()).Select(h => h.Id));
        var dumpAfter = await bed.Db.DumpAsync();
        Assert.DoesNotContain(Reason, dumpAfter, StringComparison.Ordinal);
        Assert.DoesNotContain(waitingReason, dumpAfter, StringComparison.Ordinal);
        Assert.Contains("Unrelated hold on another case", dumpAfter, StringComparison.Ordinal);
        await AssertReasonNotInLedgerAsync(bed, Reason);

        using var signer = new NoteSigner("intake.test/retention", ECDsa.Create(ECCurve.NamedCurves.nistP256));
        await new LedgerCheckpointer(bed.Db.App, signer, "intake.test/retention", TimeProvider.System).CheckpointAsync();
        using var trusted = NoteVerifierKey.FromSubjectPublicKeyInfo("intake.test/retention", signer.ExportSubjectPublicKeyInfo());
        var report = await new LedgerVerifier(bed.Db.App, trusted).VerifyAsync();
        Assert.True(report.Ok, report.Problem?.Reason);
        Assert.Equal((await bed.EntriesAsync()).Count, report.EntriesChecked);

        // A withdrawn case takes no new hold, and repeating the withdrawal records nothing more.
        var gone = await Assert.ThrowsAsync<LegalHoldException>(() => bed.Holds.RequestAsync(test.CaseId, test.AdvocateId, Reason, 30));
        Assert.Equal(LegalHoldFailure.NotFound, gone.Kind);
        var count = (await bed.EntriesAsync()).Count;
        await bed.Cases.WithdrawAsync(test.CaseId);
        Assert.Equal(count, (await bed.EntriesAsync()).Count);
    }

    [Fact]
    public async Task The_purger_reads_purge_days_and_the_app_cannot_rewrite_a_holds_reason_or_case()
    {
        await using var bed = await RetentionTestBed.CreateAsync("holds_grants");
        var test = await bed.CaseAsync();
        var other = await bed.CaseAsync("other");
        var hold = await bed.Holds.RequestAsync(test.CaseId, test.AdvocateId, Reason, 30);
        await bed.Holds.ApproveAsync(hold.Id, Guid.NewGuid());

        await using (var select = bed.Db.Purger.CreateCommand("SELECT due_on, held_until FROM intake.case_retention WHERE id = @id"))
        {
            select.Parameters.AddWithValue("id", test.CaseId);
            await using var reader = await select.ExecuteReaderAsync();
            Assert.True(await reader.ReadAsync());
            Assert.Equal(bed.Today.AddDays(90), reader.GetFieldValue<DateOnly>(0));
            Assert.Equal(bed.Today.AddDays(29), reader.GetFieldValue<DateOnly>(1));
        }

        (string Sql, object Value)[] forbidden =
        [
            ("UPDATE intake.legal_holds SET reason = @value WHERE id = @id", "rewritten"),
            ("UPDATE intake.legal_holds SET case_id = @value WHERE id = @id", other.CaseId),
            ("UPDATE intake.legal_holds SET requested_by = @value WHERE id = @id", Guid.NewGuid()),
            ("DELETE FROM intake.legal_holds WHERE id = @id OR id = @value", Guid.NewGuid()),
        ];
        foreach (var (sql, value) in forbidden)
        {
            await using var command = bed.Db.App.CreateCommand(sql);
            command.Parameters.AddWithValue("value", value);
            command.Parameters.AddWithValue("id", hold.Id);
            var refused = await Assert.ThrowsAsync<PostgresException>(() => command.ExecuteNonQueryAsync());
            Assert.Equal("42501", refused.SqlState);
        }
        var stored = await bed.Holds.GetAsync(hold.Id);
        Assert.Equal((Reason, test.CaseId), (stored!.Reason, stored.CaseId));
        // The purger reads but does not change holds.
        await using var purgerUpdate = bed.Db.Purger.CreateCommand("UPDATE intake.legal_holds SET status = 'released'");
        Assert.Equal("42501", (await Assert.ThrowsAsync<PostgresException>(() => purgerUpdate.ExecuteNonQueryAsync())).SqlState);
    }

    /// <summary>Exactly one entry was appended: a legal-hold entry of the case with this action and actor.</summary>
    private static JsonElement AssertOneHoldEntry(List<LedgerLeaf> appended, Guid caseId, string action, Guid? actor)
    {
        var entry = Assert.Single(appended);
        Assert.Equal((LedgerEntryKind.LegalHold, (Guid?)caseId), (entry.Kind, entry.CaseId));
        Assert.Null(entry.PayloadHash);
        var metadata = RetentionTestBed.Metadata(entry);
        Assert.Equal(action, metadata.GetProperty("action").GetString());
        if (actor is { } id)
        {
            Assert.Equal(id, metadata.GetProperty("actor").GetGuid());
        }
        else
        {
            Assert.False(metadata.TryGetProperty("actor", out _));
        }
        return metadata;
    }

    private static async Task AssertReasonNotInLedgerAsync(RetentionTestBed bed, string reason)
    {
        var entries = await bed.EntriesAsync();
        Assert.Contains(entries, e => e.Kind == LedgerEntryKind.LegalHold);
        Assert.All(entries, e => Assert.DoesNotContain(reason, Encoding.UTF8.GetString(e.Metadata.Span), StringComparison.Ordinal));
        Assert.All(entries, e => Assert.DoesNotContain("Court order", Encoding.UTF8.GetString(e.Metadata.Span), StringComparison.Ordinal));
    }
}
