using System.Security.Cryptography;
using Intake.Core.Crypto;
using Intake.Storage.Cases;
using Intake.Storage.Tests.Ledger;
using Npgsql;

namespace Intake.Storage.Tests.Workspace;

/// <summary>A channel with one advocate key, one submitted case assigned to her, and the keys to open it.</summary>
internal sealed record WorkspaceTestCase(
    Guid CaseId, byte[] HeaderHash, byte[] ReplyPrivateKey, byte[] ReplyPublicKey, byte[] AdvocatePrivateKey, byte[] AdvocatePublicKey,
    byte[] ContentKey, Guid AdvocateId, long SubmissionSequence)
{
    public static async Task<WorkspaceTestCase> CreateAsync(LedgerTestDatabase db, Intake.Storage.Ledger.LedgerWriter writer, string channel = "work")
    {
        var directory = new ChannelDirectory(db.App, writer);
        var (advocatePrivate, advocatePublic) = HpkeSuite.GenerateKeyPair();
        await directory.AddChannelAsync(new Channel(channel, "Work", "工作"), "test");
        await directory.AddKeyAsync(channel, advocatePublic, "test");
        var uploads = new UploadStore(db.App);
        var content = "{\"v\":1,\"narrative\":\"test\"}"u8.ToArray();
        var contentKey = EnvelopeSealer.GenerateContentKey();
        var (replyPrivate, replyPublic) = HpkeSuite.GenerateKeyPair();
        var header = StreamHeader.Create(StreamPurpose.Body, content.Length);
        var envelope = EnvelopeSealer.Seal(EnvelopeKind.Submission, channel, null, replyPublic, [advocatePublic], [header], contentKey);
        var upload = await UploadAsync(uploads, contentKey, envelope.Header.ComputeHash(), header, content);
        var accepted = await new SubmissionStore(db.App, uploads, writer)
            .AcceptAsync(new SubmissionRequest(envelope, [upload], RandomNumberGenerator.GetBytes(32), [7]));
        var advocateId = Guid.NewGuid();
        await AssignAsync(db.App, accepted.CaseId, advocateId, accepted.Sequence);
        return new WorkspaceTestCase(accepted.CaseId, accepted.HeaderHash, replyPrivate, replyPublic, advocatePrivate, advocatePublic,
            contentKey, advocateId, accepted.Sequence);
    }

    public static async Task<Guid> UploadAsync(UploadStore uploads, byte[] contentKey, byte[] headerHash, StreamHeader header, byte[] content)
    {
        using var sealedStream = new MemoryStream();
        await ContentStreamSealer.SealAsync(contentKey, headerHash, header, new MemoryStream(content), content.Length, sealedStream);
        var bytes = sealedStream.ToArray();
        var upload = await uploads.CreateAsync(bytes[..30], long.MaxValue);
        await uploads.AppendPartAsync(upload.Id, 0, bytes);
        return upload.Id;
    }

    /// <summary>What routing does when it assigns a case (tested with routing); here, one row.</summary>
    public static async Task AssignAsync(NpgsqlDataSource app, Guid caseId, Guid advocateId, long sequence)
    {
        await using var insert = app.CreateCommand("""
            INSERT INTO intake.case_assignments (id, case_id, advocate_id, assigned_seq, assigned_at)
            VALUES (gen_random_uuid(), @case, @advocate, @seq, date_trunc('hour', now()))
            """);
        insert.Parameters.AddWithValue("case", caseId);
        insert.Parameters.AddWithValue("advocate", advocateId);
        insert.Parameters.AddWithValue("seq", sequence);
        await insert.ExecuteNonQueryAsync();
    }

    /// <summary>A reply (to the survivor and the team) or a note (team only) with one body stream.</summary>
    public async Task<(Envelope Envelope, Guid Upload, byte[] ContentKey)> MessageAsync(UploadStore uploads, string channel, bool toSurvivor, string text)
    {
        var key = EnvelopeSealer.GenerateContentKey();
        var content = System.Text.Encoding.UTF8.GetBytes($"{{\"v\":1,\"message\":\"{text}\",\"attachments\":[]}}");
        var header = StreamHeader.Create(StreamPurpose.Body, content.Length);
        IReadOnlyList<ReadOnlyMemory<byte>> recipients = toSurvivor ? [ReplyPublicKey, AdvocatePublicKey] : [AdvocatePublicKey];
        var envelope = EnvelopeSealer.Seal(EnvelopeKind.Reply, channel, HeaderHash, ReplyPublicKey, recipients, [header], key);
        var upload = await UploadAsync(uploads, key, envelope.Header.ComputeHash(), header, content);
        return (envelope, upload, key);
    }
}
