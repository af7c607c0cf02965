using System.Security.Cryptography;
using System.Text;
using Intake.Core.Crypto;
using Intake.Core.Ledger;
using Intake.Storage.Ledger;
using Npgsql;

namespace Intake.Storage.Tests.Ledger;

/// <summary>
/// <c>LedgerVerifier</c> against a real log: a clean one verifies; each way of tampering with it
/// directly in the database (as a superuser with triggers off) is caught and names the entry.
/// </summary>
public sealed class LedgerVerifierTests
{
    private const string Origin = "intake-test";

    /// <summary>A log of 30 entries: checkpoints at 8, 16 and 24; entry 2 purged (tombstone 16);
    /// entry 10 tombstoned but not yet shredded (tombstone 25, as after a crash mid-purge);
    /// entry 24 a status change without payload.</summary>
    private sealed class Log : IAsyncDisposable
    {
        public required LedgerTestDatabase Db { get; init; }
        public required NoteSigner Signer { get; init; }

        /// <summary>Not LedgerTestDatabase.App: the writer crash test kills busy backends by that
        /// connection's application name, on the whole server, while other classes run.</summary>
        public required NpgsqlDataSource App { get; init; }

        public LedgerReader Reader => new(App);

        public LedgerCheckpointer Checkpointer => new(App, Signer, Origin, TimeProvider.System);

        public LedgerWriter Writer() => Db.Writer(App);

        public LedgerVerifier Verifier(NoteSigner? trusted = null) =>
            new(App, NoteVerifierKey.FromSubjectPublicKeyInfo(Origin, (trusted ?? Signer).ExportSubjectPublicKeyInfo()), Origin);

        public static async Task<Log> CreateAsync(string purpose)
        {
            var db = await LedgerTestDatabase.CreateAsync(purpose);
            var log = new Log
            {
                Db = db,
                App = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(db.Database.App) { ApplicationName = "intake-ledger-verify-test" }.ConnectionString),
                Signer = new NoteSigner(Origin, ECDsa.Create(ECCurve.NamedCurves.nistP256)),
            };
            await using var writer = log.Writer();
            async Task AppendSubmissions(int count)
            {
                for (var i = 0; i < count; i++)
                {
                    await writer.AppendAsync(LedgerTestDatabase.Submission($"entry {Guid.NewGuid()}"));
                }
            }
            await AppendSubmissions(8);
            await log.Checkpointer.CheckpointAsync();
            await AppendSubmissions(8);
            await log.Checkpointer.CheckpointAsync();
            Assert.True(await new LedgerPurger(writer, log.App, log.Db.Purger).PurgeAsync(2));
            await AppendSubmissions(7);
            await log.Checkpointer.CheckpointAsync();
            await writer.AppendAsync(new LedgerAppend(LedgerEntryKind.StatusChange, Guid.NewGuid(), Metadata: "closed"u8.ToArray()));
            await writer.AppendAsync(new LedgerAppend(LedgerEntryKind.PurgeTombstone, PurgedSequence: 10));
            await AppendSubmissions(4);
            Assert.Equal(30, (await log.Reader.GetHeadAsync()).TreeSize);
            return log;
        }

        /// <summary>Runs SQL as the superuser with triggers and foreign keys off, as an attacker with the database would.</summary>
        public async Task TamperAsync(string sql, params (string Name, object Value)[] parameters)
        {
            await using var connection = new NpgsqlConnection(Db.Database.Superuser);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("SET session_replication_role = replica; " + sql, connection);
            foreach (var (name, value) in parameters)
            {
                command.Parameters.AddWithValue(name, value);
            }
            await command.ExecuteNonQueryAsync();
        }

        /// <summary>Recomputes ledger_nodes and ledger_head from the stored leaf hashes, covering the attacker's tracks.</summary>
        public async Task RebuildTreeAsync()
        {
            var frontier = new MerkleFrontier();
            var nodes = new List<(int Level, long Index, byte[] Hash)>();
            await using (var command = App.CreateCommand("SELECT leaf_hash FROM intake.ledger_entries ORDER BY seq"))
            await using (var reader = await command.ExecuteReaderAsync())
            {
                while (await reader.ReadAsync())
                {
                    frontier.Append((byte[])reader[0], (level, index, hash) => nodes.Add((level, index, hash)));
                }
            }
            await TamperAsync("DELETE FROM intake.ledger_nodes");
            foreach (var (level, index, hash) in nodes)
            {
                await TamperAsync("INSERT INTO intake.ledger_nodes (level, idx, hash) VALUES (@level, @idx, @hash)",
                    ("level", (short)level), ("idx", index), ("hash", hash));
            }
            await TamperAsync("UPDATE intake.ledger_head SET tree_size = @size, frontier = @frontier, root_hash = @root",
                ("size", frontier.Size), ("frontier", frontier.ToBytes()), ("root", frontier.Root()));
        }

