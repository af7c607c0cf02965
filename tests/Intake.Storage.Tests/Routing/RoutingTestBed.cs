using System.Security.Cryptography;
using Intake.Core.Contracts;
using Intake.Core.Crypto;
using Intake.Storage.Cases;
using Intake.Storage.Ledger;
using Intake.Storage.Routing;
using Intake.Storage.Tests.Ledger;
using Microsoft.Extensions.Logging.Abstractions;

namespace Intake.Storage.Tests.Routing;

/// <summary>A clock the test moves by hand.</summary>
public sealed class ManualTime(DateTimeOffset start) : TimeProvider
{
    private DateTimeOffset _now = start;

    public override DateTimeOffset GetUtcNow() => _now;

    public void Advance(TimeSpan by) => _now += by;
}

/// <summary>A migrated database with a channel, the routing stores and a way to make real cases.</summary>
public sealed class RoutingTestBed : IAsyncDisposable
{
    public const string Channel = "general";

    private RoutingTestBed(LedgerTestDatabase db, LedgerWriter writer, ManualTime time, byte[] channelKey)
    {
        Db = db;
        Writer = writer;
        Time = time;
        ChannelKey = channelKey;
        Uploads = new UploadStore(db.App);
        Submissions = new SubmissionStore(db.App, Uploads, writer);
        Directory = new RoutingDirectory(db.App, writer);
        Assignments = new AssignmentStore(db.App, writer, time);
        Router = new CaseRouter(Assignments, NullLogger<CaseRouter>.Instance);
        Notices = new StaffNotifications(db.App, time);
    }

    public LedgerTestDatabase Db { get; }
    public LedgerWriter Writer { get; }
    public ManualTime Time { get; }
    public byte[] ChannelKey { get; }
    public UploadStore Uploads { get; }
    public SubmissionStore Submissions { get; }
    public RoutingDirectory Directory { get; }
    public AssignmentStore Assignments { get; }
    public CaseRouter Router { get; }
    public StaffNotifications Notices { get; }

    public static async Task<RoutingTestBed> CreateAsync(string purpose)
    {
        var db = await LedgerTestDatabase.CreateAsync(purpose);
        var writer = db.Writer();
        var channels = new ChannelDirectory(db.App, writer);
        var (_, key) = HpkeSuite.GenerateKeyPair();
        await channels.AddChannelAsync(new Channel(Channel, "General", "综合"), "test");
        await channels.AddKeyAsync(Channel, key, "test");
        await channels.AddChannelAsync(new Channel("legal", "Legal", "法律"), "test");
        return new RoutingTestBed(db, writer, new ManualTime(new DateTimeOffset(2026, 3, 1, 9, 41, 17, TimeSpan.Zero)), key);
    }

    /// <summary>Stores a real submission (ciphertext of random bytes) and returns its case id.</summary>
    public async Task<Guid> SubmitAsync(RoutingHints? hints = null)
    {
        var content = RandomNumberGenerator.GetBytes(500);
        var contentKey = EnvelopeSealer.GenerateContentKey();
        var (_, reply) = HpkeSuite.GenerateKeyPair();
        var header = StreamHeader.Create(StreamPurpose.Body, content.Length);
        var envelope = EnvelopeSealer.Seal(EnvelopeKind.Submission, Channel, null, reply, [ChannelKey], [header], contentKey);
        using var sealedStream = new MemoryStream();
        await ContentStreamSealer.SealAsync(contentKey, envelope.Header.ComputeHash(), header, new MemoryStream(content), content.Length, sealedStream);
        var bytes = sealedStream.ToArray();
        var upload = await Uploads.CreateAsync(bytes[..30], long.MaxValue);
        await Uploads.AppendPartAsync(upload.Id, 0, bytes);
        var accepted = await Submissions.AcceptAsync(new SubmissionRequest(envelope, [upload.Id], RandomNumberGenerator.GetBytes(32), [7], hints));
        return accepted.CaseId;
    }

    public async Task<Guid> AdvocateAsync(int capacity = 10, string[]? languages = null, string[]? regions = null, string[]? affiliations = null,
        bool active = true, string[]? channels = null, string? email = null)
    {
        var id = Guid.NewGuid();
        await Directory.SaveProfileAsync(new AdvocateProfile(id, active, capacity, channels ?? [Channel], languages ?? ["zh", "en"],
            regions ?? [], affiliations ?? [], email), "test-admin");
        return id;
    }

    public async Task<long> CountAsync(string sql, params (string Name, object Value)[] parameters)
    {
        await using var command = Db.App.CreateCommand(sql);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    public async ValueTask DisposeAsync()
    {
        await Writer.DisposeAsync();
        await Db.DisposeAsync();
    }
}
