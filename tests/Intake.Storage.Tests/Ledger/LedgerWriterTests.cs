using System.Security.Cryptography;
using System.Text;
using Intake.Core.Ledger;
using Intake.Storage.Ledger;
using Npgsql;

namespace Intake.Storage.Tests.Ledger;

public sealed class LedgerWriterTests
{
    private static async Task AssertLogIsWholeAsync(LedgerTestDatabase db, long expectedSize)
    {
        var rows = await db.ReadAllAsync();
        Assert.Equal(expectedSize, rows.Count);
        Assert.Equal(Enumerable.Range(0, (int)expectedSize).Select(i => (long)i), rows.Select(r => r.Seq));
        Assert.All(rows, r => Assert.Equal(r.Leaf.LeafHash(), r.LeafHash));
        var head = await db.Reader.GetHeadAsync();
        Assert.Equal(expectedSize, head.TreeSize);
        Assert.Equal(MerkleTree.ComputeRoot(rows.Select(r => r.LeafHash).ToList()), head.RootHash);
    }

    [Fact]
    public async Task Appends_get_consecutive_sequence_numbers_and_the_head_root_is_the_tree_root()
    {
        await using var db = await LedgerTestDatabase.CreateAsync("ledger_seq");
        await using var writer = db.Writer();

        var appended = new List<AppendedEntry>();
        for (var i = 0; i < 10; i++)
        {
            appended.Add(await writer.AppendAsync(LedgerTestDatabase.Submission($"entry {i}")));
        }

        Assert.Equal(Enumerable.Range(0, 10).Select(i => (long)i), appended.Select(a => a.Sequence));
        await AssertLogIsWholeAsync(db, 10);
        var stored = await db.Reader.GetLeafAsync(3);
        Assert.Equal(SHA256.HashData(LedgerTestDatabase.Submission("entry 3").Payload!.Value.Span), stored!.PayloadHash);
    }

    [Fact]
    public async Task Sixty_four_concurrent_writers_make_a_gap_free_verifiable_log()
    {
        await using var db = await LedgerTestDatabase.CreateAsync("ledger_concurrent");
        await using var writer = db.Writer();

        var results = await Task.WhenAll(Enumerable.Range(0, 64).Select(async w =>
        {
            var mine = new List<long>();
            for (var i = 0; i < 25; i++)
            {
                mine.Add((await writer.AppendAsync(LedgerTestDatabase.Submission($"w{w}-{i}", 1024))).Sequence);
            }
            return mine;
        }));

        Assert.Equal(64 * 25, results.SelectMany(r => r).Distinct().Count());
        await AssertLogIsWholeAsync(db, 64 * 25);
    }

    [Fact]
    public async Task Two_writers_in_different_processes_share_one_gap_free_sequence()
    {
        await using var db = await LedgerTestDatabase.CreateAsync("ledger_two_writers");
        // Separate data sources: as separate processes, they share nothing but PostgreSQL.
        await using var otherSource = NpgsqlDataSource.Create(db.Database.App);
        await using var first = db.Writer();
        await using var second = db.Writer(otherSource);

        await Task.WhenAll(Enumerable.Range(0, 400).Select(i =>
            (i % 2 == 0 ? first : second).AppendAsync(LedgerTestDatabase.Submission($"entry {i}"))));

        await AssertLogIsWholeAsync(db, 400);
    }

    [Fact]
    public async Task Every_inclusion_and_consistency_proof_verifies_against_the_stored_tree()
    {
        await using var db = await LedgerTestDatabase.CreateAsync("ledger_proofs");
        await using var writer = db.Writer();
        var roots = new List<byte[]> { MerkleHash.EmptyTreeHash() };
        for (var i = 0; i < 37; i++)
        {
            await writer.AppendAsync(LedgerTestDatabase.Submission($"entry {i}"));
            roots.Add((await db.Reader.GetHeadAsync()).RootHash);
        }
        var leaves = (await db.ReadAllAsync()).Select(r => r.LeafHash).ToList();

        for (long size = 1; size <= 37; size++)
        {
            for (long index = 0; index < size; index++)
            {
                var proof = await db.Reader.GetInclusionProofAsync(index, size);
                Assert.True(MerkleVerifier.VerifyInclusion(index, size, leaves[(int)index], proof, roots[(int)size]), $"inclusion {index} in {size}");
            }
            for (long first = 1; first <= size; first++)
            {
                var proof = await db.Reader.GetConsistencyProofAsync(first, size);
                Assert.True(MerkleVerifier.VerifyConsistency(first, size, roots[(int)first], roots[(int)size], proof), $"consistency {first} -> {size}");
            }
        }
    }

    [Fact]
    public async Task A_head_that_the_stored_tree_does_not_back_is_never_signed()
    {
        await using var db = await LedgerTestDatabase.CreateAsync("ledger_forged_head");
        await using var writer = db.Writer();
        for (var i = 0; i < 5; i++)
        {
            await writer.AppendAsync(LedgerTestDatabase.Submission($"entry {i}"));
        }
        using var signer = new Intake.Core.Crypto.NoteSigner("intake-test", System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256));
        var checkpointer = new LedgerCheckpointer(db.App, signer, "intake-test", TimeProvider.System);
        Assert.Equal(5, (await checkpointer.CheckpointAsync()).TreeSize);
        await using (var superuser = NpgsqlDataSource.Create(db.Database.Superuser))
        await using (var forge = superuser.CreateCommand(
            "SET session_replication_role = replica; UPDATE intake.ledger_head SET root_hash = sha256('forged'::bytea)"))
        {
            await forge.ExecuteNonQueryAsync();
        }