        public async ValueTask DisposeAsync()
        {
            Signer.Dispose();
            await App.DisposeAsync();
            await Db.DisposeAsync();
        }
    }

    private static LedgerProblem AssertProblem(LedgerVerificationResult result)
    {
        Assert.False(result.Ok, "the verifier accepted a tampered log");
        return result.Problem!;
    }

    [Fact]
    public async Task A_clean_log_with_purges_and_checkpoints_verifies()
    {
        await using var log = await Log.CreateAsync("verify_clean");

        var result = await log.Verifier().VerifyAsync();

        Assert.True(result.Ok, result.Problem?.Reason);
        Assert.Equal(30, result.EntriesChecked);
        Assert.Equal(3, result.CheckpointsChecked);
        Assert.Equal((await log.Reader.GetHeadAsync()).RootHash, result.RootHash);
    }

    [Fact]
    public async Task An_empty_log_with_a_checkpoint_of_the_empty_tree_verifies()
    {
        await using var db = await LedgerTestDatabase.CreateAsync("verify_empty");
        await using var app = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(db.Database.App) { ApplicationName = "intake-ledger-verify-test" }.ConnectionString);
        using var signer = new NoteSigner(Origin, ECDsa.Create(ECCurve.NamedCurves.nistP256));
        await new LedgerCheckpointer(app, signer, Origin, TimeProvider.System).CheckpointAsync();

        var result = await new LedgerVerifier(app, NoteVerifierKey.FromSubjectPublicKeyInfo(Origin, signer.ExportSubjectPublicKeyInfo())).VerifyAsync();

        Assert.True(result.Ok, result.Problem?.Reason);
        Assert.Equal(0, result.EntriesChecked);
        Assert.Equal(1, result.CheckpointsChecked);
    }

    [Fact]
    public async Task One_byte_changed_in_a_payload_is_named_by_its_entry()
    {
        await using var log = await Log.CreateAsync("verify_payload_byte");
        await log.TamperAsync("UPDATE intake.ledger_payloads SET ciphertext = set_byte(ciphertext, 40, get_byte(ciphertext, 40) # 1) WHERE seq = 5");

        var problem = AssertProblem(await log.Verifier().VerifyAsync());

        Assert.Equal(5, problem.Sequence);
        Assert.Equal("entry 5: ciphertext does not match its hash", problem.Reason);
    }

    [Fact]
    public async Task A_deleted_entry_is_reported_missing()
    {
        await using var log = await Log.CreateAsync("verify_deleted");
        await log.TamperAsync("""
            DELETE FROM intake.ledger_wrapped_keys WHERE seq = 17;
            DELETE FROM intake.ledger_payloads WHERE seq = 17;
            DELETE FROM intake.ledger_entries WHERE seq = 17;
            """);

        var problem = AssertProblem(await log.Verifier().VerifyAsync());

        Assert.Equal(17, problem.Sequence);
        Assert.Equal("entry 17 is missing", problem.Reason);
    }

    [Fact]
    public async Task A_deleted_last_entry_is_reported_missing_against_the_head()
    {
        await using var log = await Log.CreateAsync("verify_deleted_last");
        await log.TamperAsync("""
            DELETE FROM intake.ledger_wrapped_keys WHERE seq = 29;
            DELETE FROM intake.ledger_payloads WHERE seq = 29;
            DELETE FROM intake.ledger_entries WHERE seq = 29;
            """);

        var problem = AssertProblem(await log.Verifier().VerifyAsync());

        Assert.Equal(29, problem.Sequence);
        Assert.StartsWith("entry 29 is missing", problem.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Two_swapped_rows_are_caught_at_the_first_of_them()
    {
        await using var log = await Log.CreateAsync("verify_swap");
        await log.TamperAsync("""
            UPDATE intake.ledger_entries SET seq = 1000000 WHERE seq = 3;
            UPDATE intake.ledger_entries SET seq = 3 WHERE seq = 7;
            UPDATE intake.ledger_entries SET seq = 7 WHERE seq = 1000000;
            """);

        var problem = AssertProblem(await log.Verifier().VerifyAsync());

        Assert.Equal(3, problem.Sequence);
        Assert.Equal("entry 3: stored leaf hash does not match the entry's contents", problem.Reason);
    }

    private static async Task ReplaceCiphertextConsistentlyAsync(Log log, long sequence)
    {
        var leaf = (await log.Reader.GetLeafAsync(sequence))!;
        var ciphertext = Encoding.UTF8.GetBytes("a different testimony".PadRight(256, '.'));
        var forged = leaf with { PayloadHash = SHA256.HashData(ciphertext) };
        await log.TamperAsync("""
            UPDATE intake.ledger_payloads SET ciphertext = @ciphertext WHERE seq = @seq;
            UPDATE intake.ledger_entries SET payload_hash = @hash, leaf_hash = @leaf WHERE seq = @seq;
            """, ("ciphertext", ciphertext), ("seq", sequence), ("hash", forged.PayloadHash!), ("leaf", forged.LeafHash()));
    }

    [Fact]
    public async Task A_consistently_forged_entry_is_caught_by_the_tree_node_above_it()
    {
        await using var log = await Log.CreateAsync("verify_forged_node");
        await ReplaceCiphertextConsistentlyAsync(log, 13);

        var problem = AssertProblem(await log.Verifier().VerifyAsync());

        // Entry 13 completes the node (level 1, index 6) over entries 12 and 13.
        Assert.Equal(13, problem.Sequence);
        Assert.Equal("entry 13: tree node (level 1, index 6) does not match the entries below it", problem.Reason);
    }

    [Fact]
    public async Task A_forged_entry_with_a_rebuilt_tree_is_caught_by_the_signed_checkpoint_which_names_the_range()
    {
        await using var log = await Log.CreateAsync("verify_forged_tree");
        await ReplaceCiphertextConsistentlyAsync(log, 12);
        await log.RebuildTreeAsync();

        var problem = AssertProblem(await log.Verifier().VerifyAsync());

        Assert.Equal(16, problem.CheckpointTreeSize);
        Assert.Equal(8, problem.RangeStart);
        Assert.Equal(15, problem.RangeEnd);
        Assert.Equal("checkpoint at size 16 does not match the log: the first difference is among entries 8..15", problem.Reason);
    }

    [Fact]
    public async Task A_deleted_tree_node_is_reported_at_the_entry_that_completes_it()
    {
        await using var log = await Log.CreateAsync("verify_node_deleted");
        // (level 2, index 1) covers entries 4..7.
        await log.TamperAsync("DELETE FROM intake.ledger_nodes WHERE level = 2 AND idx = 1");

        var problem = AssertProblem(await log.Verifier().VerifyAsync());

        Assert.Equal(7, problem.Sequence);
        Assert.Equal("entry 7: tree node (level 2, index 1) is missing", problem.Reason);
    }

    [Fact]
    public async Task A_payload_deleted_without_a_tombstone_is_reported()
    {
        await using var log = await Log.CreateAsync("verify_unrecorded_purge");
        await log.TamperAsync("DELETE FROM intake.ledger_wrapped_keys WHERE seq = 20; DELETE FROM intake.ledger_payloads WHERE seq = 20");

        var problem = AssertProblem(await log.Verifier().VerifyAsync());

        Assert.Equal(20, problem.Sequence);
        Assert.Equal("entry 20: ciphertext is missing and no purge was recorded", problem.Reason);
    }

    [Fact]
    public async Task Wrapped_keys_added_to_an_entry_without_a_payload_are_reported()
    {
        await using var log = await Log.CreateAsync("verify_keys_added");
        await log.TamperAsync("INSERT INTO intake.ledger_wrapped_keys (seq, key_id, wrapped) VALUES (24, '\\x00112233445566778899aabbccddeeff', '\\x01')");

        var problem = AssertProblem(await log.Verifier().VerifyAsync());

        Assert.Equal(24, problem.Sequence);
        Assert.Equal("entry 24: wrapped keys are stored for an entry without a payload", problem.Reason);
    }

    [Fact]
    public async Task Checkpoints_are_checked_with_the_trusted_key_never_one_from_the_database()
    {
        await using var log = await Log.CreateAsync("verify_other_key");
        using var other = new NoteSigner(Origin, ECDsa.Create(ECCurve.NamedCurves.nistP256));

        var problem = AssertProblem(await log.Verifier(trusted: other).VerifyAsync());

        Assert.Equal(8, problem.CheckpointTreeSize);
        Assert.Equal($"checkpoint at size 8 is not signed by the trusted key \"{Origin}\"", problem.Reason);
    }

    [Fact]
    public async Task A_saved_checkpoint_from_before_more_appends_is_extended_by_the_log()
    {
        await using var log = await Log.CreateAsync("verify_saved_ok");
        var head = await log.Reader.GetHeadAsync();
        // Saved by a third party, never stored in the database.
        var saved = log.Signer.Sign(new CheckpointBody(Origin, head.TreeSize, head.RootHash, DateOnly.FromDateTime(DateTime.UtcNow)).ToNoteBody());
        await using (var writer = log.Writer())
        {
            for (var i = 0; i < 11; i++)
            {
                await writer.AppendAsync(LedgerTestDatabase.Submission($"later {i}"));
            }
        }

        var result = await log.Verifier().VerifyExtendsAsync(saved);

        Assert.True(result.Ok, result.Problem?.Reason);
        Assert.Equal(41, result.EntriesChecked);
        Assert.Equal(3, result.CheckpointsChecked);
    }

    [Fact]
    public async Task A_saved_checkpoint_signed_by_another_key_is_refused()
    {
        await using var log = await Log.CreateAsync("verify_saved_other_key");
        using var other = new NoteSigner(Origin, ECDsa.Create(ECCurve.NamedCurves.nistP256));
        var head = await log.Reader.GetHeadAsync();
        var saved = other.Sign(new CheckpointBody(Origin, head.TreeSize, head.RootHash, DateOnly.FromDateTime(DateTime.UtcNow)).ToNoteBody());

        var problem = AssertProblem(await log.Verifier().VerifyExtendsAsync(saved));

        Assert.Equal($"the saved checkpoint is not signed by the trusted key \"{Origin}\"", problem.Reason);
    }

    [Fact]
    public async Task A_saved_checkpoint_whose_root_was_altered_is_refused()
    {
        await using var log = await Log.CreateAsync("verify_saved_altered");
        var stored = (await log.Reader.GetLatestCheckpointAsync())!;
        var lines = stored.Note.Split('\n');
        var root = Convert.FromBase64String(lines[2]);
        root[0] ^= 1;
        lines[2] = Convert.ToBase64String(root);
        var altered = string.Join('\n', lines);

        var problem = AssertProblem(await log.Verifier().VerifyExtendsAsync(altered));

        Assert.Equal("the saved checkpoint: its signature does not verify with the trusted key (the note was altered)", problem.Reason);
    }

    [Fact]
    public async Task A_validly_signed_saved_checkpoint_of_another_history_names_the_range_where_they_differ()
    {
        // What a stolen signing key allows: a checkpoint of a forked log. A saved one exposes it.
        await using var log = await Log.CreateAsync("verify_saved_fork");
        var forkRoot = SHA256.HashData("another history"u8);
        var saved = log.Signer.Sign(new CheckpointBody(Origin, 20, forkRoot, DateOnly.FromDateTime(DateTime.UtcNow)).ToNoteBody());

        var problem = AssertProblem(await log.Verifier().VerifyExtendsAsync(saved));

        Assert.Equal(20, problem.CheckpointTreeSize);
        Assert.Equal("the saved checkpoint at size 20 does not match the log: the first difference is among entries 16..19", problem.Reason);
    }

    [Fact]
    public async Task A_saved_checkpoint_beyond_the_log_means_the_log_was_cut_back()
    {
        await using var log = await Log.CreateAsync("verify_saved_beyond");
        var saved = log.Signer.Sign(new CheckpointBody(Origin, 45, SHA256.HashData("later"u8), DateOnly.FromDateTime(DateTime.UtcNow)).ToNoteBody());

        var problem = AssertProblem(await log.Verifier().VerifyExtendsAsync(saved));

        Assert.Equal(30, problem.Sequence);
        Assert.StartsWith("the saved checkpoint at size 45 is beyond the end of the log (30 entries)", problem.Reason, StringComparison.Ordinal);
    }
}
