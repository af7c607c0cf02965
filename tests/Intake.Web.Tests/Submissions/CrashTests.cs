using System.Net;
using System.Security.Cryptography;
using Intake.Core.Crypto;
using Intake.Storage;
using Intake.Storage.Cases;
using Intake.Storage.Ledger;
using Intake.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Intake.Web.Tests.Submissions;

/// <summary>
/// The process dies (SIGKILL) while submissions are being committed. Afterwards the ledger
/// verifies, every acknowledged submission is there, and no case exists without its entry or
/// the other way round; a restarted process carries on with the next sequence number.
/// </summary>
[Collection(WebCollection.Name)]
public sealed class CrashTests(WebFixture fixture)
{
    [Fact]
    public async Task Killing_Intake_mid_submission_leaves_no_partial_record_and_a_verifiable_ledger()
    {
        await using var database = await TestDatabase.CreateAsync("web_crash");
        await new MigrationRunner(database.Migrator, NullLogger<MigrationRunner>.Instance).MigrateAsync(Migration.All);
        await using var app = NpgsqlDataSource.Create(database.App);
        var (advocatePrivate, advocatePublic) = HpkeSuite.GenerateKeyPair();
        await using (var writer = new LedgerWriter(app, TimeProvider.System, NullLogger<LedgerWriter>.Instance))
        {
            var directory = new ChannelDirectory(app, writer);
            await directory.AddChannelAsync(new Channel("crash", "Crash", "崩溃"), "test");
            await directory.AddKeyAsync("crash", advocatePublic, "test");
        }
        var settings = fixture.Settings();
        settings["Database:App"] = database.App;
        settings["Database:Purger"] = database.Purger;
        settings["Submissions:ProofOfWorkBits"] = "8";

        var intake = IntakeProcess.Start(settings);
        await intake.WaitUntilHealthyAsync(TimeSpan.FromSeconds(60));
        using var client = new HttpClient { BaseAddress = intake.BaseAddress };
        var kit = new SubmissionKitForChannel("crash", advocatePublic);
        var prepared = new List<string>();
        for (var i = 0; i < 60; i++)
        {
            prepared.Add(await kit.PrepareAsync(client, $"testimony {i}"));
        }

        var sending = prepared.Select(json => kit.TrySubmitAsync(client, json)).ToList();
        await Task.Delay(150);
        intake.Kill();
        var outcomes = await Task.WhenAll(sending);
        await intake.DisposeAsync();

        var acknowledged = outcomes.Where(o => o is not null).Select(o => o!.Value).ToList();
        using (var key = ECDsa.Create())
        {
            key.ImportFromPem(await File.ReadAllTextAsync(fixture.SigningKeyFile));
            var verifier = new LedgerVerifier(app, NoteVerifierKey.FromSubjectPublicKeyInfo("intake-test", key.ExportSubjectPublicKeyInfo()));
            var result = await verifier.VerifyAsync();
            Assert.True(result.Ok, result.Problem?.Reason);
        }
        await using (var orphans = app.CreateCommand("""
            SELECT (SELECT count(*) FROM intake.cases c LEFT JOIN intake.ledger_entries e ON e.seq = c.submission_seq WHERE e.seq IS NULL),
                   (SELECT count(*) FROM intake.ledger_entries e LEFT JOIN intake.cases c ON c.submission_seq = e.seq WHERE e.kind = 1 AND c.id IS NULL),
                   (SELECT count(*) FROM intake.cases c LEFT JOIN intake.case_vaults v ON v.case_id = c.id WHERE v.case_id IS NULL),
                   (SELECT count(*) FROM intake.ledger_entries WHERE kind = 1)
            """))
        await using (var reader = await orphans.ExecuteReaderAsync())
        {
            await reader.ReadAsync();
            Assert.Equal(0L, reader.GetInt64(0)); // no case without its entry
            Assert.Equal(0L, reader.GetInt64(1)); // no entry without its case
            Assert.Equal(0L, reader.GetInt64(2)); // no case without its vault
            var committed = reader.GetInt64(3);
            Assert.True(committed >= acknowledged.Count, $"{acknowledged.Count} acknowledged but {committed} committed");
            Assert.True(committed < prepared.Count, "every submission finished before the kill: the test proved nothing");
        }
        foreach (var entry in acknowledged)
        {
            await using var exists = app.CreateCommand("SELECT count(*) FROM intake.cases WHERE submission_seq = @seq");
            exists.Parameters.AddWithValue("seq", entry);
            Assert.Equal(1L, (long)(await exists.ExecuteScalarAsync())!);
        }

        await using var restarted = IntakeProcess.Start(settings);
        await restarted.WaitUntilHealthyAsync(TimeSpan.FromSeconds(60));
        using var again = new HttpClient { BaseAddress = restarted.BaseAddress };
        var next = await kit.TrySubmitAsync(again, await kit.PrepareAsync(again, "after the crash"));
        var size = (await new LedgerReader(app).GetHeadAsync()).TreeSize;
        Assert.Equal(size - 1, next);
        _ = advocatePrivate;
    }

    /// <summary>Seals to one known key and uploads, so the submissions themselves can be fired at once.</summary>
    private sealed class SubmissionKitForChannel(string channel, byte[] advocatePublicKey)
    {
        public async Task<string> PrepareAsync(HttpClient client, string text)
        {
            var contentKey = EnvelopeSealer.GenerateContentKey();
            var (replyPrivate, replyPublic) = HpkeSuite.GenerateKeyPair();
            var bytes = System.Text.Encoding.UTF8.GetBytes(text);
            var header = StreamHeader.Create(StreamPurpose.Body, bytes.Length);
            var envelope = EnvelopeSealer.Seal(EnvelopeKind.Submission, channel, null, replyPublic, [advocatePublicKey], [header], contentKey);
            using var stream = new MemoryStream();
            await ContentStreamSealer.SealAsync(contentKey, envelope.Header.ComputeHash(), header, new MemoryStream(bytes), bytes.Length, stream);
            var upload = await SubmissionKit.UploadAsync(client, stream.ToArray());
            using var secrets = ReceiptSecrets.Derive(SurvivorReceipt.Generate());
            var sealedSubmission = new SubmissionKit.Sealed(envelope, envelope.Header.ComputeHash(), contentKey, [stream.ToArray()],
                SurvivorReceipt.Generate(), (byte[])secrets.LookupId.Clone(), ReceiptVault.Seal(secrets.VaultKey, replyPrivate, contentKey));
            return SubmissionKit.RequestJson(sealedSubmission, [upload], pow: await SubmissionKit.ProofOfWorkAsync(client));
        }

        /// <summary>The acknowledged ledger entry, or null when the process died first.</summary>
        public async Task<long?> TrySubmitAsync(HttpClient client, string json)
        {
            try
            {
                var response = await client.PostAsync($"/api/channels/{channel}/submissions", new StringContent(json, System.Text.Encoding.UTF8, "application/json"));
                if (response.StatusCode != HttpStatusCode.Created)
                {
                    return null;
                }
                using var body = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());
                return body.RootElement.GetProperty("entry").GetInt64();
            }
            catch (HttpRequestException)
            {
                return null;
            }
        }
    }
}
