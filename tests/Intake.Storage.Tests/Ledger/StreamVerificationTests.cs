using System.Security.Cryptography;
using System.Text;
using Intake.Core.Crypto;
using Intake.Storage.Cases;
using Intake.Storage.Ledger;
using Npgsql;

namespace Intake.Storage.Tests.Ledger;

/// <summary>`ledger verify` also checks every stored stream against the digest its ledger entry recorded.</summary>
public sealed class StreamVerificationTests
{
    private static async Task<(LedgerTestDatabase Db, AcceptedSubmission Accepted, NoteVerifierKey Key)> SubmitAsync(string purpose)
    {
        var db = await LedgerTestDatabase.CreateAsync(purpose);
        await using var writer = db.Writer();
        var directory = new ChannelDirectory(db.App, writer);
        var (_, advocate) = HpkeSuite.GenerateKeyPair();
        await directory.AddChannelAsync(new Channel("verify", "Verify", "核验"), "test");
        await directory.AddKeyAsync("verify", advocate, "test");

        var content = Encoding.UTF8.GetBytes(new string('s', 100_000));
        var contentKey = EnvelopeSealer.GenerateContentKey();
        var (_, reply) = HpkeSuite.GenerateKeyPair();
        var header = StreamHeader.Create(StreamPurpose.Body, content.Length);
        var envelope = EnvelopeSealer.Seal(EnvelopeKind.Submission, "verify", null, reply, [advocate], [header], contentKey);
        using var sealedStream = new MemoryStream();
        await ContentStreamSealer.SealAsync(contentKey, envelope.Header.ComputeHash(), header, new MemoryStream(content), content.Length, sealedStream);
        var uploads = new UploadStore(db.App);
        var upload = await uploads.CreateAsync(sealedStream.ToArray()[..30], long.MaxValue);
        var bytes = sealedStream.ToArray();
        await uploads.AppendPartAsync(upload.Id, 0, bytes[..60_000]);
        await uploads.AppendPartAsync(upload.Id, 1, bytes[60_000..]);
        var accepted = await new SubmissionStore(db.App, uploads, writer).AcceptAsync(
            new SubmissionRequest(envelope, [upload.Id], RandomNumberGenerator.GetBytes(32), [1, 2, 3]));
        using var signer = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        return (db, accepted, NoteVerifierKey.FromSubjectPublicKeyInfo("intake-test", signer.ExportSubjectPublicKeyInfo()));
    }

    [Theory]
    [InlineData("none", null)]
    [InlineData("UPDATE intake.upload_parts SET bytes = set_byte(bytes, 500, get_byte(bytes, 500) # 1) WHERE part = 1", "does not match the digest")]
    [InlineData("DELETE FROM intake.upload_parts WHERE part = 0; DELETE FROM intake.uploads", "is missing")]
    public async Task A_changed_or_deleted_stream_is_named_by_its_entry(string tamper, string? expected)
    {
        var (db, accepted, key) = await SubmitAsync("ledger_streams");
        await using var _ = db;
        if (tamper != "none")
        {
            await using var superuser = NpgsqlDataSource.Create(db.Database.Superuser);
            await using var command = superuser.CreateCommand($"SET session_replication_role = replica; {tamper}");
            await command.ExecuteNonQueryAsync();
        }

        var result = await new LedgerVerifier(db.App, key).VerifyAsync();

        if (expected is null)
        {
            Assert.True(result.Ok, result.Problem?.Reason);
        }
        else
        {
            Assert.False(result.Ok);
            Assert.Equal(accepted.Sequence, result.Problem!.Sequence);
            Assert.Contains(expected, result.Problem.Reason, StringComparison.Ordinal);
        }
    }
}
