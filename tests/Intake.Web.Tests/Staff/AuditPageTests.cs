using System.Net;
using System.Text.RegularExpressions;
using Intake.Storage.Accounts;
using Microsoft.Extensions.DependencyInjection;

namespace Intake.Web.Tests.Staff;

/// <summary>The audit view: who may see it, what it lists, its filters and their bad values.</summary>
[Collection(WebCollection.Name)]
public sealed partial class AuditPageTests(WebFixture fixture)
{
    private static async Task<string> Html(HttpResponseMessage response) => WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync());

    /// <summary>The rows of the audit table, as their raw HTML, in page order.</summary>
    private static List<string> Rows(string html) => AuditRow().Matches(html).Select(m => m.Value).ToList();

    [Fact]
    public async Task An_invitation_appears_with_the_admins_name_for_admins_and_auditors()
    {
        await using var factory = StaffTestKit.Factory(fixture, new CapturedLogs());
        var admin = await StaffAccounts.CreateAsync(factory.Services, StaffRoles.Admin);
        var auditor = await StaffAccounts.CreateAsync(factory.Services, StaffRoles.Auditor);
        using var adminClient = await StaffAccounts.SignInAsync(factory, admin);
        await StaffTestKit.InviteAsync(adminClient, StaffRoles.Advocate);
        var adminName = $"Test {StaffRoles.Admin} {admin.Email[..8]}";

        foreach (var (who, client) in new[] { ("admin", adminClient), ("auditor", await StaffAccounts.SignInAsync(factory, auditor)) })
        {
            var response = await client.GetAsync($"/staff/admin/audit?actor={admin.Id}");
            var html = await Html(response);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{who}: {(int)response.StatusCode}");
            var invite = Assert.Single(Rows(html), r => r.Contains("<code>account.invite</code>", StringComparison.Ordinal));
            Assert.Contains(adminName, invite, StringComparison.Ordinal);
            Assert.Contains("Account or channel change", invite, StringComparison.Ordinal);
            Assert.Contains("role: Advocate", invite, StringComparison.Ordinal);
            Assert.Contains(DateTime.UtcNow.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), invite, StringComparison.Ordinal);
            Assert.Contains("href=\"/staff/admin/audit\"", html, StringComparison.Ordinal); // the nav link
        }
    }

    [Fact]
    public async Task Advocates_are_refused_and_anonymous_visitors_are_sent_to_sign_in()
    {
        await using var factory = StaffTestKit.Factory(fixture, new CapturedLogs());
        var advocate = await StaffAccounts.CreateAsync(factory.Services, StaffRoles.Advocate);
        using var anonymous = StaffAccounts.CreateClient(factory);
        using var advocateClient = await StaffAccounts.SignInAsync(factory, advocate);

        var signIn = await anonymous.GetAsync("/staff/admin/audit");
        var denied = await advocateClient.GetAsync("/staff/admin/audit");

        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        Assert.StartsWith("/staff/sign-in?returnUrl=", StaffAccounts.PathOf(signIn), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Redirect, denied.StatusCode);
        Assert.StartsWith("/staff/denied", StaffAccounts.PathOf(denied), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, (await advocateClient.GetAsync(StaffAccounts.PathOf(denied))).StatusCode);
        Assert.DoesNotContain("href=\"/staff/admin/audit\"", await (await advocateClient.GetAsync("/staff")).Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Filters_by_kind_actor_and_case_narrow_the_list()
    {
        await using var factory = StaffTestKit.Factory(fixture, new CapturedLogs());
        var first = await StaffAccounts.CreateAsync(factory.Services, StaffRoles.Admin);
        var second = await StaffAccounts.CreateAsync(factory.Services, StaffRoles.Admin);
        using var firstClient = await StaffAccounts.SignInAsync(factory, first);
        using var secondClient = await StaffAccounts.SignInAsync(factory, second);
        await StaffTestKit.InviteAsync(firstClient, StaffRoles.Advocate);
        await StaffTestKit.InviteAsync(secondClient, StaffRoles.Auditor);
        await StaffTestKit.InviteAsync(secondClient, StaffRoles.Advocate);

        var byFirst = Rows(await Html(await firstClient.GetAsync($"/staff/admin/audit?kind=AdminAction&actor={first.Id}")));
        var bySecond = Rows(await Html(await firstClient.GetAsync($"/staff/admin/audit?actor={second.Id}")));
        var keys = Rows(await Html(await firstClient.GetAsync($"/staff/admin/audit?kind=KeyDirectoryChange&actor={first.Id}")));
        var noCase = await firstClient.GetAsync($"/staff/admin/audit?case={Guid.NewGuid()}");
        var all = Rows(await Html(await firstClient.GetAsync("/staff/admin/audit")));

        Assert.Single(byFirst);
        Assert.Contains("role: Advocate", byFirst[0], StringComparison.Ordinal);
        Assert.Equal(2, bySecond.Count);
        Assert.Contains("role: Auditor", bySecond[1], StringComparison.Ordinal); // newest first: the auditor invitation is older
        Assert.Contains("role: Advocate", bySecond[0], StringComparison.Ordinal);
        Assert.All(bySecond, r => Assert.DoesNotContain($"Test Admin {first.Email[..8]}", r, StringComparison.Ordinal));
        Assert.Empty(keys);
        Assert.Equal(HttpStatusCode.OK, noCase.StatusCode);
        Assert.Empty(Rows(await Html(noCase)));
        Assert.Contains("data-audit-empty", await noCase.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.True(all.Count >= 3, $"{all.Count} rows without a filter");
        var chinese = Rows(await Html(await firstClient.GetAsync($"/staff/admin/audit?lang=zh&actor={first.Id}")));
        Assert.Contains("账户或渠道变更", Assert.Single(chinese), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("kind=Submission", "That kind of action is not one this view knows")]
    [InlineData("kind=8", "That kind of action is not one this view knows")]
    [InlineData("kind=Nonsense", "That kind of action is not one this view knows")]
    [InlineData("actor=not-a-uuid", "That person could not be found from the link")]
    [InlineData("case=1234", "That does not look like a case id")]
    [InlineData("before=-1", "That page of the record could not be found")]
    [InlineData("after=abc", "That page of the record could not be found")]
    [InlineData("before=5&after=3", "That page of the record could not be found")]
    public async Task Bad_filter_values_get_a_kind_message_and_status_400(string query, string message)
    {
        await using var factory = StaffTestKit.Factory(fixture, new CapturedLogs());
        var auditor = await StaffAccounts.CreateAsync(factory.Services, StaffRoles.Auditor);
        using var client = await StaffAccounts.SignInAsync(factory, auditor);

        var response = await client.GetAsync("/staff/admin/audit?" + query);
        var html = await Html(response);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(message, html, StringComparison.Ordinal);
        Assert.Contains("data-audit-filter", html, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bad_values_are_explained_in_chinese_on_request()
    {
        await using var factory = StaffTestKit.Factory(fixture, new CapturedLogs());
        var auditor = await StaffAccounts.CreateAsync(factory.Services, StaffRoles.Auditor);
        using var client = await StaffAccounts.SignInAsync(factory, auditor);

        var response = await client.GetAsync("/staff/admin/audit?lang=zh&case=xyz");
        var html = await Html(response);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("这看起来不是案件编号", html, StringComparison.Ordinal);
        Assert.Contains("<input type=\"hidden\" name=\"lang\" value=\"zh\">", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Older_and_newer_links_page_through_the_record()
    {
        await using var factory = StaffTestKit.Factory(fixture, new CapturedLogs());
        var admin = await StaffAccounts.CreateAsync(factory.Services, StaffRoles.Admin);
        using var client = await StaffAccounts.SignInAsync(factory, admin);
        // Straight through the service: the same AdminAction entries as the People page writes, without a hundred requests.
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var administration = scope.ServiceProvider.GetRequiredService<StaffAdministration>();
            for (var i = 0; i < Intake.Storage.Audit.AuditLog.DefaultPageSize + 2; i++)
            {
                await administration.InviteAsync(StaffRoles.Advocate, admin.Id, TimeSpan.FromHours(1));
            }
        }

        var first = await Html(await client.GetAsync($"/staff/admin/audit?actor={admin.Id}"));
        var older = OlderLink().Match(first);
        Assert.True(older.Success, "no link to older actions");
        Assert.DoesNotContain("data-newer", first, StringComparison.Ordinal);
        Assert.Equal(Intake.Storage.Audit.AuditLog.DefaultPageSize, Rows(first).Count);

        var second = await Html(await client.GetAsync(older.Groups[1].Value));
        Assert.Equal(2, Rows(second).Count);
        Assert.DoesNotContain("data-older", second, StringComparison.Ordinal);
        Assert.Contains($"actor={admin.Id}", older.Groups[1].Value, StringComparison.Ordinal);
        var newer = NewerLink().Match(second);
        Assert.True(newer.Success, "no link to newer actions");

        var back = await Html(await client.GetAsync(newer.Groups[1].Value));
        Assert.Equal(Rows(first), Rows(back));
    }

    [Fact]
    public async Task The_audit_page_carries_the_strict_headers_and_no_script_or_inline_style()
    {
        await using var factory = StaffTestKit.Factory(fixture, new CapturedLogs());
        var auditor = await StaffAccounts.CreateAsync(factory.Services, StaffRoles.Auditor);
        using var client = await StaffAccounts.SignInAsync(factory, auditor);

        var response = await client.GetAsync("/staff/admin/audit");
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(Intake.Web.Hosting.SecurityHeaders.ContentSecurityPolicy, string.Join(",", response.Headers.GetValues("Content-Security-Policy")));
        Assert.Equal("DENY", string.Join(",", response.Headers.GetValues("X-Frame-Options")));
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("style=", html, StringComparison.OrdinalIgnoreCase);
    }

    [GeneratedRegex("<tr data-audit-entry=\"\\d+\"[\\s\\S]*?</tr>")]
    private static partial Regex AuditRow();

    [GeneratedRegex("href=\"([^\"]+)\" rel=\"next\" data-older")]
    private static partial Regex OlderLink();

    [GeneratedRegex("href=\"([^\"]+)\" rel=\"prev\" data-newer")]
    private static partial Regex NewerLink();
}
