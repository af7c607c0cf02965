using Intake.Core.Crypto;
using Intake.Storage;
using Intake.Storage.Cases;
using Intake.Storage.Ledger;
using Intake.Storage.Routing;
using Intake.Testing;
using Intake.Web.Tests.Submissions;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Intake.Web.Tests.Routing;

/// <summary>
/// A database and virtual host of one routing test's own (so counts are exact and no other test's
/// consumer takes its messages), a channel with a key, and admin tools to set up advocates.
/// </summary>
public sealed class RoutingWebKit : IAsyncDisposable
{
    private RoutingWebKit(TestDatabase database, TestVirtualHost vhost, NpgsqlDataSource app, LedgerWriter writer, string channel, byte[] channelKey)
    {
        Database = database;
        VirtualHost = vhost;
        App = app;
        Writer = writer;
        Channel = channel;
        ChannelKey = channelKey;
        Directory = new RoutingDirectory(app, writer);
    }

    public TestDatabase Database { get; }
    public TestVirtualHost VirtualHost { get; }
    public NpgsqlDataSource App { get; }
    public LedgerWriter Writer { get; }
    public string Channel { get; }
    public byte[] ChannelKey { get; }
    public RoutingDirectory Directory { get; }

    public static async Task<RoutingWebKit> CreateAsync(string purpose)
    {
        var database = await TestDatabase.CreateAsync($"web_{purpose}");
        await new MigrationRunner(database.Migrator, NullLogger<MigrationRunner>.Instance).MigrateAsync(Migration.All);
        var vhost = await TestVirtualHost.CreateAsync(purpose.Replace('_', '-'));
        var app = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(database.App) { Pooling = true }.ConnectionString);
        var writer = new LedgerWriter(app, TimeProvider.System, NullLogger<LedgerWriter>.Instance);
        var (_, key) = HpkeSuite.GenerateKeyPair();
        var channels = new ChannelDirectory(app, writer);
        var channel = "help-desk";
        await channels.AddChannelAsync(new Channel(channel, "Help desk", "求助"), "test");
        await channels.AddKeyAsync(channel, key, "test");
        return new RoutingWebKit(database, vhost, app, writer, channel, key);
    }

    /// <summary>Intake's settings for this kit's database and virtual host, with a fast reconciler.</summary>
    public Dictionary<string, string> Settings(WebFixture fixture, int? rabbitPort = null)
    {
        var settings = fixture.Settings(rabbitPort: rabbitPort);
        settings["Database:App"] = Database.App;
        settings["Database:Purger"] = Database.Purger;
        settings["RabbitMq:VirtualHost"] = VirtualHost.Name;
        settings["Submissions:ProofOfWorkBits"] = "8";
        settings["Routing:ReconcileAfter"] = "00:00:02";
        settings["Routing:SweepInterval"] = "00:00:00.500";
        return settings;
    }

    public async Task<Guid> AdvocateAsync(int capacity = 1000, string[]? languages = null, string[]? affiliations = null, string? email = null)
    {
        var id = Guid.NewGuid();
        await Directory.SaveProfileAsync(new AdvocateProfile(id, true, capacity, [Channel], languages ?? ["zh", "en"], [], affiliations ?? [], email), "test-admin");
        return id;
    }

    /// <summary>A survivor's browser: seals, uploads and submits one testimony over HTTP. Returns the response.</summary>
    public async Task<HttpResponseMessage> SubmitAsync(HttpClient client, string content, string? routingJson = null)
    {
        var json = await PrepareAsync(client, content);
        if (routingJson is not null)
        {
            json = json[..^1] + ",\"routing\":" + routingJson + "}";
        }
        return await client.PostAsync($"/api/channels/{Channel}/submissions", new StringContent(json, System.Text.Encoding.UTF8, "application/json"));
    }

    /// <summary>Seals a testimony and uploads its stream; returns the submission request's JSON.</summary>
    public async Task<string> PrepareAsync(HttpClient client, string text)
    {
        var contentKey = EnvelopeSealer.GenerateContentKey();
        var (replyPrivate, replyPublic) = HpkeSuite.GenerateKeyPair();
        var bytes = System.Text.Encoding.UTF8.GetBytes(text);
        var header = StreamHeader.Create(StreamPurpose.Body, bytes.Length);
        var envelope = EnvelopeSealer.Seal(EnvelopeKind.Submission, Channel, null, replyPublic, [ChannelKey], [header], contentKey);
        using var stream = new MemoryStream();
        await ContentStreamSealer.SealAsync(contentKey, envelope.Header.ComputeHash(), header, new MemoryStream(bytes), bytes.Length, stream);
        var upload = await SubmissionKit.UploadAsync(client, stream.ToArray());
        var receipt = SurvivorReceipt.Generate();
        using var secrets = ReceiptSecrets.Derive(receipt);
        var sealedSubmission = new SubmissionKit.Sealed(envelope, envelope.Header.ComputeHash(), contentKey, [stream.ToArray()],
            receipt, (byte[])secrets.LookupId.Clone(), ReceiptVault.Seal(secrets.VaultKey, replyPrivate, contentKey));
        return SubmissionKit.RequestJson(sealedSubmission, [upload], pow: await SubmissionKit.ProofOfWorkAsync(client));
    }

    public async Task<long> ScalarAsync(string sql, params (string Name, object Value)[] parameters)
    {
        await using var command = App.CreateCommand(sql);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    public Task<long> CasesAsync() => ScalarAsync("SELECT count(*) FROM intake.cases");

    public Task<long> AssignedCasesAsync() => ScalarAsync("SELECT count(DISTINCT case_id) FROM intake.case_assignments WHERE ended_at IS NULL");

    /// <summary>Cases with more than one assignment row of any kind: must stay zero.</summary>
    public Task<long> DoublyAssignedAsync() =>
        ScalarAsync("SELECT count(*) FROM (SELECT case_id FROM intake.case_assignments GROUP BY case_id HAVING count(*) > 1) d");

    public static async Task EventuallyAsync(Func<Task<bool>> condition, TimeSpan timeout, Func<Task<string>> explain)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail(await explain());
            }
            await Task.Delay(200);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Writer.DisposeAsync();
        await App.DisposeAsync();
        await VirtualHost.DisposeAsync();
        await Database.DisposeAsync();
    }
}
