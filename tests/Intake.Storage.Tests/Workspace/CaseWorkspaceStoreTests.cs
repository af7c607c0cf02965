using System.Text.Json;
using Intake.Core.Crypto;
using Intake.Core.Ledger;
using Intake.Storage.Cases;
using Intake.Storage.Ledger;
using Intake.Storage.Tests.Ledger;
using Intake.Storage.Workspace;

namespace Intake.Storage.Tests.Workspace;

public sealed class CaseWorkspaceStoreTests
{
    private static (CaseWorkspaceStore Store, UploadStore Uploads) Stores(LedgerTestDatabase db, LedgerWriter writer)
    {
        var uploads = new UploadStore(db.App);
        return (new CaseWorkspaceStore(db.App, new SubmissionStore(db.App, uploads, writer), writer), uploads);
    }

    [Fact]
    public async Task Only_the_assigned_advocate_holds_the_case_and_it_is_on_her_list()
    {
        await using var db = await LedgerTestDatabase.CreateAsync("workspace_list");
        await using var writer = db.Writer();
        var (store, _) = Stores(db, writer);
        var test = await WorkspaceTestCase.CreateAsync(db, writer);

        Assert.True(await store.IsAssignedAsync(test.CaseId, test.AdvocateId));
        Assert.False(await store.IsAssignedAsync(test.CaseId, Guid.NewGuid()));
        var listed = Assert.Single(await store.AssignedToAsync(test.AdvocateId));
        Assert.Equal((test.CaseId, "work", "new"), (listed.Id, listed.Channel, listed.Status));
        Assert.Empty(await store.AssignedToAsync(Guid.NewGuid()));
    }

    [Fact]
    public async Task The_case_file_gives_each_reader_only_the_content_keys_sealed_to_her_and_they_open_the_testimony()
    {
        await using var db = await LedgerTestDatabase.CreateAsync("workspace_read");
        await using var writer = db.Writer();
        var (store, _) = Stores(db, writer);
        var test = await WorkspaceTestCase.CreateAsync(db, writer);
        var kid = RecipientKeys.KeyId(test.AdvocatePublicKey);

        var file = await store.ReadAsync(test.CaseId, [kid]);
        var stranger = await store.ReadAsync(test.CaseId, [RecipientKeys.KeyId(HpkeSuite.GenerateKeyPair().PublicKey)]);

        var submission = Assert.Single(file!.Entries);
        Assert.Equal(LedgerEntryKind.Submission, submission.Kind);
        var sealedKey = submission.SealedKeys[Base64UrlStrict.Encode(kid)];
        var header = Envelope.Parse(ToEnvelopeJson(submission.Record, Base64UrlStrict.Encode(kid), sealedKey)).Header;
        Assert.Equal(test.HeaderHash, header.ComputeHash());
        var envelope = Envelope.Parse(ToEnvelopeJson(submission.Record, Base64UrlStrict.Encode(kid), sealedKey));
        Assert.Equal(test.ContentKey, EnvelopeOpener.OpenContentKey(envelope, test.AdvocatePrivateKey));
        Assert.Empty(Assert.Single(stranger!.Entries).SealedKeys);
        Assert.Null(await store.ReadAsync(Guid.NewGuid(), [kid]));
    }

    [Fact]
    public async Task A_reply_reaches_the_survivor_and_a_note_does_not()
    {
        await using var db = await LedgerTestDatabase.CreateAsync("workspace_reply");
        await using var writer = db.Writer();
        var (store, uploads) = Stores(db, writer);
        var test = await WorkspaceTestCase.CreateAsync(db, writer);
        var reply = await test.MessageAsync(uploads, "work", toSurvivor: true, "we read your account");
        var note = await test.MessageAsync(uploads, "work", toSurvivor: false, "team only");

        await store.AddMessageAsync(test.CaseId, test.AdvocateId, LedgerEntryKind.Reply, reply.Envelope, [reply.Upload]);
        await store.AddMessageAsync(test.CaseId, test.AdvocateId, LedgerEntryKind.Note, note.Envelope, [note.Upload]);

        var survivorKid = RecipientKeys.KeyId(test.ReplyPublicKey);
        var file = await store.ReadAsync(test.CaseId, [RecipientKeys.KeyId(test.AdvocatePublicKey)]);
        Assert.Equal([LedgerEntryKind.Submission, LedgerEntryKind.Reply, LedgerEntryKind.Note], file!.Entries.Select(e => e.Kind));
        Assert.All(file.Entries.Skip(1), e => Assert.Equal(test.AdvocateId, e.Author));
        // What the survivor's lookup returns: the reply only, with the key sealed to her.
        var cases = new CaseStore(db.App, uploads, writer, new LedgerPurger(writer, db.App, db.Purger), db.Purger,
            new Intake.Storage.Retention.LegalHoldStore(db.App, writer, TimeProvider.System));
        var lookupId = await LookupIdAsync(db, test.CaseId);
        var view = await cases.FindAsync(lookupId);
        var seen = Assert.Single(view!.Replies!);
        var envelope = Envelope.Parse(ToEnvelopeJson(Encoding(seen.Record), Base64UrlStrict.Encode(survivorKid), seen.SealedKey));
        Assert.Equal(reply.ContentKey, EnvelopeOpener.OpenContentKey(envelope, test.ReplyPrivateKey));
        Assert.Equal(test.HeaderHash, envelope.Header.Parent!.Value.ToArray());
    }

