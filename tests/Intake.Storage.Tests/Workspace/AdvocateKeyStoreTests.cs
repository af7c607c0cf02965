using System.Text.Json;
using Intake.Core.Crypto;
using Intake.Core.Ledger;
using Intake.Storage.Cases;
using Intake.Storage.Ledger;
using Intake.Storage.Tests.Ledger;
using Intake.Storage.Workspace;
using Npgsql;

namespace Intake.Storage.Tests.Workspace;

public sealed class AdvocateKeyStoreTests
{
    private const string Passphrase = "a long enough passphrase";

    private static (string Json, byte[] PrivateKey, byte[] PublicKey) NewWrappedKey()
    {
        var (privateKey, publicKey) = HpkeSuite.GenerateKeyPair();
        return (AdvocateKeyWrap.Wrap(privateKey, Passphrase).ToJson(), privateKey, publicKey);
    }

    private static async Task<(AdvocateKeyStore Keys, ChannelDirectory Directory)> StoresAsync(LedgerTestDatabase db, LedgerWriter writer)
    {
        var directory = new ChannelDirectory(db.App, writer);
        if ((await directory.ListActiveAsync()).Count == 0)
        {
            await directory.AddChannelAsync(new Channel("campus", "Campus", "校园"), "test");
            await directory.AddChannelAsync(new Channel("work", "Workplace", "职场"), "test");
        }
        return (new AdvocateKeyStore(db.App, writer, directory, db.Purger), directory);
    }

    private static async Task<List<JsonElement>> KeyDirectoryEntriesAsync(LedgerTestDatabase db)
    {
        var rows = await db.ReadAllAsync();
        return rows.Where(r => r.Leaf.Kind == LedgerEntryKind.KeyDirectoryChange)
            .Select(r => JsonDocument.Parse(r.Leaf.Metadata.ToArray()).RootElement.Clone()).ToList();
    }

    [Fact]
    public async Task An_approved_key_joins_the_chosen_channels_and_every_step_is_a_ledger_entry()
    {
        await using var db = await LedgerTestDatabase.CreateAsync("keys_approve");
        await using var writer = db.Writer();
        var (keys, directory) = await StoresAsync(db, writer);
        var advocate = Guid.NewGuid();
        var admin = Guid.NewGuid();
        var (json, _, publicKey) = NewWrappedKey();

        var enrolled = await keys.EnrolAsync(advocate, json);
        Assert.Equal("pending", enrolled.Status);
        Assert.Empty((await directory.CurrentKeysAsync("campus"))!); // not before approval

        await keys.ApproveAsync(enrolled.KeyId, admin, ["campus"]);

        Assert.Equal(publicKey, Assert.Single((await directory.CurrentKeysAsync("campus"))!).PublicKey);
        Assert.Empty((await directory.CurrentKeysAsync("work"))!);
        Assert.Equal("approved", (await keys.FindAsync(enrolled.KeyId))!.Status);
        var actions = (await KeyDirectoryEntriesAsync(db)).Select(e => e.GetProperty("action").GetString()).ToList();
        Assert.Equal(["key.enrol", "key.approve", "key.add"], actions);
        Assert.Equal(json, (await keys.ForAdvocateAsync(advocate)).Single().WrappedRecord);
    }