        await Assert.ThrowsAsync<InvalidOperationException>(() => checkpointer.CheckpointAsync());
        Assert.Equal(5, (await db.Reader.GetLatestCheckpointAsync())!.TreeSize);
    }

    [Fact]
    public async Task A_proof_beyond_the_tree_is_refused()
    {
        await using var db = await LedgerTestDatabase.CreateAsync("ledger_proof_range");
        await using var writer = db.Writer();
        await writer.AppendAsync(LedgerTestDatabase.Submission("only"));

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => db.Reader.GetInclusionProofAsync(1, 1));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => db.Reader.GetInclusionProofAsync(0, 2));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => db.Reader.GetConsistencyProofAsync(2, 1));
    }

    [Theory]
    [InlineData(LedgerEntryKind.PurgeTombstone, null)]
    [InlineData(LedgerEntryKind.Submission, 0L)]
    [InlineData((LedgerEntryKind)99, null)]
    public async Task A_malformed_append_is_refused_before_it_reaches_the_database(LedgerEntryKind kind, long? purged)
    {
        await using var db = await LedgerTestDatabase.CreateAsync("ledger_malformed");
        await using var writer = db.Writer();

        await Assert.ThrowsAsync<LedgerAppendException>(() => writer.AppendAsync(new LedgerAppend(kind, PurgedSequence: purged)));

        await AssertLogIsWholeAsync(db, 0);
    }

    [Fact]
    public async Task A_bad_tombstone_fails_alone_and_the_rest_of_its_batch_commits()
    {
        await using var db = await LedgerTestDatabase.CreateAsync("ledger_bad_tombstone");
        await using var writer = db.Writer();
        await writer.AppendAsync(LedgerTestDatabase.Submission("target"));

        var good = Enumerable.Range(0, 20).Select(i => writer.AppendAsync(LedgerTestDatabase.Submission($"good {i}"))).ToList();
        var missing = writer.AppendAsync(new LedgerAppend(LedgerEntryKind.PurgeTombstone, PurgedSequence: 500));
        var first = writer.AppendAsync(new LedgerAppend(LedgerEntryKind.PurgeTombstone, PurgedSequence: 0));
        await Task.WhenAll(good);
        await first;

        await Assert.ThrowsAsync<LedgerAppendException>(() => missing);
        var tombstone = (await db.ReadAllAsync()).Single(r => r.Leaf.Kind == LedgerEntryKind.PurgeTombstone).Seq;
        await Assert.ThrowsAsync<LedgerAppendException>(() => writer.AppendAsync(new LedgerAppend(LedgerEntryKind.PurgeTombstone, PurgedSequence: tombstone)));
        await Assert.ThrowsAsync<LedgerAppendException>(() => writer.AppendAsync(new LedgerAppend(LedgerEntryKind.PurgeTombstone, Payload: new byte[] { 1 }, PurgedSequence: 1)));
        await Assert.ThrowsAsync<LedgerAppendException>(() => writer.AppendAsync(new LedgerAppend(LedgerEntryKind.PurgeTombstone, PurgedSequence: 0)));
        await AssertLogIsWholeAsync(db, 22);
    }

    [Fact]
    public async Task A_connection_killed_mid_batch_leaves_no_partial_entry_and_the_writer_carries_on()
    {
        await using var db = await LedgerTestDatabase.CreateAsync("ledger_crash");
        await using var writer = db.Writer();
        await using var killer = NpgsqlDataSource.Create(db.Database.Superuser);
        using var stop = new CancellationTokenSource();
        var kills = 0;
        // Kill the writer's busy backend a few times while batches are in flight, as a crash
        // of the process would: PostgreSQL rolls the open transaction back.
        var killing = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested && kills < 5)
            {
                await using var command = killer.CreateCommand(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = 'intake-ledger-test' AND datname = current_database() AND state <> 'idle'");
                kills += Convert.ToInt32(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
                await Task.Delay(40);
            }
        });

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 3000).Select(async i =>
        {
            var marker = $"crash-marker-{i:D4}";
            try
            {
                return (marker, (long?)(await writer.AppendAsync(LedgerTestDatabase.Submission(marker, 16 * 1024))).Sequence);
            }
            catch (LedgerAppendException)
            {
                return (marker, null);
            }
        }));
        await stop.CancelAsync();
        await killing;

        Assert.True(kills > 0, "no backend was killed: the test proved nothing");
        Assert.Contains(outcomes, o => o.Item2 is null);
        var committed = outcomes.Where(o => o.Item2 is not null).ToList();
        Assert.NotEmpty(committed);
        await AssertLogIsWholeAsync(db, committed.Count);
        var stored = await StoredPayloadsAsync(db);
        Assert.Equal(committed.Select(c => c.marker).Order(), stored.Order());
        // And the writer still works afterwards.
        var after = await writer.AppendAsync(LedgerTestDatabase.Submission("after the crash"));
        Assert.Equal(committed.Count, after.Sequence);
    }

    private static async Task<List<string>> StoredPayloadsAsync(LedgerTestDatabase db)
    {
        var markers = new List<string>();
        await using var command = db.App.CreateCommand("SELECT ciphertext FROM intake.ledger_payloads");
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            markers.Add(Encoding.UTF8.GetString((byte[])reader[0]).TrimEnd('.'));
        }
        return markers;
    }
}
