using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Intake.Core.Crypto;
using Intake.Core.Ledger;
using Intake.Storage.Ledger;
using Intake.Storage.Tests.Ledger;
using Npgsql;
using Intake.Testing;

namespace Intake.Cli.Tests;

/// <summary><c>intake ledger verify|checkpoint|proof</c> and <c>intake proof verify</c> against a real ledger.</summary>
public sealed class LedgerCommandTests : IAsyncLifetime
{
    private const string Origin = "intake-cli-test";
    private readonly string _directory = Directory.CreateTempSubdirectory("intake-ledger-cli-").FullName;
    private LedgerTestDatabase _db = null!;

    // Not _db.App: the Storage writer crash test kills busy backends by that connection's
    // application name, server-wide, possibly while this assembly runs.
    private NpgsqlDataSource _app = null!;

    private string PrivateKeyFile => Path.Combine(_directory, "ledger-signing.pem");
    private string PublicKeyFile => Path.Combine(_directory, "ledger-public.pem");
    private string OtherPublicKeyFile => Path.Combine(_directory, "other-public.pem");

    public async Task InitializeAsync()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        await File.WriteAllTextAsync(PrivateKeyFile, key.ExportPkcs8PrivateKeyPem());
        await File.WriteAllTextAsync(PublicKeyFile, key.ExportSubjectPublicKeyInfoPem());
        using var other = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        await File.WriteAllTextAsync(OtherPublicKeyFile, other.ExportSubjectPublicKeyInfoPem());

