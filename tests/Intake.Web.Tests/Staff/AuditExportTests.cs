using System.Net;
using System.Text;
using System.Text.Json;
using Intake.Storage.Accounts;
using Intake.Storage.Audit;
using Npgsql;

namespace Intake.Web.Tests.Staff;

/// <summary>The audit export download: who may have it, both formats verifying against the ledger, bad parameters, and its own ledger entry.</summary>
[Collection(WebCollection.Name)]
public sealed class AuditExportTests(WebFixture fixture)
{
    private static string Today => DateTime.UtcNow.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

    private async Task<AuditExportReport> VerifyAsync(byte[] export)
    {
        await using var dataSource = NpgsqlDataSource.Create(fixture.Database.App);
        return await new AuditExportVerifier(dataSource).VerifyAsync(new MemoryStream(export));
    }

    /// <summary>The metadata of every audit.export Access entry by <paramref name="actor"/>, oldest first.</summary>
    private async Task<List<JsonElement>> ExportRecordsAsync(Guid actor)
    {
        await using var connection = new NpgsqlConnection(fixture.Database.Superuser);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT metadata, case_id FROM intake.ledger_entries WHERE kind = 11 ORDER BY seq", connection);
        var found = new List<JsonElement>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            var record = JsonDocument.Parse((byte[])reader[0]).RootElement.Clone();
            if (record.TryGetProperty("action", out var action) && action.GetString() == "audit.export" && record.GetProperty("actor").GetString() == actor.ToString())
            {
                Assert.True(reader.IsDBNull(1), "an export names no case of its own");
                found.Add(record);
            }
        }
        return found;
    }

    [Fact]
    public async Task Admins_and_auditors_download_both_formats_and_each_verifies_against_the_ledger()
    {
        await using var factory = StaffTestKit.Factory(fixture, new CapturedLogs());
        var admin = await StaffAccounts.CreateAsync(factory.Services, StaffRoles.Admin);
        var auditor = await StaffAccounts.CreateAsync(factory.Services, StaffRoles.Auditor);
        using var adminClient = await StaffAccounts.SignInAsync(factory, admin);
        using var auditorClient = await StaffAccounts.SignInAsync(factory, auditor);
        await StaffTestKit.InviteAsync(adminClient, StaffRoles.Advocate);

        foreach (var (who, client) in new[] { ("admin", adminClient), ("auditor", auditorClient) })
        {
            foreach (var format in new[] { "csv", "json" })
            {
                var response = await client.GetAsync($"/staff/admin/audit/export?format={format}&kind=AdminAction&actor={admin.Id}");
                var body = await response.Content.ReadAsByteArrayAsync();

                Assert.True(response.StatusCode == HttpStatusCode.OK, $"{who} {format}: {(int)response.StatusCode} {Encoding.UTF8.GetString(body)}");
                Assert.Equal(format == "csv" ? "text/csv" : "application/json", response.Content.Headers.ContentType?.MediaType);
                var disposition = response.Content.Headers.ContentDisposition!;
                Assert.Equal("attachment", disposition.DispositionType);
                Assert.Equal($"intake-audit-{Today}.{format}", disposition.FileName?.Trim('"'));
                Assert.DoesNotContain(admin.Id.ToString(), response.Content.Headers.ContentDisposition!.ToString(), StringComparison.Ordinal);
                Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
                var text = Encoding.UTF8.GetString(body);
                Assert.Contains("account.invite", text, StringComparison.Ordinal);
                Assert.Contains(admin.Id.ToString(), text, StringComparison.Ordinal);
                var report = await VerifyAsync(body);
                Assert.True(report.Ok, $"{who} {format}: {report.Problem?.Reason}");
                Assert.Equal(format == "csv" ? AuditExportFormat.Csv : AuditExportFormat.Json, report.Format);
                Assert.Equal(1, report.Rows); // her invitation; her exports are Access entries
            }
        }
    }

    [Fact]
    public async Task Advocates_and_anonymous_visitors_are_refused_and_nothing_is_recorded()
    {
        await using var factory = StaffTestKit.Factory(fixture, new CapturedLogs());
        var advocate = await StaffAccounts.CreateAsync(factory.Services, StaffRoles.Advocate);
        using var anonymous = StaffAccounts.CreateClient(factory);
        using var advocateClient = await StaffAccounts.SignInAsync(factory, advocate);

        var signIn = await anonymous.GetAsync("/staff/admin/audit/export?format=csv");
        var denied = await advocateClient.GetAsync("/staff/admin/audit/export?format=json");

        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        Assert.StartsWith("/staff/sign-in?returnUrl=", StaffAccounts.PathOf(signIn), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Redirect, denied.StatusCode);
        Assert.StartsWith("/staff/denied", StaffAccounts.PathOf(denied), StringComparison.Ordinal);
        Assert.DoesNotContain("\"rows\"", await denied.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Empty(await ExportRecordsAsync(advocate.Id));
    }

    [Theory]
    [InlineData("", "format")]
    [InlineData("format=xml", "format")]
    [InlineData("format=CSV", "format")]
    [InlineData("format=csv&format=json", "format")]
    [InlineData("format=csv&kind=Submission", "kind")]
    [InlineData("format=csv&kind=8", "kind")]
    [InlineData("format=json&actor=not-a-uuid", "actor")]
    [InlineData("format=json&case=1234", "case")]
    [InlineData("format=csv&from=2026-13-01", "from")]
    [InlineData("format=csv&to=yesterday", "to")]
    [InlineData("format=csv&from=2026-02-02&to=2026-02-01", "to")]
    public async Task Bad_parameters_get_problem_details_naming_the_parameter_and_nothing_is_recorded(string query, string field)
    {
        await using var factory = StaffTestKit.Factory(fixture, new CapturedLogs());
        var auditor = await StaffAccounts.CreateAsync(factory.Services, StaffRoles.Auditor);
        using var client = await StaffAccounts.SignInAsync(factory, auditor);

        var response = await client.GetAsync("/staff/admin/audit/export?" + query);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Null(response.Content.Headers.ContentDisposition);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(400, problem.RootElement.GetProperty("status").GetInt32());
        Assert.True(problem.RootElement.GetProperty("errors").TryGetProperty(field, out _), problem.RootElement.ToString());
        Assert.Empty(await ExportRecordsAsync(auditor.Id));
    }

    [Fact]
    public async Task Each_export_is_an_access_entry_with_its_filters_that_the_audit_page_and_later_exports_show()
    {
        await using var factory = StaffTestKit.Factory(fixture, new CapturedLogs());
        var admin = await StaffAccounts.CreateAsync(factory.Services, StaffRoles.Admin);
        var auditor = await StaffAccounts.CreateAsync(factory.Services, StaffRoles.Auditor);
        using var auditorClient = await StaffAccounts.SignInAsync(factory, auditor);
        var caseId = Guid.NewGuid();

        var first = await auditorClient.GetAsync($"/staff/admin/audit/export?format=csv&kind=AdminAction&actor={admin.Id}&case={caseId}&from=2026-01-01&to={Today}");
        var second = await auditorClient.GetAsync("/staff/admin/audit/export?format=json&kind=PurgeTombstone");
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);

        var records = await ExportRecordsAsync(auditor.Id);
        Assert.Equal(2, records.Count);
        Assert.Equal("csv", records[0].GetProperty("format").GetString());
        Assert.Equal("AdminAction", records[0].GetProperty("kind").GetString());
        Assert.Equal(admin.Id.ToString(), records[0].GetProperty("who").GetString());
        Assert.Equal(caseId.ToString(), records[0].GetProperty("for_case").GetString());
        Assert.Equal("2026-01-01", records[0].GetProperty("from").GetString());
        Assert.Equal(Today, records[0].GetProperty("to").GetString());
        Assert.Equal("json", records[1].GetProperty("format").GetString());
        Assert.Equal("PurgeTombstone", records[1].GetProperty("kind").GetString());
        Assert.False(records[1].TryGetProperty("who", out _));

        var page = WebUtility.HtmlDecode(await (await auditorClient.GetAsync($"/staff/admin/audit?kind=Access&actor={auditor.Id}")).Content.ReadAsStringAsync());
        Assert.Equal(2, System.Text.RegularExpressions.Regex.Matches(page, "<code>audit.export</code>").Count);
        var later = await auditorClient.GetAsync($"/staff/admin/audit/export?format=json&kind=Access&actor={auditor.Id}");
        var body = await later.Content.ReadAsByteArrayAsync();
        using var json = JsonDocument.Parse(body);
        // The third export is recorded before it is read, so it lists itself too.
        Assert.Equal(3, json.RootElement.GetProperty("rows").GetArrayLength());
        Assert.All(json.RootElement.GetProperty("rows").EnumerateArray(), r => Assert.Equal("audit.export", r.GetProperty("action").GetString()));
        Assert.True((await VerifyAsync(body)).Ok);
    }

    [Fact]
    public async Task The_audit_page_links_to_both_exports_with_its_current_filters()
    {
        await using var factory = StaffTestKit.Factory(fixture, new CapturedLogs());
        var admin = await StaffAccounts.CreateAsync(factory.Services, StaffRoles.Admin);
        using var client = await StaffAccounts.SignInAsync(factory, admin);
        await StaffTestKit.InviteAsync(client, StaffRoles.Auditor);

        var html = WebUtility.HtmlDecode(await (await client.GetAsync($"/staff/admin/audit?kind=AdminAction&actor={admin.Id}")).Content.ReadAsStringAsync());
        var chinese = WebUtility.HtmlDecode(await (await client.GetAsync("/staff/admin/audit?lang=zh")).Content.ReadAsStringAsync());
        var refused = await (await client.GetAsync("/staff/admin/audit?case=xyz")).Content.ReadAsStringAsync();

        var csv = $"/staff/admin/audit/export?format=csv&kind=AdminAction&actor={admin.Id}";
        Assert.Contains($"href=\"{csv}\"", html, StringComparison.Ordinal);
        Assert.Contains($"href=\"/staff/admin/audit/export?format=json&kind=AdminAction&actor={admin.Id}\"", html, StringComparison.Ordinal);
        Assert.Contains(">Export CSV</a>", html, StringComparison.Ordinal);
        Assert.Contains(">导出 JSON</a>", chinese, StringComparison.Ordinal);
        Assert.Contains("href=\"/staff/admin/audit/export?format=csv\"", chinese, StringComparison.Ordinal);
        Assert.DoesNotContain("data-audit-export", refused, StringComparison.Ordinal);

        var followed = await client.GetAsync(csv);
        Assert.Equal(HttpStatusCode.OK, followed.StatusCode);
        var report = await VerifyAsync(await followed.Content.ReadAsByteArrayAsync());
        Assert.True(report.Ok, report.Problem?.Reason);
        Assert.Equal(1, report.Rows);
    }
}
