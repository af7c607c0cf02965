using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Intake.Core.Crypto;
using Intake.Storage.Accounts;
using Intake.Storage.Cases;
using Intake.Storage.Workspace;
using Intake.Testing;
using Intake.Web.Tests.Staff;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Intake.Web.Tests.Workspace;

/// <summary>
/// The advocate's API through the real host: key enrolment, the case file, stream downloads,
/// replies, notes and status, against every kind of caller.
/// </summary>
[Collection(WebCollection.Name)]
public sealed class WorkspaceApiTests(WebFixture fixture) : IAsyncLifetime
{
    private const string Passphrase = "a passphrase long enough";
    private WebApplicationFactory<Program> _factory = null!;
    private TestVirtualHost _virtualHost = null!;
    private string _channel = "";
    private StaffMember _advocate = null!;
    private byte[] _advocatePrivateKey = [];
    private Guid _caseId;
    private byte[] _lookupId = [];
    private byte[] _body = [];
    private StreamHeader _bodyHeader = null!;
    private Envelope _submission = null!;
    private byte[] _replyPrivateKey = [];
    private byte[] _contentKey = [];

    public async Task InitializeAsync()
    {
        // A virtual host of its own: these tests wait for messages their own host consumes, and
        // other hosts of the collection (some behind cut connections) must not take them.
        _virtualHost = await TestVirtualHost.CreateAsync("workspace");
        var settings = fixture.Settings();
        settings["RabbitMq:VirtualHost"] = _virtualHost.Name;
        _factory = fixture.Factory(settings);
        var services = _factory.Services;
        _channel = "ws-" + Guid.NewGuid().ToString("N")[..10];
        await services.GetRequiredService<ChannelDirectory>().AddChannelAsync(new Channel(_channel, "Workspace", "工作区"), "test");
        _advocate = await StaffAccounts.CreateAsync(services, StaffRoles.Advocate);
        var admin = await StaffAccounts.CreateAsync(services, StaffRoles.Admin);

        // Her key, enrolled through the API as her browser does, then approved.
        (_advocatePrivateKey, var publicKey) = HpkeSuite.GenerateKeyPair();
        using var client = await StaffAccounts.SignInAsync(_factory, _advocate);
        var enrolled = await client.PostAsync("/api/staff/keys", Json($"{{\"wrapped\":{AdvocateKeyWrap.Wrap(_advocatePrivateKey, Passphrase).ToJson()}}}"));
        Assert.Equal(HttpStatusCode.Created, enrolled.StatusCode);
        await services.GetRequiredService<AdvocateKeyStore>().ApproveAsync(RecipientKeys.KeyId(publicKey), admin.Id, [_channel]);

        // A survivor's testimony sealed to the channel's keys, assigned to her.
        (_replyPrivateKey, var replyPublicKey) = HpkeSuite.GenerateKeyPair();
        _body = Encoding.UTF8.GetBytes("{\"v\":1,\"narrative\":\"what happened\"}");
        _bodyHeader = StreamHeader.Create(StreamPurpose.Body, _body.Length);
        var contentKey = _contentKey = EnvelopeSealer.GenerateContentKey();
        _submission = EnvelopeSealer.Seal(EnvelopeKind.Submission, _channel, null, replyPublicKey, [publicKey], [_bodyHeader], contentKey);
        var upload = await UploadAsync(contentKey, _submission.Header.ComputeHash(), _bodyHeader, _body);
        _lookupId = RandomNumberGenerator.GetBytes(32);
        var accepted = await services.GetRequiredService<SubmissionStore>()
            .AcceptAsync(new SubmissionRequest(_submission, [upload], _lookupId, [7]));
        _caseId = accepted.CaseId;
        await using var dataSource = NpgsqlDataSource.Create(fixture.Database.App);
        await using var assign = dataSource.CreateCommand("""
            INSERT INTO intake.case_assignments (id, case_id, advocate_id, assigned_seq, assigned_at)
            VALUES (gen_random_uuid(), @case, @advocate, @seq, date_trunc('hour', now()))
            """);
        assign.Parameters.AddWithValue("case", _caseId);
        assign.Parameters.AddWithValue("advocate", _advocate.Id);
        assign.Parameters.AddWithValue("seq", accepted.Sequence);
        await assign.ExecuteNonQueryAsync();
    }