        _db = await LedgerTestDatabase.CreateAsync("cli_ledger");
        _app = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(_db.Database.App) { ApplicationName = "intake-ledger-cli-test" }.ConnectionString);
        await AppendAsync(6);
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        await _db.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    private async Task AppendAsync(int count)
    {
        await using var writer = _db.Writer(_app);
        for (var i = 0; i < count; i++)
        {
            await writer.AppendAsync(LedgerTestDatabase.Submission($"cli entry {Guid.NewGuid()}"));
        }
    }

    private Dictionary<string, string?> Settings(bool publicKey = true, bool signingKey = true, bool database = true)
    {
        var settings = new Dictionary<string, string?> { ["Ledger:Origin"] = Origin };
        if (database)
        {
            settings["Database:App"] = _db.Database.App;
        }
        if (publicKey)
        {
            settings["Ledger:PublicKeyFile"] = PublicKeyFile;
        }
        if (signingKey)
        {
            settings["Ledger:SigningKeyFile"] = PrivateKeyFile;
        }
        return settings;
    }

    private static Task<(int Exit, string Out, string Error)> Intake(Dictionary<string, string?> settings, params string[] args) =>
        IntakeCli.RunAsync(settings, args);

    private async Task TamperAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(_db.Database.Superuser);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SET session_replication_role = replica; " + sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    [Fact]
    public async Task Ledger_checkpoint_prints_a_note_that_verifies_with_the_public_key_and_covers_the_log()
    {
        var result = await Intake(Settings(publicKey: false), "ledger", "checkpoint");

        Assert.Equal(0, result.Exit);
        using var key = NoteVerifierKey.FromSubjectPublicKeyInfo(Origin, ProofBundleKeys.PublicKeyFromPem(await File.ReadAllTextAsync(PublicKeyFile)));
        var (body, signedBy) = new NoteVerifier([key]).Verify(result.Out);
        var checkpoint = CheckpointBody.Parse(body);
        Assert.Equal([Origin], signedBy);
        Assert.Equal(6, checkpoint.TreeSize);
        Assert.Equal((await new LedgerReader(_app).GetHeadAsync()).RootHash, checkpoint.RootHash.ToArray());
    }

    [Fact]
    public async Task Ledger_verify_passes_a_clean_log_and_names_the_tampered_entry_with_exit_code_1()
    {
        Assert.Equal(0, (await Intake(Settings(), "ledger", "checkpoint")).Exit);

        var clean = await Intake(Settings(), "ledger", "verify");
        await TamperAsync("UPDATE intake.ledger_payloads SET ciphertext = set_byte(ciphertext, 7, get_byte(ciphertext, 7) # 128) WHERE seq = 3");
        var tampered = await Intake(Settings(), "ledger", "verify");

        Assert.Equal(0, clean.Exit);
        Assert.StartsWith("ok: 6 entries, 1 checkpoints verified", clean.Out, StringComparison.Ordinal);
        Assert.Equal(1, tampered.Exit);
        Assert.Equal("FAIL: entry 3: ciphertext does not match its hash", tampered.Out.Trim());
        Assert.DoesNotContain("   at ", tampered.Out + tampered.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ledger_verify_trusts_the_public_half_of_the_signing_key_when_no_public_key_file_is_set()
    {
        Assert.Equal(0, (await Intake(Settings(), "ledger", "checkpoint")).Exit);

        var result = await Intake(Settings(publicKey: false), "ledger", "verify");

        Assert.Equal(0, result.Exit);
        Assert.StartsWith("ok: 6 entries, 1 checkpoints verified", result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ledger_verify_refuses_checkpoints_when_the_trusted_key_is_another()
    {
        Assert.Equal(0, (await Intake(Settings(), "ledger", "checkpoint")).Exit);
        var settings = Settings(signingKey: false);
        settings["Ledger:PublicKeyFile"] = OtherPublicKeyFile;

        var result = await Intake(settings, "ledger", "verify");

        Assert.Equal(1, result.Exit);
        Assert.Equal($"FAIL: checkpoint at size 6 is not signed by the trusted key \"{Origin}\"", result.Out.Trim());
    }

    [Fact]
    public async Task Ledger_verify_with_a_checkpoint_saved_before_more_appends_confirms_the_log_extends_it()
    {
        var saved = Path.Combine(_directory, "saved-checkpoint.txt");
        await File.WriteAllTextAsync(saved, (await Intake(Settings(), "ledger", "checkpoint")).Out);
        await AppendAsync(5);

        var result = await Intake(Settings(), "ledger", "verify", "--checkpoint", saved);

        Assert.Equal(0, result.Exit);
        Assert.StartsWith("ok: 11 entries, 1 checkpoints verified; the log extends the saved checkpoint", result.Out, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("verify", false, true, true, "Ledger:PublicKeyFile is not set")]
    [InlineData("verify", true, true, false, "Database:App is not set (environment variable Database__App)")]
    [InlineData("checkpoint", true, false, true, "Ledger:SigningKeyFile is not set (environment variable Ledger__SigningKeyFile)")]
    [InlineData("checkpoint", true, true, false, "Database:App is not set")]
    public async Task A_missing_setting_stops_with_exit_code_2_and_names_it(string subcommand, bool publicKey, bool signingKey, bool database, string message)
    {
        var settings = Settings(publicKey: publicKey, signingKey: signingKey, database: database);
        if (!publicKey)
        {
            settings.Remove("Ledger:SigningKeyFile");
        }

        var result = await Intake(settings, "ledger", subcommand);

        Assert.Equal(2, result.Exit);
        Assert.Contains(message, result.Error, StringComparison.Ordinal);
        Assert.Single(result.Error.Trim().Split('\n'));
    }

    [Fact]
    public async Task An_unreadable_key_file_is_named_with_its_setting()
    {
        var settings = Settings(signingKey: false);
        settings["Ledger:PublicKeyFile"] = Path.Combine(_directory, "no-such-key.pem");

        var result = await Intake(settings, "ledger", "verify");

        Assert.Equal(2, result.Exit);
        Assert.StartsWith("intake ledger verify: cannot read Ledger:PublicKeyFile", result.Error, StringComparison.Ordinal);
    }

    private async Task<string> ExportProofAsync(long sequence)
    {
        var file = Path.Combine(_directory, $"proof-{sequence}.json");
        var result = await Intake(Settings(publicKey: false), "ledger", "proof", "--seq", sequence.ToString(System.Globalization.CultureInfo.InvariantCulture), "--out", file);
        Assert.True(result.Exit == 0, result.Error);
        Assert.Contains($"wrote the proof of entry {sequence}", result.Out, StringComparison.Ordinal);
        return file;
    }

    [Fact]
    public async Task A_proof_bundle_round_trips_and_verifies_offline_with_the_published_key()
    {
        var file = await ExportProofAsync(4);

        var result = await Intake([], "proof", "verify", file, "--key", PublicKeyFile);

        Assert.Equal(0, result.Exit);
        var lines = result.Out.Split('\n');
        Assert.StartsWith($"ok: entry 4 is in the log \"{Origin}\" of 6 entries", lines[0], StringComparison.Ordinal);
        Assert.Contains("  kind:         Submission", lines);
        Assert.Contains(lines, l => l.StartsWith("  key:          trusted (--key)", StringComparison.Ordinal));
        // The bundle used an existing covering checkpoint or signed one: either way one is stored now.
        Assert.NotNull(await new LedgerReader(_app).GetCheckpointCoveringAsync(4));
    }

    [Fact]
    public async Task A_proof_bundle_checked_without_a_key_is_flagged_with_the_fingerprint_to_compare()
    {
        var file = await ExportProofAsync(1);
        var fingerprint = ProofBundleKeys.Fingerprint(ProofBundleKeys.PublicKeyFromPem(await File.ReadAllTextAsync(PublicKeyFile)));

        var result = await Intake([], "proof", "verify", file);

        Assert.Equal(0, result.Exit);
        Assert.StartsWith("unverified key:", result.Out, StringComparison.Ordinal);
        Assert.Contains($"UNVERIFIED (embedded in the bundle), fingerprint {fingerprint}", result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_proof_bundle_is_refused_with_another_key()
    {
        var file = await ExportProofAsync(1);

        var result = await Intake([], "proof", "verify", file, "--key", OtherPublicKeyFile);

        Assert.Equal(1, result.Exit);
        Assert.StartsWith("FAIL: The checkpoint is not signed by the trusted key", result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_proof_bundle_with_one_byte_of_its_leaf_changed_is_refused()
    {
        var file = await ExportProofAsync(2);
        var json = JsonNode.Parse(await File.ReadAllTextAsync(file))!;
        var leaf = Convert.FromBase64String((string)json["leafInput"]!);
        leaf[40] ^= 1; // inside the payload hash
        json["leafInput"] = Convert.ToBase64String(leaf);
        await File.WriteAllTextAsync(file, json.ToJsonString());

        var withKey = await Intake([], "proof", "verify", file, "--key", PublicKeyFile);
        var withoutKey = await Intake([], "proof", "verify", file);

        Assert.Equal(1, withKey.Exit);
        Assert.Equal("FAIL: The leaf hash does not match the leaf input.", withKey.Out.Trim());
        Assert.Equal(1, withoutKey.Exit);
    }

    [Fact]
    public async Task A_proof_bundle_with_its_checkpoint_changed_is_refused()
    {
        var file = await ExportProofAsync(2);
        var json = JsonNode.Parse(await File.ReadAllTextAsync(file))!;
        var note = (string)json["checkpoint"]!;
        json["checkpoint"] = note.Replace("\n6\n", "\n7\n", StringComparison.Ordinal);
        Assert.NotEqual(note, (string)json["checkpoint"]!);
        await File.WriteAllTextAsync(file, json.ToJsonString());

        var result = await Intake([], "proof", "verify", file, "--key", PublicKeyFile);

        Assert.Equal(1, result.Exit);
        Assert.StartsWith("FAIL: The checkpoint's signature does not verify with the trusted key", result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_proof_of_an_entry_not_in_the_log_is_refused_in_one_line()
    {
        var result = await Intake(Settings(), "ledger", "proof", "--seq", "99");

        Assert.Equal(1, result.Exit);
        Assert.Equal("intake ledger proof: Entry 99 is not in the log, which has 6 entries.", result.Error.Trim());
    }

    [Fact]
    public async Task Proof_verify_of_a_file_that_is_not_a_bundle_fails_in_one_line()
    {
        var file = Path.Combine(_directory, "not-a-bundle.json");
        await File.WriteAllTextAsync(file, "{\"hello\": 1}");

        var result = await Intake([], "proof", "verify", file);

        Assert.Equal(1, result.Exit);
        Assert.StartsWith("FAIL: The file is not a proof bundle", result.Out, StringComparison.Ordinal);
        Assert.Single(result.Out.Trim().Split('\n'));
    }
}