    [Fact]
    public async Task Nobody_approves_her_own_key_and_a_key_is_approved_once()
    {
        await using var db = await LedgerTestDatabase.CreateAsync("keys_self");
        await using var writer = db.Writer();
        var (keys, _) = await StoresAsync(db, writer);
        var advocate = Guid.NewGuid();
        var enrolled = await keys.EnrolAsync(advocate, NewWrappedKey().Json);

        var self = await Assert.ThrowsAsync<KeyChangeException>(() => keys.ApproveAsync(enrolled.KeyId, advocate, ["campus"]));
        Assert.Equal(KeyChangeFailure.Forbidden, self.Kind);
        var none = await Assert.ThrowsAsync<KeyChangeException>(() => keys.ApproveAsync(enrolled.KeyId, Guid.NewGuid(), []));
        Assert.Equal(KeyChangeFailure.Invalid, none.Kind);
        var unknown = await Assert.ThrowsAsync<KeyChangeException>(() => keys.ApproveAsync(enrolled.KeyId, Guid.NewGuid(), ["nowhere"]));
        Assert.Equal(KeyChangeFailure.Invalid, unknown.Kind);

        await keys.ApproveAsync(enrolled.KeyId, Guid.NewGuid(), ["campus"]);
        var twice = await Assert.ThrowsAsync<KeyChangeException>(() => keys.ApproveAsync(enrolled.KeyId, Guid.NewGuid(), ["campus"]));
        Assert.Equal(KeyChangeFailure.Conflict, twice.Kind);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("{}")]
    [InlineData("{\"v\":1,\"alg\":\"PBKDF2-SHA256/A256GCM\",\"iterations\":1000,\"salt\":\"AAAAAAAAAAAAAAAAAAAAAA\",\"nonce\":\"AAAAAAAAAAAAAAAA\",\"publicKey\":\"x\",\"wrappedKey\":\"y\"}")]
    public async Task A_malformed_or_weak_wrapped_key_is_refused_and_nothing_is_stored(string record)
    {
        await using var db = await LedgerTestDatabase.CreateAsync("keys_bad");
        await using var writer = db.Writer();
        var (keys, _) = await StoresAsync(db, writer);
        var before = (await db.ReadAllAsync()).Count;

        var refused = await Assert.ThrowsAsync<KeyChangeException>(() => keys.EnrolAsync(Guid.NewGuid(), record));

        Assert.Equal(KeyChangeFailure.Invalid, refused.Kind);
        Assert.Equal(before, (await db.ReadAllAsync()).Count);
    }

    [Fact]
    public async Task A_second_waiting_key_is_refused()
    {
        await using var db = await LedgerTestDatabase.CreateAsync("keys_twice");
        await using var writer = db.Writer();
        var (keys, _) = await StoresAsync(db, writer);
        var advocate = Guid.NewGuid();
        await keys.EnrolAsync(advocate, NewWrappedKey().Json);

        var refused = await Assert.ThrowsAsync<KeyChangeException>(() => keys.EnrolAsync(advocate, NewWrappedKey().Json));

        Assert.Equal(KeyChangeFailure.Conflict, refused.Kind);
        Assert.Single(await keys.ForAdvocateAsync(advocate));
    }

    [Fact]
    public async Task Rotation_retires_the_old_key_from_new_testimony_but_keeps_what_it_opens()
    {
        await using var db = await LedgerTestDatabase.CreateAsync("keys_rotate");
        await using var writer = db.Writer();
        var (keys, directory) = await StoresAsync(db, writer);
        var advocate = Guid.NewGuid();
        var first = await keys.EnrolAsync(advocate, NewWrappedKey().Json);
        await keys.ApproveAsync(first.KeyId, Guid.NewGuid(), ["campus"]);
        var second = await keys.EnrolAsync(advocate, NewWrappedKey().Json);

        await keys.ApproveAsync(second.KeyId, Guid.NewGuid(), ["campus"]);

        Assert.Equal(second.KeyId, Assert.Single((await directory.CurrentKeysAsync("campus"))!).KeyId);
        var mine = await keys.ForAdvocateAsync(advocate);
        Assert.Equal(["approved", "retired"], mine.Select(k => k.Status));
    }

