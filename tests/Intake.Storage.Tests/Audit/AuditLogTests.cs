using System.Text;
using System.Text.Json;
using Intake.Core.Ledger;
using Intake.Storage.Audit;
using Intake.Storage.Ledger;
using Intake.Storage.Tests.Ledger;

namespace Intake.Storage.Tests.Audit;

public sealed class AuditLogTests
{
    private static LedgerAppend Admin(string action, Guid actor, Guid target) =>
        new(LedgerEntryKind.AdminAction, Metadata: JsonSerializer.SerializeToUtf8Bytes(new { action, actor = actor.ToString(), target = target.ToString(), role = "Advocate" }));

    private static LedgerAppend Status(Guid caseId, Guid actor, string from, string to) =>
        new(LedgerEntryKind.StatusChange, caseId, Metadata: JsonSerializer.SerializeToUtf8Bytes(new { action = "status", from, to, actor }));

    private static LedgerAppend Reply(Guid caseId, Guid actor, string marker) =>
        new(LedgerEntryKind.Reply, caseId, Encoding.UTF8.GetBytes("ciphertext:" + marker),
            [new WrappedKey(Encoding.UTF8.GetBytes("key-id-0123456789")[..16], Encoding.UTF8.GetBytes("wrapped:" + marker))],
            Metadata: JsonSerializer.SerializeToUtf8Bytes(new { actor }));

    [Fact]
    public async Task Lists_staff_actions_newest_first_with_their_public_metadata_and_no_submissions()
    {
        await using var db = await LedgerTestDatabase.CreateAsync("audit_list");
        await using var writer = db.Writer();
        var admin = Guid.NewGuid();
        var invited = Guid.NewGuid();
        var advocate = Guid.NewGuid();
        var caseId = Guid.NewGuid();
        var submission = await writer.AppendAsync(LedgerTestDatabase.Submission("survivor words"));
        var invite = await writer.AppendAsync(Admin("account.invite", admin, invited));
        var status = await writer.AppendAsync(Status(caseId, advocate, "new", "in-review"));

        var page = await new AuditLog(db.App).PageAsync(new AuditFilter());

        Assert.Equal([status.Sequence, invite.Sequence], page.Entries.Select(e => e.Sequence));
        Assert.DoesNotContain(page.Entries, e => e.Sequence == submission.Sequence);
        var first = page.Entries[0];
        Assert.Equal(LedgerEntryKind.StatusChange, first.Kind);
        Assert.Equal(caseId, first.CaseId);
        Assert.Equal(DateOnly.FromDateTime(DateTime.UtcNow), first.Day);
        Assert.Equal(advocate.ToString(), first.Actor);
        Assert.Equal("status", first.Action);
        Assert.Equal("new", first.Details["from"]);
        Assert.Equal("in-review", first.Details["to"]);
        var second = page.Entries[1];
        Assert.Equal(LedgerEntryKind.AdminAction, second.Kind);
        Assert.Null(second.CaseId);
        Assert.Equal("account.invite", second.Action);
        Assert.Equal(admin.ToString(), second.Actor);
        Assert.Equal(invited.ToString(), second.Details["target"]);
        Assert.Equal("Advocate", second.Details["role"]);
        Assert.Null(page.OlderThan);
        Assert.Null(page.NewerThan);
    }

