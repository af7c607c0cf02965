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

    /// <summary>The channel "race" with one advocate key, and the stores a submission goes through.</summary>
    private static async Task<(byte[] Advocate, UploadStore Uploads, SubmissionStore Store)> ChannelAsync(LedgerTestDatabase db, LedgerWriter writer)
    {
        var directory = new ChannelDirectory(db.App, writer);
        var (_, advocate) = HpkeSuite.GenerateKeyPair();
        await directory.AddChannelAsync(new Channel("race", "Race", "竞争"), "test");
        await directory.AddKeyAsync("race", advocate, "test");
        var uploads = new UploadStore(db.App);
        return (advocate, uploads, new SubmissionStore(db.App, uploads, writer));
    }

    [Fact]
    public async Task A_period_of_her_own_is_kept_with_each_case_of_a_batch_and_one_out_of_range_is_refused_storing_nothing()
    {
        await using var db = await LedgerTestDatabase.CreateAsync("submission_keep");
        await using var writer = db.Writer();
        var (advocate, uploads, store) = await ChannelAsync(db, writer);
        int?[] periods = [null, 30, 90, null, 180, 1, 3650];
        var requests = new List<SubmissionRequest>();
        foreach (var days in periods)
        {
            requests.Add((await PrepareAsync(uploads, advocate, RandomNumberGenerator.GetBytes(32))) with { KeepDays = days });
        }

        // Together, so the writer puts several in one batch.
        var accepted = await Task.WhenAll(requests.Select(r => store.AcceptAsync(r)));

        await using (var command = db.App.CreateCommand("SELECT id, keep_days FROM intake.cases"))
        {
            var stored = new Dictionary<Guid, int?>();
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                stored[reader.GetGuid(0)] = reader.IsDBNull(1) ? null : reader.GetInt32(1);
            }
            Assert.Equal(periods, accepted.Select(a => stored[a.CaseId]));
        }
        foreach (var bad in new[] { 0, -1, 3651 })
        {
            var request = (await PrepareAsync(uploads, advocate, RandomNumberGenerator.GetBytes(32))) with { KeepDays = bad };
            var refused = await Assert.ThrowsAsync<SubmissionException>(() => store.AcceptAsync(request));
            Assert.Equal((SubmissionFailure.Invalid, "keepDays"), (refused.Kind, refused.Field));
        }
        await using var count = db.App.CreateCommand("SELECT count(*) FROM intake.cases");
        Assert.Equal((long)periods.Length, await count.ExecuteScalarAsync());
    }

    [Fact]
    public async Task Racing_submissions_with_one_receipt_yield_one_case_and_the_rest_of_the_batch_commits()
    {
        await using var db = await LedgerTestDatabase.CreateAsync("submission_race");
        await using var writer = db.Writer();
        var (advocate, uploads, store) = await ChannelAsync(db, writer);
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

    [Fact]
    public async Task A_batch_written_together_keeps_every_case_vault_claim_and_hint_and_an_upload_claimed_twice_refuses_only_the_second()
    {
        await using var db = await LedgerTestDatabase.CreateAsync("submission_rows");
        await using var writer = db.Writer();
        var (advocate, uploads, store) = await ChannelAsync(db, writer);
        var requests = new List<SubmissionRequest>();
        for (var i = 0; i < 20; i++)
        {
            var request = await PrepareAsync(uploads, advocate, RandomNumberGenerator.GetBytes(32));
            requests.Add(i % 2 == 0 ? request with { Routing = new Intake.Core.Contracts.RoutingHints("zh") } : request);
        }
        // The same envelope and upload again under another receipt: both pass the checks before the writer.
        var twice = requests[5] with { LookupId = RandomNumberGenerator.GetBytes(32) };
        requests.Add(twice);

        var outcomes = await Task.WhenAll(requests.Select(async r =>
        {
            try
            {
                return (Request: r, Accepted: await store.AcceptAsync(r), Failure: (SubmissionException?)null);
            }
            catch (SubmissionException ex)
            {
                return (Request: r, Accepted: (AcceptedSubmission?)null, Failure: ex);
            }
        }));

        var refused = Assert.Single(outcomes, o => o.Failure is not null);
        // Refused by the writer ("uploads") when both met in one batch, or by the check before it ("uploads[0]") when the
        // first had already committed: which of the two depends on timing; both are the same conflict.
        Assert.Equal(SubmissionFailure.Conflict, refused.Failure!.Kind);
        Assert.Contains(refused.Failure.Field, new[] { "uploads", "uploads[0]" });
        Assert.Contains(refused.Request, new[] { requests[5], twice });
        var accepted = outcomes.Where(o => o.Accepted is not null).ToList();
        Assert.Equal(20, accepted.Count);
        await using var check = db.App.CreateCommand("""
            SELECT count(*) FILTER (WHERE v.case_id IS NOT NULL),
                   count(*) FILTER (WHERE c.submission_seq = ANY(@seqs)),
                   (SELECT count(*) FROM intake.uploads u WHERE u.case_id IS NOT NULL),
                   (SELECT count(*) FROM intake.case_routing r WHERE r.language = 'zh')
            FROM intake.cases c LEFT JOIN intake.case_vaults v ON v.case_id = c.id
            """);
        check.Parameters.AddWithValue("seqs", accepted.Select(a => a.Accepted!.Sequence).ToArray());
        await using var reader = await check.ExecuteReaderAsync();
        await reader.ReadAsync();
        Assert.Equal((20L, 20L, 20L, 10L), (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3)));
        var rows = await db.ReadAllAsync();
        Assert.Equal(Enumerable.Range(0, rows.Count).Select(i => (long)i), rows.Select(r => r.Seq));
        Assert.Equal(MerkleTree.ComputeRoot(rows.Select(r => r.LeafHash).ToList()), (await db.Reader.GetHeadAsync()).RootHash);
    }

    [Fact]
    public async Task An_uploads_digest_is_computed_when_its_last_part_arrives_and_is_the_one_the_ledger_commits_to()
    {
        await using var db = await LedgerTestDatabase.CreateAsync("upload_digest");
        await using var writer = db.Writer();
        var directory = new ChannelDirectory(db.App, writer);
        var (_, advocate) = HpkeSuite.GenerateKeyPair();
        await directory.AddChannelAsync(new Channel("race", "Race", "竞争"), "test");
        await directory.AddKeyAsync("race", advocate, "test");
        var uploads = new UploadStore(db.App);
        var content = RandomNumberGenerator.GetBytes(100_000);
        var contentKey = EnvelopeSealer.GenerateContentKey();
        var header = StreamHeader.Create(StreamPurpose.Body, content.Length);
        var envelope = EnvelopeSealer.Seal(EnvelopeKind.Submission, "race", null, HpkeSuite.GenerateKeyPair().PublicKey, [advocate], [header], contentKey);
        using var sealedStream = new MemoryStream();
        await ContentStreamSealer.SealAsync(contentKey, envelope.Header.ComputeHash(), header, new MemoryStream(content), content.Length, sealedStream);
        var bytes = sealedStream.ToArray();
        var upload = await uploads.CreateAsync(bytes[..30], long.MaxValue);

        async Task<byte[]?> StoredDigestAsync()
        {
            await using var select = db.App.CreateCommand("SELECT digest FROM intake.uploads WHERE id = @id");
            select.Parameters.AddWithValue("id", upload.Id);
            return await select.ExecuteScalarAsync() as byte[];
        }
        await uploads.AppendPartAsync(upload.Id, 0, bytes[..40_000]);
        await uploads.AppendPartAsync(upload.Id, 1, bytes[40_000..80_000]);
        Assert.Null(await StoredDigestAsync()); // not yet whole
        await uploads.AppendPartAsync(upload.Id, 2, bytes[80_000..]);
        await uploads.AppendPartAsync(upload.Id, 2, bytes[80_000..]); // a repeated last part changes nothing

        var digest = await StoredDigestAsync();
        Assert.Equal(SHA256.HashData(bytes), digest);
        Assert.Equal(digest, await uploads.DigestAsync(upload.Id));
        var accepted = await new SubmissionStore(db.App, uploads, writer)
            .AcceptAsync(new SubmissionRequest(envelope, [upload.Id], RandomNumberGenerator.GetBytes(32), [7]));
        await using var payload = db.App.CreateCommand("SELECT ciphertext FROM intake.ledger_payloads WHERE seq = @seq");
        payload.Parameters.AddWithValue("seq", accepted.Sequence);
        var record = System.Text.Json.JsonDocument.Parse((byte[])(await payload.ExecuteScalarAsync())!).RootElement;
        Assert.Equal(Base64UrlStrict.Encode(SHA256.HashData(bytes)), record.GetProperty("streamDigests")[0].GetString());
    }

    [Theory]
    [InlineData("unknown second upload", SubmissionFailure.NotFound, "uploads[1]")]
    [InlineData("incomplete second upload", SubmissionFailure.Invalid, "uploads[1]")]
    [InlineData("uploads swapped", SubmissionFailure.Invalid, "uploads[0]")]
    [InlineData("second upload claimed", SubmissionFailure.Conflict, "uploads[1]")]
    [InlineData("receipt taken and an unknown upload", SubmissionFailure.Conflict, "lookupId")]
    [InlineData("incomplete first upload and an unknown second", SubmissionFailure.Invalid, "uploads[0]")]
    public async Task The_receipt_and_uploads_read_together_name_the_first_culprit_and_store_nothing(string name, SubmissionFailure kind, string field)
    {
        await using var db = await LedgerTestDatabase.CreateAsync("submission_reads");
        await using var writer = db.Writer();
        var (advocate, uploads, store) = await ChannelAsync(db, writer);
        var contentKey = EnvelopeSealer.GenerateContentKey();
        var contents = new[] { RandomNumberGenerator.GetBytes(1500), RandomNumberGenerator.GetBytes(900) };
        StreamHeader[] headers = [StreamHeader.Create(StreamPurpose.Body, contents[0].Length), StreamHeader.Create(StreamPurpose.Attachment, contents[1].Length)];
        var envelope = EnvelopeSealer.Seal(EnvelopeKind.Submission, "race", null, HpkeSuite.GenerateKeyPair().PublicKey, [advocate], headers, contentKey);
        var ids = new List<Guid>();
        for (var i = 0; i < 2; i++)
        {
            using var sealedStream = new MemoryStream();
            await ContentStreamSealer.SealAsync(contentKey, envelope.Header.ComputeHash(), headers[i], new MemoryStream(contents[i]), contents[i].Length, sealedStream);
            var bytes = sealedStream.ToArray();
            var upload = await uploads.CreateAsync(bytes[..30], long.MaxValue);
            var incomplete = (name == "incomplete second upload" && i == 1) || (name.StartsWith("incomplete first", StringComparison.Ordinal) && i == 0);
            await uploads.AppendPartAsync(upload.Id, 0, incomplete ? bytes[..500] : bytes);
            ids.Add(upload.Id);
        }
        var request = new SubmissionRequest(envelope, ids, RandomNumberGenerator.GetBytes(32), [7]);
        switch (name)
        {
            case "unknown second upload" or "incomplete first upload and an unknown second": request = request with { Uploads = [ids[0], Guid.NewGuid()] }; break;
            case "uploads swapped": request = request with { Uploads = [ids[1], ids[0]] }; break;
            case "second upload claimed":
                var other = await PrepareAsync(uploads, advocate, RandomNumberGenerator.GetBytes(32));
                await using (var claim = db.App.CreateCommand("UPDATE intake.uploads SET case_id = (SELECT id FROM intake.cases) WHERE id = @id"))
                {
                    await store.AcceptAsync(other);
                    claim.Parameters.AddWithValue("id", ids[1]);
                    Assert.Equal(1, await claim.ExecuteNonQueryAsync());
                }
                break;
            case "receipt taken and an unknown upload":
                var first = await PrepareAsync(uploads, advocate, request.LookupId);
                await store.AcceptAsync(first);
                request = request with { Uploads = [Guid.NewGuid(), ids[1]] };
                break;
        }
        await using var count = db.App.CreateCommand("SELECT (SELECT count(*) FROM intake.cases) + (SELECT count(*) FROM intake.ledger_entries)");
        var before = (long)(await count.ExecuteScalarAsync())!;

        var refused = await Assert.ThrowsAsync<SubmissionException>(() => store.AcceptAsync(request));

        Assert.Equal((kind, field), (refused.Kind, refused.Field));
        Assert.Equal(before, (long)(await count.ExecuteScalarAsync())!);
    }

    [Fact]
    public async Task An_upload_completed_without_a_kept_digest_is_hashed_from_its_parts_when_submitted()
    {
        await using var db = await LedgerTestDatabase.CreateAsync("submission_old_digest");
        await using var writer = db.Writer();
        var (advocate, uploads, store) = await ChannelAsync(db, writer);
        var request = await PrepareAsync(uploads, advocate, RandomNumberGenerator.GetBytes(32));
        await using (var forget = db.App.CreateCommand("UPDATE intake.uploads SET digest = NULL WHERE id = @id"))
        {
            forget.Parameters.AddWithValue("id", request.Uploads[0]);
            Assert.Equal(1, await forget.ExecuteNonQueryAsync()); // as an upload completed before digests were kept
        }

        var accepted = await store.AcceptAsync(request);

        await using var check = db.App.CreateCommand("""
            SELECT convert_from(p.ciphertext, 'UTF8')::jsonb -> 'streamDigests' ->> 0,
                   (SELECT sha256(string_agg(bytes, ''::bytea ORDER BY part)) FROM intake.upload_parts WHERE upload_id = @upload)
            FROM intake.ledger_payloads p WHERE p.seq = @seq
            """);
        check.Parameters.AddWithValue("seq", accepted.Sequence);
        check.Parameters.AddWithValue("upload", request.Uploads[0]);
        await using var reader = await check.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        Assert.Equal(Base64UrlStrict.Encode((byte[])reader[1]), reader.GetString(0));
    }
}