    [Fact]
    public async Task Revocation_removes_the_key_from_every_directory_and_shreds_what_was_sealed_to_it_while_the_ledger_still_verifies()
    {
        await using var db = await LedgerTestDatabase.CreateAsync("keys_revoke");
        await using var writer = db.Writer();
        var (keys, directory) = await StoresAsync(db, writer);
        var advocate = Guid.NewGuid();
        var (json, privateKey, publicKey) = NewWrappedKey();
        var key = await keys.EnrolAsync(advocate, json);
        await keys.ApproveAsync(key.KeyId, Guid.NewGuid(), ["work"]);
        // A survivor's testimony sealed to this key and to another advocate's key.
        var other = await WorkspaceTestCase.CreateAsync(db, writer, "other");
        await directory.AddKeyAsync("work", other.AdvocatePublicKey, "test");
        var uploads = new UploadStore(db.App);
        var content = "testimony"u8.ToArray();
        var contentKey = EnvelopeSealer.GenerateContentKey();
        var (_, reply) = HpkeSuite.GenerateKeyPair();
        var header = StreamHeader.Create(StreamPurpose.Body, content.Length);
        var envelope = EnvelopeSealer.Seal(EnvelopeKind.Submission, "work", null, reply, [publicKey, other.AdvocatePublicKey], [header], contentKey);
        var upload = await WorkspaceTestCase.UploadAsync(uploads, contentKey, envelope.Header.ComputeHash(), header, content);
        var accepted = await new SubmissionStore(db.App, uploads, writer)
            .AcceptAsync(new SubmissionRequest(envelope, [upload], System.Security.Cryptography.RandomNumberGenerator.GetBytes(32), [7]));
        Assert.Equal(2, await CountWrappedAsync(db.App, accepted.Sequence));

        var shredded = await keys.RevokeAsync(key.KeyId, Guid.NewGuid(), "left the organisation");

        Assert.Equal(1, shredded);
        Assert.Equal(1, await CountWrappedAsync(db.App, accepted.Sequence)); // the other advocate still opens it
        Assert.DoesNotContain((await directory.CurrentKeysAsync("work"))!, k => k.KeyId.SequenceEqual(key.KeyId));
        Assert.Equal("revoked", (await keys.FindAsync(key.KeyId))!.Status);
        Assert.Empty(await keys.ForAdvocateAsync(advocate));
        using var signer = new NoteSigner("intake.test/workspace", System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256));
        await new LedgerCheckpointer(db.App, signer, "intake.test/workspace", TimeProvider.System).CheckpointAsync();
        var report = await new LedgerVerifier(db.App, NoteVerifierKey.FromSubjectPublicKeyInfo("intake.test/workspace", signer.ExportSubjectPublicKeyInfo())).VerifyAsync();
        Assert.True(report.Ok, report.Problem?.Reason);
        // Repeating the revocation is harmless (it finishes a shred a crash interrupted).
        Assert.Equal(0, await keys.RevokeAsync(key.KeyId, Guid.NewGuid(), "again"));
        Assert.Equal(1, (await KeyDirectoryEntriesAsync(db)).Count(e => e.GetProperty("action").GetString() == "key.revoke"));
    }

    [Fact]
    public async Task The_app_role_cannot_delete_wrapped_keys_of_a_key_that_is_not_revoked()
    {
        await using var db = await LedgerTestDatabase.CreateAsync("keys_shred_guard");
        await using var writer = db.Writer();
        var (keys, _) = await StoresAsync(db, writer);
        var key = await keys.EnrolAsync(Guid.NewGuid(), NewWrappedKey().Json);

        await using var shred = db.Purger.CreateCommand("SELECT intake.shred_revoked_key(@kid)");
        shred.Parameters.AddWithValue("kid", key.KeyId);
        var refused = await Assert.ThrowsAsync<PostgresException>(() => shred.ExecuteScalarAsync());
        Assert.Equal("42501", refused.SqlState);
        await using var direct = db.App.CreateCommand("SELECT intake.shred_revoked_key(@kid)");
        direct.Parameters.AddWithValue("kid", key.KeyId);
        Assert.Equal("42501", (await Assert.ThrowsAsync<PostgresException>(() => direct.ExecuteScalarAsync())).SqlState);
    }

    private static async Task<long> CountWrappedAsync(NpgsqlDataSource app, long sequence)
    {
        await using var count = app.CreateCommand("SELECT count(*) FROM intake.ledger_wrapped_keys WHERE seq = @seq");
        count.Parameters.AddWithValue("seq", sequence);
        return (long)(await count.ExecuteScalarAsync())!;
    }
}