    [Fact]
    public async Task A_reply_must_answer_this_case_and_reach_the_survivor_and_a_note_must_not()
    {
        await using var db = await LedgerTestDatabase.CreateAsync("workspace_reply_bad");
        await using var writer = db.Writer();
        var (store, uploads) = Stores(db, writer);
        var test = await WorkspaceTestCase.CreateAsync(db, writer);
        var other = await WorkspaceTestCase.CreateAsync(db, writer, "other");
        var before = (await db.ReadAllAsync()).Count;

        var noteAsReply = await test.MessageAsync(uploads, "work", toSurvivor: false, "x");
        var failure = await Assert.ThrowsAsync<WorkspaceException>(() =>
            store.AddMessageAsync(test.CaseId, test.AdvocateId, LedgerEntryKind.Reply, noteAsReply.Envelope, [noteAsReply.Upload]));
        Assert.Equal("envelope.recipients", failure.Field);
        var replyAsNote = await test.MessageAsync(uploads, "work", toSurvivor: true, "x");
        failure = await Assert.ThrowsAsync<WorkspaceException>(() =>
            store.AddMessageAsync(test.CaseId, test.AdvocateId, LedgerEntryKind.Note, replyAsNote.Envelope, [replyAsNote.Upload]));
        Assert.Equal("envelope.recipients", failure.Field);
        var elsewhere = await other.MessageAsync(uploads, "other", toSurvivor: true, "x");
        failure = await Assert.ThrowsAsync<WorkspaceException>(() =>
            store.AddMessageAsync(test.CaseId, test.AdvocateId, LedgerEntryKind.Reply, elsewhere.Envelope, [elsewhere.Upload]));
        Assert.Equal("envelope.parent", failure.Field);
        var missing = await test.MessageAsync(uploads, "work", toSurvivor: true, "x");
        await Assert.ThrowsAsync<SubmissionException>(() =>
            store.AddMessageAsync(test.CaseId, test.AdvocateId, LedgerEntryKind.Reply, missing.Envelope, [Guid.NewGuid()]));

        Assert.Equal(before, (await db.ReadAllAsync()).Count);
    }

    [Fact]
    public async Task Status_changes_and_accesses_are_ledger_entries_naming_the_advocate()
    {
        await using var db = await LedgerTestDatabase.CreateAsync("workspace_status");
        await using var writer = db.Writer();
        var (store, _) = Stores(db, writer);
        var test = await WorkspaceTestCase.CreateAsync(db, writer);

        await store.RecordAccessAsync(test.CaseId, test.AdvocateId, "case.open");
        await store.ChangeStatusAsync(test.CaseId, test.AdvocateId, "in_review");
        var bad = await Assert.ThrowsAsync<WorkspaceException>(() => store.ChangeStatusAsync(test.CaseId, test.AdvocateId, "withdrawn"));

        Assert.Equal(WorkspaceFailure.Invalid, bad.Kind);
        Assert.Equal("in_review", (await store.FactsAsync(test.CaseId))!.Status);
        var rows = (await db.ReadAllAsync()).Where(r => r.Leaf.CaseId == test.CaseId && r.Leaf.Kind is LedgerEntryKind.Access or LedgerEntryKind.StatusChange).ToList();
        Assert.Equal([LedgerEntryKind.Access, LedgerEntryKind.StatusChange], rows.Select(r => r.Leaf.Kind));
        Assert.All(rows, r => Assert.Equal(test.AdvocateId.ToString(),
            JsonDocument.Parse(r.Leaf.Metadata.ToArray()).RootElement.GetProperty("actor").GetString()));
    }

    private static byte[] Encoding(byte[] record) => record;

    private static string ToEnvelopeJson(byte[] record, string kid, byte[] sealedKey) =>
        ToEnvelopeJson(System.Text.Encoding.UTF8.GetString(record), kid, sealedKey);

    /// <summary>Rebuilds an envelope with one recipient from a stored record, as a reader's browser does.</summary>
    private static string ToEnvelopeJson(string record, string kid, byte[] sealedKey)
    {
        using var document = JsonDocument.Parse(record);
        var root = document.RootElement;
        var kids = root.GetProperty("kids").EnumerateArray().Select(k => k.GetString()!).ToList();
        // Every recipient slot must be present for the header hash; the others get placeholder bytes that are never opened.
        var placeholder = new byte[113];
        placeholder[0] = 4;
        var recipients = kids.Select(k =>
        {
            var wrapped = k == kid ? sealedKey : placeholder;
            return new { kid = k, enc = Base64UrlStrict.Encode(wrapped[..65]), sealedKey = Base64UrlStrict.Encode(wrapped[65..]) };
        });
        var json = new Dictionary<string, object?>
        {
            ["v"] = 1,
            ["kind"] = root.GetProperty("kind").GetString(),
            ["channel"] = root.GetProperty("channel").GetString(),
        };
        if (root.TryGetProperty("parent", out var parent))
        {
            json["parent"] = parent.GetString();
        }
        json["replyKey"] = root.GetProperty("replyKey").GetString();
        json["recipients"] = recipients;
        json["streams"] = root.GetProperty("streams").EnumerateArray().Select(s => s.GetString()).ToList();
        return JsonSerializer.Serialize(json);
    }

    private static async Task<byte[]> LookupIdAsync(LedgerTestDatabase db, Guid caseId)
    {
        await using var command = db.App.CreateCommand("SELECT lookup_id FROM intake.cases WHERE id = @id");
        command.Parameters.AddWithValue("id", caseId);
        return (byte[])(await command.ExecuteScalarAsync())!;
    }
}
