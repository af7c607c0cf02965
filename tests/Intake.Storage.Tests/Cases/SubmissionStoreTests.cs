using System.Security.Cryptography;
using Intake.Core.Crypto;
using Intake.Core.Ledger;
using Intake.Storage.Cases;
using Intake.Storage.Ledger;
using Intake.Storage.Tests.Ledger;

namespace Intake.Storage.Tests.Cases;

public sealed class SubmissionStoreTests
{
    private static async Task<SubmissionRequest> PrepareAsync(UploadStore uploads, byte[] advocate, byte[] lookupId)
    {
        var content = RandomNumberGenerator.GetBytes(2000);
        var contentKey = EnvelopeSealer.GenerateContentKey();
        var (_, reply) = HpkeSuite.GenerateKeyPair();
        var header = StreamHeader.Create(StreamPurpose.Body, content.Length);
        var envelope = EnvelopeSealer.Seal(EnvelopeKind.Submission, "race", null, reply, [advocate], [header], contentKey);
        using var sealedStream = new MemoryStream();
        await ContentStreamSealer.SealAsync(contentKey, envelope.Header.ComputeHash(), header, new MemoryStream(content), content.Length, sealedStream);
        var bytes = sealedStream.ToArray();
        var upload = await uploads.CreateAsync(bytes[..30], long.MaxValue);
        await uploads.AppendPartAsync(upload.Id, 0, bytes);
        return new SubmissionRequest(envelope, [upload.Id], lookupId, [7]);
    }

    [Fact]
    public async Task Racing_submissions_with_one_receipt_yield_one_case_and_the_rest_of_the_batch_commits()
    {
        await using var db = await LedgerTestDatabase.CreateAsync("submission_race");
        await using var writer = db.Writer();
        var directory = new ChannelDirectory(db.App, writer);
        var (_, advocate) = HpkeSuite.GenerateKeyPair();
        await directory.AddChannelAsync(new Channel("race", "Race", "竞争"), "test");
        await directory.AddKeyAsync("race", advocate, "test");
        var uploads = new UploadStore(db.App);
        var store = new SubmissionStore(db.App, uploads, writer);
        var shared = RandomNumberGenerator.GetBytes(32);
        var requests = new List<SubmissionRequest>();
        for (var i = 0; i < 24; i++)
        {
            requests.Add(await PrepareAsync(uploads, advocate, i % 3 == 0 ? shared : RandomNumberGenerator.GetBytes(32)));
        }

        // All at once, so several sharing the receipt pass the pre-check and meet in the writer.
        var outcomes = await Task.WhenAll(requests.Select(async r =>
        {
            try
            {
                return (Ok: true, Conflict: false, (await store.AcceptAsync(r)).Sequence);
            }
            catch (SubmissionException ex)
            {
                return (Ok: false, Conflict: ex.Kind == SubmissionFailure.Conflict, -1L);
            }
        }));

        Assert.Equal(16 + 1, outcomes.Count(o => o.Ok)); // every distinct receipt, and one of the eight sharing one
        Assert.Equal(7, outcomes.Count(o => !o.Ok && o.Conflict));
        var rows = await db.ReadAllAsync();
        Assert.Equal(Enumerable.Range(0, rows.Count).Select(i => (long)i), rows.Select(r => r.Seq)); // no gap
        Assert.Equal(17, rows.Count(r => r.Leaf.Kind == LedgerEntryKind.Submission));
        Assert.Equal(MerkleTree.ComputeRoot(rows.Select(r => r.LeafHash).ToList()), (await db.Reader.GetHeadAsync()).RootHash);
    }
}