    [Fact]
    public async Task Kind_actor_and_case_filters_each_narrow_the_list_and_combine()
    {
        await using var db = await LedgerTestDatabase.CreateAsync("audit_filters");
        await using var writer = db.Writer();
        var alice = Guid.NewGuid();
        var bob = Guid.NewGuid();
        var caseA = Guid.NewGuid();
        var caseB = Guid.NewGuid();
        var aliceInvitesBob = await writer.AppendAsync(Admin("account.invite", alice, bob));
        var bobSuspendsAlice = await writer.AppendAsync(Admin("account.suspend", bob, alice));
        var aliceStatusA = await writer.AppendAsync(Status(caseA, alice, "new", "in-review"));
        var bobStatusB = await writer.AppendAsync(Status(caseB, bob, "new", "referred"));
        var aliceReplyB = await writer.AppendAsync(Reply(caseB, alice, "reply"));
        var log = new AuditLog(db.App);

        async Task<long[]> Seqs(AuditFilter filter) => (await log.PageAsync(filter)).Entries.Select(e => e.Sequence).ToArray();

        Assert.Equal([bobSuspendsAlice.Sequence, aliceInvitesBob.Sequence], await Seqs(new AuditFilter(Kind: LedgerEntryKind.AdminAction)));
        Assert.Equal([aliceReplyB.Sequence], await Seqs(new AuditFilter(Kind: LedgerEntryKind.Reply)));
        Assert.Empty(await Seqs(new AuditFilter(Kind: LedgerEntryKind.LegalHold)));
        // Alice is the target of Bob's suspension: that is not an action of hers.
        Assert.Equal([aliceReplyB.Sequence, aliceStatusA.Sequence, aliceInvitesBob.Sequence], await Seqs(new AuditFilter(Actor: alice)));
        Assert.Equal([bobStatusB.Sequence, bobSuspendsAlice.Sequence], await Seqs(new AuditFilter(Actor: bob)));
        Assert.Equal([aliceReplyB.Sequence, bobStatusB.Sequence], await Seqs(new AuditFilter(CaseId: caseB)));
        Assert.Equal([aliceReplyB.Sequence], await Seqs(new AuditFilter(Actor: alice, CaseId: caseB)));
        Assert.Equal([aliceStatusA.Sequence], await Seqs(new AuditFilter(LedgerEntryKind.StatusChange, alice)));
        Assert.Empty(await Seqs(new AuditFilter(Actor: Guid.NewGuid())));
        Assert.Empty(await Seqs(new AuditFilter(CaseId: Guid.NewGuid())));
    }

    [Fact]
    public async Task Actor_filter_finds_her_action_behind_many_entries_that_only_name_her()
    {
        await using var db = await LedgerTestDatabase.CreateAsync("audit_actor_batches");
        await using var writer = db.Writer();
        var carol = Guid.NewGuid();
        var admin = Guid.NewGuid();
        var hers = await writer.AppendAsync(Admin("account.invite", carol, Guid.NewGuid()));
        for (var i = 0; i < 150; i++)
        {
            await writer.AppendAsync(Admin("account.suspend", admin, carol));
        }

        var page = await new AuditLog(db.App).PageAsync(new AuditFilter(Actor: carol), pageSize: 10);

        Assert.Equal([hers.Sequence], page.Entries.Select(e => e.Sequence));
        Assert.Null(page.OlderThan);
        Assert.Null(page.NewerThan);
    }

