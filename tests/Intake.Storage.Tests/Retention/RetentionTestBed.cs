using System.Security.Cryptography;
using Intake.Core.Crypto;
using System.Text.Json;
using Intake.Core.Ledger;
using Intake.Storage.Cases;
using Intake.Storage.Ledger;
using Intake.Storage.Retention;
using Intake.Storage.Routing;
using Intake.Storage.Tests.Ledger;
using Intake.Storage.Tests.Routing;
using Intake.Storage.Tests.Workspace;
using Intake.Storage.Workspace;
using Microsoft.Extensions.Logging.Abstractions;

namespace Intake.Storage.Tests.Retention;

/// <summary>
/// A migrated database whose ledger writer follows a clock the test moves. The clock starts at
/// the real present: a case's <c>opened_on</c> is the database's current date, while every
/// ledger entry (and so a case's activity) is dated by the writer's clock, so tests only move it forward.
/// </summary>
internal sealed class RetentionTestBed : IAsyncDisposable
{
    private RetentionTestBed(LedgerTestDatabase db)
    {
        Db = db;
        Time = new ManualTime(DateTimeOffset.UtcNow);
        Writer = new LedgerWriter(db.App, Time, NullLogger<LedgerWriter>.Instance);
        Uploads = new UploadStore(db.App);
        Policies = new RetentionStore(db.App, Writer);
        Holds = new LegalHoldStore(db.App, Writer, Time);
        Workspace = new CaseWorkspaceStore(db.App, new SubmissionStore(db.App, Uploads, Writer), Writer);
        Assignments = new AssignmentStore(db.App, Writer, Time);
        Cases = new CaseStore(db.App, Uploads, Writer, new LedgerPurger(Writer, db.App, db.Purger), db.Purger, Holds);
    }

    /// <summary>The bed's checkpoint signing key (PKCS#8), the same for every checkpoint it signs.</summary>
    private readonly byte[] _checkpointKey = ECDsa.Create(ECCurve.NamedCurves.nistP256).ExportPkcs8PrivateKey();

    public LedgerTestDatabase Db { get; }
    public ManualTime Time { get; }
    public LedgerWriter Writer { get; }
    public UploadStore Uploads { get; }
    public RetentionStore Policies { get; }
    public LegalHoldStore Holds { get; }
    public CaseWorkspaceStore Workspace { get; }
    public AssignmentStore Assignments { get; }
    public CaseStore Cases { get; }

    public DateOnly Today => DateOnly.FromDateTime(Time.GetUtcNow().UtcDateTime);

    public static async Task<RetentionTestBed> CreateAsync(string purpose) => new(await LedgerTestDatabase.CreateAsync(purpose));

    /// <summary>A backup of this database taken now, restored into a new one with a bed of its own.</summary>
    public async Task<RetentionTestBed> BackUpAndRestoreAsync(string purpose) => new(await Db.BackUpAndRestoreAsync(purpose));

    /// <summary>A submitted case in a new channel, assigned to an advocate who has not opened it yet.</summary>
    public Task<WorkspaceTestCase> CaseAsync(string channel = "work") => WorkspaceTestCase.CreateAsync(Db, Writer, channel);

    public void AdvanceDays(int days) => Time.Advance(TimeSpan.FromDays(days));

    public async Task<CaseRetention> RetentionAsync(Guid caseId) =>
        await Policies.ForCaseAsync(caseId) ?? throw new InvalidOperationException($"Case {caseId} is not in intake.case_retention.");

    /// <summary>Every ledger entry, in order.</summary>
    public async Task<List<LedgerLeaf>> EntriesAsync() => (await Db.ReadAllAsync()).Select(r => r.Leaf).ToList();

    /// <summary>The entries appended since the ledger had <paramref name="before"/> entries.</summary>
    public async Task<List<LedgerLeaf>> EntriesSinceAsync(int before) => (await EntriesAsync()).Skip(before).ToList();

    public static JsonElement Metadata(LedgerLeaf leaf)
    {
        using var document = JsonDocument.Parse(leaf.Metadata);
        return document.RootElement.Clone();
    }

    public async Task<long> ScalarAsync(string sql, params (string Name, object Value)[] parameters)
    {
        await using var command = Db.App.CreateCommand(sql);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Of these cases, those that still have a case row.</summary>
    public async Task<HashSet<Guid>> RemainingAsync(IEnumerable<Guid> cases)
    {
        var remaining = new HashSet<Guid>();
        foreach (var id in cases)
        {
            if (await ScalarAsync("SELECT count(*) FROM intake.cases WHERE id = @id", ("id", id)) == 1)
            {
                remaining.Add(id);
            }
        }
        return remaining;
    }

    /// <summary>Every ciphertext entry of these cases has exactly one tombstone, no ciphertext or wrapped key is left, and the ledger verifies.</summary>
    public async Task AssertPurgedOnceAndLedgerVerifiesAsync(IReadOnlyCollection<Guid> purged, string reason)
    {
        var entries = await EntriesAsync();
        foreach (var id in purged)
        {
            var carrying = entries.Where(e => e.CaseId == id && e.PayloadHash is not null).ToList();
            Assert.NotEmpty(carrying);
            foreach (var entry in carrying)
            {
                var tombstone = Assert.Single(entries, e => e.Kind == LedgerEntryKind.PurgeTombstone && e.PurgedSequence == entry.Sequence);
                Assert.Equal(reason, RetentionTestBed.Metadata(tombstone).GetProperty("reason").GetString());
            }
            Assert.Equal(0, await ScalarAsync("""
                SELECT (SELECT count(*) FROM intake.ledger_payloads p JOIN intake.ledger_entries e ON e.seq = p.seq WHERE e.case_id = @id)
                     + (SELECT count(*) FROM intake.ledger_wrapped_keys k JOIN intake.ledger_entries e ON e.seq = k.seq WHERE e.case_id = @id)
                     + (SELECT count(*) FROM intake.uploads WHERE case_id = @id)
                     + (SELECT count(*) FROM intake.case_vaults WHERE case_id = @id)
                     + (SELECT count(*) FROM intake.cases WHERE id = @id)
                """, ("id", id)));
        }
        var key = ECDsa.Create();
        key.ImportPkcs8PrivateKey(_checkpointKey, out _);
        using var signer = new NoteSigner("intake.test/retention", key);
        await new LedgerCheckpointer(Db.App, signer, "intake.test/retention", TimeProvider.System).CheckpointAsync();
        using var trusted = NoteVerifierKey.FromSubjectPublicKeyInfo("intake.test/retention", signer.ExportSubjectPublicKeyInfo());
        var report = await new LedgerVerifier(Db.App, trusted).VerifyAsync();
        Assert.True(report.Ok, report.Problem?.Reason);
        Assert.Equal(entries.Count, report.EntriesChecked);
    }

    public async ValueTask DisposeAsync()
    {
        await Writer.DisposeAsync();
        await Db.DisposeAsync();
    }
}