    public async Task DisposeAsync()
    {
        await _factory.DisposeAsync();
        await _virtualHost.DisposeAsync();
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private async Task<Guid> UploadAsync(byte[] key, byte[] headerHash, StreamHeader header, byte[] content)
    {
        using var sealedStream = new MemoryStream();
        await ContentStreamSealer.SealAsync(key, headerHash, header, new MemoryStream(content), content.Length, sealedStream);
        var uploads = _factory.Services.GetRequiredService<UploadStore>();
        var bytes = sealedStream.ToArray();
        var created = await uploads.CreateAsync(bytes[..30], long.MaxValue);
        await uploads.AppendPartAsync(created.Id, 0, bytes);
        return created.Id;
    }

    [Fact]
    public async Task Only_the_assigned_advocate_reads_the_case_and_its_streams()
    {
        var caseUrl = $"/api/staff/cases/{_caseId}";
        var streamUrl = $"{caseUrl}/streams/{Base64UrlStrict.Encode(_bodyHeader.StreamId.Span)}";
        using var anonymous = StaffAccounts.CreateClient(_factory);
        var refused = await anonymous.GetAsync(caseUrl);
        Assert.NotEqual(HttpStatusCode.OK, refused.StatusCode);
        Assert.DoesNotContain("\"entries\"", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        foreach (var role in new[] { StaffRoles.Advocate, StaffRoles.Admin, StaffRoles.Auditor })
        {
            using var other = await StaffAccounts.SignInAsync(_factory, await StaffAccounts.CreateAsync(_factory.Services, role));
            // Another advocate: not assigned. Admins and auditors: no advocate role; admins hold no keys by design.
            const HttpStatusCode expected = HttpStatusCode.Forbidden;
            Assert.Equal(expected, (await other.GetAsync(caseUrl)).StatusCode);
            Assert.Equal(expected, (await other.GetAsync(streamUrl)).StatusCode);
            Assert.Equal(expected, (await other.PostAsync($"{caseUrl}/status", Json("{\"status\":\"closed\"}"))).StatusCode);
        }

        using var mine = await StaffAccounts.SignInAsync(_factory, _advocate);
        var file = await mine.GetFromJsonAsync<JsonElement>(caseUrl);
        var submission = file.GetProperty("entries")[0];
        Assert.Equal("submission", submission.GetProperty("kind").GetString());
        var kid = Base64UrlStrict.Encode(RecipientKeys.KeyId(RecipientKeysFromPrivate(_advocatePrivateKey)));
        Assert.True(submission.GetProperty("sealedKeys").TryGetProperty(kid, out _));
        var stream = await mine.GetByteArrayAsync(streamUrl);
        var opened = new MemoryStream();
        var contentKey = EnvelopeOpener.OpenContentKey(_submission, _advocatePrivateKey);
        await ContentStreamOpener.OpenAsync(contentKey, _submission.Header.ComputeHash(), _bodyHeader, new MemoryStream(stream), opened);
        Assert.Equal(_body, opened.ToArray());
        Assert.Equal(HttpStatusCode.NotFound, (await mine.GetAsync($"{caseUrl}/streams/{Base64UrlStrict.Encode(new byte[16])}")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await mine.GetAsync($"{caseUrl}/streams/not-an-id")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await mine.GetAsync($"/api/staff/cases/{Guid.NewGuid()}")).StatusCode);

        var audit = await LedgerActionsAsync();
        Assert.Contains("case.open", audit);
        Assert.Contains("stream.download", audit);
    }

    [Fact]
    public async Task A_reply_reaches_the_survivor_a_note_does_not_and_bad_messages_are_refused()
    {
        using var mine = await StaffAccounts.SignInAsync(_factory, _advocate);
        var advocatePublic = RecipientKeysFromPrivate(_advocatePrivateKey);
        var replyPublic = _submission.Header.ReplyPublicKey.ToArray();

        async Task<string> MessageAsync(bool toSurvivor, string text, byte[]? parent = null)
        {
            var key = EnvelopeSealer.GenerateContentKey();
            var content = Encoding.UTF8.GetBytes($"{{\"v\":1,\"message\":\"{text}\",\"attachments\":[]}}");
            var header = StreamHeader.Create(StreamPurpose.Body, content.Length);
            IReadOnlyList<ReadOnlyMemory<byte>> recipients = toSurvivor ? [replyPublic, advocatePublic] : [advocatePublic];
            var envelope = EnvelopeSealer.Seal(EnvelopeKind.Reply, _channel, parent ?? _submission.Header.ComputeHash(), replyPublic, recipients, [header], key);
            var upload = await UploadAsync(key, envelope.Header.ComputeHash(), header, content);
            return $"{{\"envelope\":{envelope.ToJson()},\"uploads\":[\"{upload}\"]}}";
        }

        var replies = $"/api/staff/cases/{_caseId}/replies";
        var notes = $"/api/staff/cases/{_caseId}/notes";
        await ExpectAsync(HttpStatusCode.Created, await mine.PostAsync(replies, Json(await MessageAsync(true, "we read it"))));
        await ExpectAsync(HttpStatusCode.Created, await mine.PostAsync(notes, Json(await MessageAsync(false, "team"))));

        Assert.Equal(HttpStatusCode.BadRequest, (await mine.PostAsync(notes, Json(await MessageAsync(true, "x")))).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await mine.PostAsync(replies, Json(await MessageAsync(false, "x")))).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await mine.PostAsync(replies, Json(await MessageAsync(true, "x", new byte[32])))).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await mine.PostAsync(replies, Json("{\"envelope\":"))).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await mine.PostAsync(replies, Json("{\"envelope\":{\"v\":1},\"uploads\":[]}"))).StatusCode);
        var tooLarge = await mine.PostAsync(replies, Json($"{{\"envelope\":{{}},\"pad\":\"{new string('a', 30_000)}\"}}"));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooLarge.StatusCode);
        Assert.Equal("application/problem+json", tooLarge.Content.Headers.ContentType?.MediaType);

        using var survivor = _factory.CreateClient();
        var lookup = await survivor.PostAsync("/api/cases/lookup", Json($"{{\"lookupId\":\"{Base64UrlStrict.Encode(_lookupId)}\"}}"));
        var view = await lookup.Content.ReadFromJsonAsync<JsonElement>();
        var reply = Assert.Single(view.GetProperty("replies").EnumerateArray());
        var sealedKey = Base64UrlStrict.TryDecode(reply.GetProperty("sealedKey").GetString())!;
        Assert.Equal(113, sealedKey.Length);
        var record = reply.GetProperty("record");
        var streamId = Base64UrlStrict.TryDecode(record.GetProperty("streams")[0].GetString())![6..22];
        var body = await survivor.PostAsync("/api/cases/streams", Json($"{{\"lookupId\":\"{Base64UrlStrict.Encode(_lookupId)}\",\"stream\":\"{Base64UrlStrict.Encode(streamId)}\"}}"));
        Assert.Equal(HttpStatusCode.OK, body.StatusCode);
        var wrong = await survivor.PostAsync("/api/cases/streams", Json($"{{\"lookupId\":\"{Base64UrlStrict.Encode(_lookupId)}\",\"stream\":\"{Base64UrlStrict.Encode(new byte[16])}\"}}"));
        Assert.Equal(HttpStatusCode.NotFound, wrong.StatusCode);

        Assert.Equal(HttpStatusCode.OK, (await mine.PostAsync($"/api/staff/cases/{_caseId}/status", Json("{\"status\":\"in_review\"}"))).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await mine.PostAsync($"/api/staff/cases/{_caseId}/status", Json("{\"status\":\"withdrawn\"}"))).StatusCode);
        var after = await (await survivor.PostAsync("/api/cases/lookup", Json($"{{\"lookupId\":\"{Base64UrlStrict.Encode(_lookupId)}\"}}"))).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("in_review", after.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Key_enrolment_refuses_bad_records_and_a_second_waiting_key()
    {
        using var client = await StaffAccounts.SignInAsync(_factory, await StaffAccounts.CreateAsync(_factory.Services, StaffRoles.Advocate));
        Assert.Equal(HttpStatusCode.BadRequest, (await client.PostAsync("/api/staff/keys", Json("{\"wrapped\":\"text\"}"))).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.PostAsync("/api/staff/keys", Json("{\"wrapped\":{\"v\":1}}"))).StatusCode);
        var (privateKey, _) = HpkeSuite.GenerateKeyPair();
        Assert.Equal(HttpStatusCode.Created, (await client.PostAsync("/api/staff/keys", Json($"{{\"wrapped\":{AdvocateKeyWrap.Wrap(privateKey, Passphrase).ToJson()}}}"))).StatusCode);
        var (another, _) = HpkeSuite.GenerateKeyPair();
        Assert.Equal(HttpStatusCode.Conflict, (await client.PostAsync("/api/staff/keys", Json($"{{\"wrapped\":{AdvocateKeyWrap.Wrap(another, Passphrase).ToJson()}}}"))).StatusCode);
        var mine = await client.GetFromJsonAsync<JsonElement>("/api/staff/keys/mine");
        Assert.Equal("pending", Assert.Single(mine.EnumerateArray()).GetProperty("status").GetString());

        using var admin = await StaffAccounts.SignInAsync(_factory, await StaffAccounts.CreateAsync(_factory.Services, StaffRoles.Admin));
        Assert.Equal(HttpStatusCode.Forbidden, (await admin.GetAsync("/api/staff/keys/mine")).StatusCode);
    }

    [Fact]
    public async Task A_follow_up_is_announced_to_the_assigned_advocate_without_content()
    {
        var message = Encoding.UTF8.GetBytes("{\"v\":1,\"message\":\"one more thing\",\"attachments\":[]}");
        var header = StreamHeader.Create(StreamPurpose.FollowUp, message.Length);
        var upload = await UploadAsync(_contentKey, _submission.Header.ComputeHash(), header, message);
        using var survivor = _factory.CreateClient();
        // The announcement is best effort by design (published after the commit, 3-second limit);
        // what this test checks is that it is sent and reaches her when RabbitMQ is up, so it
        // waits until the host's bus is connected first.
        var bus = _factory.Services.GetRequiredService<MassTransit.IBusControl>();
        var healthy = DateTime.UtcNow.AddSeconds(60);
        while (bus.CheckHealth().Status != MassTransit.BusHealthStatus.Healthy)
        {
            Assert.True(DateTime.UtcNow < healthy, "The message bus did not connect to RabbitMQ within 60 seconds.");
            await Task.Delay(250);
        }

        var added = await survivor.PostAsync("/api/cases/follow-ups", Json($"{{\"lookupId\":\"{Base64UrlStrict.Encode(_lookupId)}\",\"upload\":\"{upload}\"}}"));
        await ExpectAsync(HttpStatusCode.Created, added);

        await using var dataSource = NpgsqlDataSource.Create(fixture.Database.App);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            await using var count = dataSource.CreateCommand(
                "SELECT count(*) FROM intake.staff_notifications WHERE recipient = @advocate AND kind = 'follow_up' AND case_id = @case");
            count.Parameters.AddWithValue("advocate", _advocate.Id);
            count.Parameters.AddWithValue("case", _caseId);
            if ((long)(await count.ExecuteScalarAsync())! == 1)
            {
                break;
            }
            Assert.True(DateTime.UtcNow < deadline, "No follow-up notice reached the assigned advocate within 60 seconds.");
            await Task.Delay(250);
        }
    }

    [Fact]
    public async Task Her_notices_show_on_her_case_list_and_only_she_marks_them_read()
    {
        var notices = _factory.Services.GetRequiredService<Intake.Storage.Routing.StaffNotifications>();
        var (notice, _) = await notices.NotifyAdvocateAsync(_advocate.Id, "case_assigned", _caseId, Guid.NewGuid());
        using var mine = await StaffAccounts.SignInAsync(_factory, _advocate);
        Assert.Contains("data-notice=\"case_assigned\"", await mine.GetStringAsync("/staff/cases"), StringComparison.Ordinal);

        using var other = await StaffAccounts.SignInAsync(_factory, await StaffAccounts.CreateAsync(_factory.Services, StaffRoles.Advocate));
        var refused = await StaffAccounts.PostFormAsync(other, "/staff/cases?handler=Read", new() { ["notice"] = notice.ToString() });
        Assert.Equal(HttpStatusCode.NotFound, refused.StatusCode);
        Assert.Contains("data-notice=\"case_assigned\"", await mine.GetStringAsync("/staff/cases"), StringComparison.Ordinal);

        var read = await StaffAccounts.PostFormAsync(mine, "/staff/cases?handler=Read", new() { ["notice"] = notice.ToString() });
        Assert.Equal(HttpStatusCode.Redirect, read.StatusCode);
        Assert.DoesNotContain("data-notice=", await mine.GetStringAsync("/staff/cases"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task She_hands_a_case_to_a_colleague_who_can_open_it_and_then_no_longer_sees_it()
    {
        var services = _factory.Services;
        var keys = services.GetRequiredService<AdvocateKeyStore>();
        var colleague = await StaffAccounts.CreateAsync(services, StaffRoles.Advocate);
        var (colleaguePrivate, colleaguePublic) = HpkeSuite.GenerateKeyPair();
        var colleagueKey = await keys.EnrolAsync(colleague.Id, AdvocateKeyWrap.Wrap(colleaguePrivate, Passphrase).ToJson());
        await keys.ApproveAsync(colleagueKey.KeyId, Guid.NewGuid(), [_channel]);
        await services.GetRequiredService<Intake.Storage.Routing.RoutingDirectory>().SaveProfileAsync(
            new Intake.Storage.Routing.AdvocateProfile(colleague.Id, true, 5, [_channel], ["zh", "en"], [], []), "test");
        // A case sealed to both of them, assigned to her.
        var (_, reply) = HpkeSuite.GenerateKeyPair();
        var key = EnvelopeSealer.GenerateContentKey();
        var envelope = EnvelopeSealer.Seal(EnvelopeKind.Submission, _channel, null, reply,
            [RecipientKeysFromPrivate(_advocatePrivateKey), colleaguePublic], [_bodyHeader], key);
        var upload = await UploadAsync(key, envelope.Header.ComputeHash(), _bodyHeader, _body);
        var accepted = await services.GetRequiredService<SubmissionStore>()
            .AcceptAsync(new SubmissionRequest(envelope, [upload], RandomNumberGenerator.GetBytes(32), [7]));
        await using var dataSource = NpgsqlDataSource.Create(fixture.Database.App);
        await using (var assign = dataSource.CreateCommand("""
            INSERT INTO intake.case_assignments (id, case_id, advocate_id, assigned_seq, assigned_at)
            VALUES (gen_random_uuid(), @case, @advocate, @seq, date_trunc('hour', now()))
            """))
        {
            assign.Parameters.AddWithValue("case", accepted.CaseId);
            assign.Parameters.AddWithValue("advocate", _advocate.Id);
            assign.Parameters.AddWithValue("seq", accepted.Sequence);
            await assign.ExecuteNonQueryAsync();
        }
        var page = $"/staff/cases/{accepted.CaseId}";
        using var mine = await StaffAccounts.SignInAsync(_factory, _advocate);
        Assert.Contains(colleague.Id.ToString(), await mine.GetStringAsync(page), StringComparison.Ordinal);

        var stranger = await StaffAccounts.CreateAsync(services, StaffRoles.Advocate);
        var refused = await StaffAccounts.PostFormAsync(mine, $"{page}?handler=HandOver", new() { ["to"] = stranger.Id.ToString() });
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("data-hand-over-error", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var handed = await StaffAccounts.PostFormAsync(mine, $"{page}?handler=HandOver", new() { ["to"] = colleague.Id.ToString() });
        Assert.Equal(HttpStatusCode.Redirect, handed.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await mine.GetAsync($"/api/staff/cases/{accepted.CaseId}")).StatusCode);
        using var theirs = await StaffAccounts.SignInAsync(_factory, colleague);
        var file = await theirs.GetFromJsonAsync<JsonElement>($"/api/staff/cases/{accepted.CaseId}");
        Assert.True(file.GetProperty("entries")[0].GetProperty("sealedKeys").TryGetProperty(Base64UrlStrict.Encode(colleagueKey.KeyId), out _));
        await using var ledger = dataSource.CreateCommand("SELECT metadata FROM intake.ledger_entries WHERE case_id = @case AND kind = 6");
        ledger.Parameters.AddWithValue("case", accepted.CaseId);
        var entry = JsonDocument.Parse((byte[])(await ledger.ExecuteScalarAsync())!).RootElement;
        Assert.Equal("handed_over", entry.GetProperty("reason").GetString());
        Assert.Equal(_advocate.Id.ToString(), entry.GetProperty("from").GetString());
    }

    private static async Task ExpectAsync(HttpStatusCode expected, HttpResponseMessage response) =>
        Assert.True(response.StatusCode == expected, $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");

    private static byte[] RecipientKeysFromPrivate(byte[] privateKey)
    {
        using var key = ECDiffieHellman.Create(new ECParameters { Curve = ECCurve.NamedCurves.nistP256, D = privateKey });
        var q = key.ExportParameters(false).Q;
        return [0x04, .. q.X!, .. q.Y!];
    }

    private async Task<List<string>> LedgerActionsAsync()
    {
        await using var dataSource = NpgsqlDataSource.Create(fixture.Database.App);
        await using var command = dataSource.CreateCommand("SELECT metadata FROM intake.ledger_entries WHERE case_id = @case AND kind = 11");
        command.Parameters.AddWithValue("case", _caseId);
        var actions = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            actions.Add(JsonDocument.Parse((byte[])reader[0]).RootElement.GetProperty("action").GetString()!);
        }
        return actions;
    }
}