    [Fact]
    public async Task Payloads_and_wrapped_keys_never_appear_in_the_audit_log()
    {
        await using var db = await LedgerTestDatabase.CreateAsync("audit_no_payload");
        await using var writer = db.Writer();
        var marker = "MARKER-" + Guid.NewGuid().ToString("N");
        var caseId = Guid.NewGuid();
        var advocate = Guid.NewGuid();
        await writer.AppendAsync(Reply(caseId, advocate, marker));
        await writer.AppendAsync(new LedgerAppend(LedgerEntryKind.Note, caseId, Encoding.UTF8.GetBytes("note:" + marker),
            Metadata: JsonSerializer.SerializeToUtf8Bytes(new { actor = advocate })));

        var page = await new AuditLog(db.App).PageAsync(new AuditFilter(CaseId: caseId));

        Assert.Equal([LedgerEntryKind.Note, LedgerEntryKind.Reply], page.Entries.Select(e => e.Kind));
        Assert.All(page.Entries, e => Assert.Equal(new Dictionary<string, string> { ["actor"] = advocate.ToString() }, e.Details));
        var everything = JsonSerializer.Serialize(page);
        Assert.DoesNotContain(marker, everything, StringComparison.Ordinal);
        Assert.DoesNotContain(Convert.ToBase64String(Encoding.UTF8.GetBytes("wrapped:" + marker)), everything, StringComparison.Ordinal);
        Assert.DoesNotContain(Convert.ToBase64String(Encoding.UTF8.GetBytes("ciphertext:" + marker)), everything, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pages_are_stable_while_new_entries_arrive_and_previous_returns_to_the_same_page()
    {
        await using var db = await LedgerTestDatabase.CreateAsync("audit_paging");
        await using var writer = db.Writer();
        var admin = Guid.NewGuid();
        var seqs = new List<long>();
        for (var i = 0; i < 7; i++)
        {
            seqs.Add((await writer.AppendAsync(Admin("account.invite", admin, Guid.NewGuid()))).Sequence);
            await writer.AppendAsync(LedgerTestDatabase.Submission($"between {i}"));
        }
        var log = new AuditLog(db.App);
        var filter = new AuditFilter(Kind: LedgerEntryKind.AdminAction);

        var first = await log.PageAsync(filter, pageSize: 3);
        Assert.Equal([seqs[6], seqs[5], seqs[4]], first.Entries.Select(e => e.Sequence));
        Assert.Null(first.NewerThan);
        Assert.Equal(seqs[4], first.OlderThan);

        var second = await log.PageAsync(filter, olderThan: first.OlderThan, pageSize: 3);
        // New actions after the first page was read change neither the second page nor the way back.
        var newer = (await writer.AppendAsync(Admin("account.approve", admin, Guid.NewGuid()))).Sequence;
        var secondAgain = await log.PageAsync(filter, olderThan: first.OlderThan, pageSize: 3);
        Assert.Equal([seqs[3], seqs[2], seqs[1]], second.Entries.Select(e => e.Sequence));
        Assert.Equal(second.Entries.Select(e => e.Sequence), secondAgain.Entries.Select(e => e.Sequence));
        Assert.Equal(seqs[3], secondAgain.NewerThan);
        Assert.Equal(seqs[1], secondAgain.OlderThan);

        var last = await log.PageAsync(filter, olderThan: secondAgain.OlderThan, pageSize: 3);
        Assert.Equal([seqs[0]], last.Entries.Select(e => e.Sequence));
        Assert.Null(last.OlderThan);
        Assert.Equal(seqs[0], last.NewerThan);

        var back = await log.PageAsync(filter, newerThan: secondAgain.NewerThan, pageSize: 3);
        Assert.Equal([seqs[6], seqs[5], seqs[4]], back.Entries.Select(e => e.Sequence));
        Assert.Equal(seqs[6], back.NewerThan);
        Assert.Equal(seqs[4], back.OlderThan);

        var newest = await log.PageAsync(filter, newerThan: back.NewerThan, pageSize: 3);
        Assert.Equal([newer], newest.Entries.Select(e => e.Sequence));
        Assert.Null(newest.NewerThan);
        Assert.Equal(newer, newest.OlderThan);
    }

    [Fact]
    public async Task Metadata_that_is_not_a_json_object_gives_no_details_rather_than_an_error()
    {
        await using var db = await LedgerTestDatabase.CreateAsync("audit_odd_metadata");
        await using var writer = db.Writer();
        await writer.AppendAsync(new LedgerAppend(LedgerEntryKind.LegalHold, Guid.NewGuid(), Metadata: new byte[] { 0xff, 0xfe, 0x00, 0x7b }));
        await writer.AppendAsync(new LedgerAppend(LedgerEntryKind.LegalHold, Guid.NewGuid(), Metadata: "[1,2]"u8.ToArray()));
        await writer.AppendAsync(new LedgerAppend(LedgerEntryKind.LegalHold, Guid.NewGuid()));
        await writer.AppendAsync(new LedgerAppend(LedgerEntryKind.LegalHold, Guid.NewGuid(),
            Metadata: """{"action":"hold","days":30,"open":true,"gone":null,"why":{"a":1}}"""u8.ToArray()));

        var page = await new AuditLog(db.App).PageAsync(new AuditFilter(Kind: LedgerEntryKind.LegalHold));

        Assert.Equal(4, page.Entries.Count);
        Assert.Equal(new Dictionary<string, string> { ["action"] = "hold", ["days"] = "30", ["open"] = "true", ["why"] = """{"a":1}""" }, page.Entries[0].Details);
        Assert.All(page.Entries.Skip(1), e => Assert.Empty(e.Details));
        Assert.Empty((await new AuditLog(db.App).PageAsync(new AuditFilter(LedgerEntryKind.LegalHold, Guid.NewGuid()))).Entries);
    }

    [Fact]
    public async Task A_kind_that_is_not_a_staff_action_two_cursors_or_a_bad_page_size_are_refused()
    {
        await using var db = await LedgerTestDatabase.CreateAsync("audit_refusals");
        var log = new AuditLog(db.App);

        await Assert.ThrowsAsync<ArgumentException>(() => log.PageAsync(new AuditFilter(Kind: LedgerEntryKind.Submission)));
        await Assert.ThrowsAsync<ArgumentException>(() => log.PageAsync(new AuditFilter(Kind: LedgerEntryKind.PurgeTombstone)));
        await Assert.ThrowsAsync<ArgumentException>(() => log.PageAsync(new AuditFilter(), olderThan: 5, newerThan: 1));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => log.PageAsync(new AuditFilter(), pageSize: 0));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => log.PageAsync(new AuditFilter(), pageSize: AuditLog.MaxPageSize + 1));
        Assert.Empty((await log.PageAsync(new AuditFilter())).Entries);
    }
}
