using System.Security.Cryptography;
using System.Text;
using Intake.Core.Crypto;
using Intake.Core.Ledger;
using Intake.Storage.Ledger;
using Npgsql;

namespace Intake.Storage.Tests.Ledger;

/// <summary>Append-only and crypto-shredding are enforced by the database, not by goodwill.</summary>
public sealed class LedgerProtectionTests : IAsyncLifetime
{
    private LedgerTestDatabase _db = null!;

    public async Task InitializeAsync()
    {
        _db = await LedgerTestDatabase.CreateAsync("ledger_protect");
        await using var writer = _db.Writer();
        for (var i = 0; i < 4; i++)
        {
            await writer.AppendAsync(LedgerTestDatabase.Submission($"protected {i}"));
        }
        using var signer = new NoteSigner("intake-test", ECDsa.Create(ECCurve.NamedCurves.nistP256));
        await new LedgerCheckpointer(_db.App, signer, "intake-test", TimeProvider.System).CheckpointAsync();
    }

    public async Task DisposeAsync() => await _db.DisposeAsync();

    public static TheoryData<string, string> Changes => new()
    {
        { "app", "UPDATE intake.ledger_entries SET kind = 2 WHERE seq = 0" },
        { "app", "DELETE FROM intake.ledger_entries WHERE seq = 0" },
        { "app", "UPDATE intake.ledger_payloads SET ciphertext = '\\x00' WHERE seq = 0" },
        { "app", "DELETE FROM intake.ledger_payloads WHERE seq = 0" },
        { "app", "DELETE FROM intake.ledger_wrapped_keys WHERE seq = 0" },
        { "app", "TRUNCATE intake.ledger_entries CASCADE" },
        { "app", "DELETE FROM intake.ledger_nodes" },
        { "app", "UPDATE intake.ledger_head SET tree_size = 0" },
        { "app", "SELECT intake.purge_payload(0)" },
        { "purger", "DELETE FROM intake.ledger_payloads WHERE seq = 0" },
        { "purger", "SELECT intake.purge_payload(0)" },
        // Even the schema owner goes through the triggers.
        { "migrator", "UPDATE intake.ledger_entries SET metadata = '\\x01' WHERE seq = 1" },
        { "migrator", "DELETE FROM intake.ledger_entries WHERE seq = 3" },
        { "migrator", "DELETE FROM intake.ledger_payloads WHERE seq = 1" },
        { "migrator", "TRUNCATE intake.ledger_payloads" },
        { "migrator", "UPDATE intake.ledger_checkpoints SET note = ''" },
    };

    [Theory]
    [MemberData(nameof(Changes))]
    public async Task Changes_other_than_appends_are_refused(string role, string sql)
    {
        var connection = role switch
        {
            "app" => _db.Database.App,
            "purger" => _db.Database.Purger,
            _ => _db.Database.Migrator,
        };
        await using var source = NpgsqlDataSource.Create(connection);
        await using var command = source.CreateCommand(sql);

        var error = await Assert.ThrowsAsync<PostgresException>(() => command.ExecuteNonQueryAsync());

        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, error.SqlState);
        Assert.Equal(4, (await _db.ReadAllAsync()).Count);
    }

    [Fact]
    public async Task Purge_removes_the_ciphertext_and_every_wrapped_key_and_keeps_the_tree_verifiable()
    {
        await using var writer = _db.Writer();
        var marker = $"purge-marker-{Guid.NewGuid():N}";
        var target = await writer.AppendAsync(LedgerTestDatabase.Submission(marker));
        var before = await _db.Reader.GetHeadAsync();
        var purger = new LedgerPurger(writer, _db.App, _db.Purger);

        Assert.True(await purger.PurgeAsync(target.Sequence));
        Assert.False(await purger.PurgeAsync(target.Sequence)); // idempotent

        var rows = await _db.ReadAllAsync();
        var tombstone = Assert.Single(rows, r => r.Leaf.Kind == LedgerEntryKind.PurgeTombstone);
        Assert.Equal(target.Sequence, tombstone.Leaf.PurgedSequence);
        Assert.Equal(target.LeafHash, rows.Single(r => r.Seq == target.Sequence).LeafHash);
        var after = await _db.Reader.GetHeadAsync();
        var consistency = await _db.Reader.GetConsistencyProofAsync(before.TreeSize, after.TreeSize);
        Assert.True(MerkleVerifier.VerifyConsistency(before.TreeSize, after.TreeSize, before.RootHash, after.RootHash, consistency));
        var inclusion = await _db.Reader.GetInclusionProofAsync(target.Sequence, after.TreeSize);
        Assert.True(MerkleVerifier.VerifyInclusion(target.Sequence, after.TreeSize, target.LeafHash, inclusion, after.RootHash));

        var dump = await _db.DumpAsync();
        Assert.Contains("ledger_entries", dump, StringComparison.Ordinal); // the dump is real
        Assert.Contains(Convert.ToHexStringLower(Encoding.UTF8.GetBytes("protected 0")), dump, StringComparison.Ordinal);
        Assert.DoesNotContain(Convert.ToHexStringLower(Encoding.UTF8.GetBytes(marker)), dump, StringComparison.Ordinal);
        Assert.DoesNotContain(Convert.ToHexStringLower(Encoding.UTF8.GetBytes("wrapped:" + marker)), dump, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_tombstone_cannot_be_purged()
    {
        await using var writer = _db.Writer();
        var target = await writer.AppendAsync(LedgerTestDatabase.Submission("to purge"));
        var purger = new LedgerPurger(writer, _db.App, _db.Purger);
        await purger.PurgeAsync(target.Sequence);
        var tombstone = (await _db.ReadAllAsync()).Single(r => r.Leaf.PurgedSequence == target.Sequence).Seq;

        await Assert.ThrowsAsync<LedgerAppendException>(() => purger.PurgeAsync(tombstone));
    }
}
