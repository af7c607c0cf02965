using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Intake.Core.Crypto;
using Intake.Storage.Accounts;
using Intake.Storage.Cases;
using Intake.Storage.Retention;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Intake.Web.Tests.Staff;

/// <summary>
/// The retention dashboard: admins and auditors read the same figures the store computes, which move
/// as cases arrive, are held, fall overdue and are withdrawn; advocates and people signed out are
/// kept out; the page is server-drawn SVG under the strict headers, in English and Chinese.
/// The database is shared by the collection, so the figures are compared before and after.
/// </summary>
[Collection(WebCollection.Name)]
public sealed class RetentionDashboardTests(WebFixture fixture)
{
    private const string Dashboard = "/staff/admin/retention/dashboard";

    [Fact]
    public async Task Admins_and_auditors_see_the_figures_move_as_cases_arrive_are_held_fall_overdue_and_are_withdrawn()
    {
        await using var factory = Factory();
        var admin = await StaffAccounts.CreateAsync(factory.Services, StaffRoles.Admin);
        var otherAdmin = await StaffAccounts.CreateAsync(factory.Services, StaffRoles.Admin);
        var auditor = await StaffAccounts.CreateAsync(factory.Services, StaffRoles.Auditor);
        var advocate = await StaffAccounts.CreateAsync(factory.Services, StaffRoles.Advocate);
        using var adminClient = await StaffAccounts.SignInAsync(factory, admin);
        using var auditorClient = await StaffAccounts.SignInAsync(factory, auditor);
        var before = Figures(await PageAsync(adminClient));
        var today = DateOnly.FromDateTime(DateTime.UtcNow);

        var channel = await RetentionTestKit.NewChannelAsync(factory, "dash");
        await RetentionTestKit.Service<RetentionStore>(factory).SetPolicyAsync(new RetentionPolicy(channel, 3, 365, 30), otherAdmin.Id);
        await RetentionTestKit.AssignedCaseAsync(fixture, factory, channel, advocate.Id);
        var overdue = await RetentionTestKit.AssignedCaseAsync(fixture, factory, channel, advocate.Id);
        await MakeOverdueAsync(overdue);
        var held = await RetentionTestKit.AssignedCaseAsync(fixture, factory, channel, advocate.Id);
        var holds = RetentionTestKit.Service<LegalHoldStore>(factory);
        await holds.ApproveAsync((await holds.RequestAsync(held, advocate.Id, "court case", 10)).Id, otherAdmin.Id);
        var waiting = await RetentionTestKit.AssignedCaseAsync(fixture, factory, channel, advocate.Id);
        await holds.RequestAsync(waiting, advocate.Id, "police inquiry", 10);

        var html = await PageAsync(adminClient);
        var after = Figures(html);

        // Due on day 3: the plain case and the one whose hold is only requested; the held one on day 10.
        Assert.Equal(before["overdue"] + 1, after["overdue"]);
        Assert.Equal(before["due-7"] + 2, after["due-7"]);
        Assert.Equal(before["due-30"] + 3, after["due-30"]);
        Assert.Equal(before["active-holds"] + 1, after["active-holds"]);
        Assert.Equal(before["waiting-requests"] + 1, after["waiting-requests"]);
        Assert.Equal(before["purged-30"], after["purged-30"]);
        var row = RetentionTestKit.Row(html, $"data-policy-cases=\"{channel}\"");
        Assert.Contains("data-unread=\"4\"", row, StringComparison.Ordinal);
        Assert.Contains("data-open=\"0\"", row, StringComparison.Ordinal);
        Assert.Contains("data-total=\"4\"", row, StringComparison.Ordinal);
        // Overdue is shown as a problem.
        Assert.Contains("data-overdue-alert>", html, StringComparison.Ordinal);
        Assert.Contains($"data-overdue=\"{after["overdue"]}\" class=\"error\"", html, StringComparison.Ordinal);
        Assert.DoesNotContain("data-overdue-none", html, StringComparison.Ordinal);
        // The chart of purges due has a bar on day 3 with (at least) these two cases, and its table says the same.
        var bar = Regex.Match(html, $"<rect [^>]*data-day=\"{RetentionTestKit.Day(today.AddDays(3))}\" data-count=\"(\\d+)\">");
        Assert.True(bar.Success, "no bar for day 3 in the chart");
        Assert.True(int.Parse(bar.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) >= 2, bar.Value);
        Assert.Matches($"<th scope=\"row\">{RetentionTestKit.Day(today.AddDays(3))}</th>\\s*<td>{bar.Groups[1].Value}</td>", html);
        // What the page shows is what the store computes (nothing else writes during the test).
        AssertMatchesStore(after, await RetentionTestKit.Service<RetentionDashboard>(factory).ReadAsync());

        // The auditor reads the same page.
        var auditorPage = await auditorClient.GetAsync(Dashboard);
        Assert.Equal(HttpStatusCode.OK, auditorPage.StatusCode);
        Assert.Equal(after, Figures(await auditorPage.Content.ReadAsStringAsync()));

        // Her withdrawal purges the overdue case at once: it is no longer due, and counts as withdrawn.
        await RetentionTestKit.Service<CaseStore>(factory).WithdrawAsync(overdue);

        var withdrawn = Figures(await PageAsync(auditorClient));
        Assert.Equal(before["overdue"], withdrawn["overdue"]);
        Assert.Equal(after["purged-30"] + 1, withdrawn["purged-30"]);
        Assert.Equal(after["purged-withdrawn"] + 1, withdrawn["purged-withdrawn"]);
        Assert.Equal(after["purged-retention"], withdrawn["purged-retention"]);
        Assert.Equal(after["due-30"], withdrawn["due-30"]);
    }

    [Fact]
    public async Task An_advocate_and_someone_signed_out_are_refused_and_only_admins_and_auditors_are_shown_the_link()
    {
        await using var factory = Factory();
        var advocate = await StaffAccounts.CreateAsync(factory.Services, StaffRoles.Advocate);
        var auditor = await StaffAccounts.CreateAsync(factory.Services, StaffRoles.Auditor);

        using var anonymous = StaffAccounts.CreateClient(factory);
        var signIn = await anonymous.GetAsync(Dashboard);
        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        Assert.StartsWith("/staff/sign-in?returnUrl=", StaffAccounts.PathOf(signIn), StringComparison.Ordinal);

        using var advocateClient = await StaffAccounts.SignInAsync(factory, advocate);
        var denied = await advocateClient.GetAsync(Dashboard);
        Assert.Equal(HttpStatusCode.Redirect, denied.StatusCode);
        Assert.StartsWith("/staff/denied", StaffAccounts.PathOf(denied), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, (await advocateClient.GetAsync(StaffAccounts.PathOf(denied))).StatusCode);
        Assert.DoesNotContain($"href=\"{Dashboard}\"", await advocateClient.GetStringAsync("/staff"), StringComparison.Ordinal);

        using var auditorClient = await StaffAccounts.SignInAsync(factory, auditor);
        Assert.Contains($"href=\"{Dashboard}\"", await auditorClient.GetStringAsync("/staff"), StringComparison.Ordinal);
        Assert.Contains($"<a href=\"{Dashboard}\" data-dashboard-link>", await auditorClient.GetStringAsync("/staff/admin/retention"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_page_has_the_strict_headers_no_script_or_inline_style_two_labelled_charts_and_chinese_text()
    {
        await using var factory = Factory();
        var admin = await StaffAccounts.CreateAsync(factory.Services, StaffRoles.Admin);
        using var client = await StaffAccounts.SignInAsync(factory, admin);

        var response = await client.GetAsync(Dashboard);
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(Intake.Web.Hosting.SecurityHeaders.ContentSecurityPolicy, string.Join(",", response.Headers.GetValues("Content-Security-Policy")));
        Assert.Equal("DENY", string.Join(",", response.Headers.GetValues("X-Frame-Options")));
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("style=", html, StringComparison.OrdinalIgnoreCase);
        foreach (var (chart, title) in new[] { ("due-chart", "Purges due per day, next 30 days"), ("purged-chart", "Cases purged per day, last 30 days") })
        {
            Assert.Contains($"<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" aria-labelledby=\"{chart}-title\" aria-describedby=\"{chart}-desc\"", html, StringComparison.Ordinal);
            Assert.Contains($"<title id=\"{chart}-title\">{title}</title>", html, StringComparison.Ordinal);
            Assert.Contains($"<table class=\"visually-hidden\" data-chart-table=\"{chart}\">", html, StringComparison.Ordinal);
        }
        Assert.Contains("<h1>Retention dashboard</h1>", html, StringComparison.Ordinal);

        var chinese = WebUtility.HtmlDecode(await client.GetStringAsync(Dashboard + "?lang=zh"));
        Assert.Contains("<html lang=\"zh-Hans\">", chinese, StringComparison.Ordinal);
        Assert.Contains("<h1>保存期限概览</h1>", chinese, StringComparison.Ordinal);
        Assert.Contains("未来 30 天每日待清除的案件", chinese, StringComparison.Ordinal);
        Assert.Contains("href=\"/staff/admin/retention?lang=zh\"", chinese, StringComparison.Ordinal);
        Assert.Equal(Figures(html), Figures(chinese));
    }

    private WebApplicationFactory<Program> Factory() =>
        // The retention job stays off: it would purge the overdue case this test makes before the page is read.
        StaffTestKit.Factory(fixture, new CapturedLogs(), new() { ["Retention:JobEnabled"] = "false" });

    private static async Task<string> PageAsync(HttpClient client)
    {
        var response = await client.GetAsync(Dashboard);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }

    private static readonly string[] FigureNames =
        ["overdue", "due-today", "due-7", "due-30", "purged-30", "purged-retention", "purged-withdrawn", "active-holds", "waiting-requests"];

    /// <summary>The dashboard's figures by their data- attribute; each must be on the page once.</summary>
    private static Dictionary<string, int> Figures(string html) => FigureNames.ToDictionary(name => name, name =>
    {
        var match = Assert.Single(Regex.Matches(html, $"<dd data-{name}=\"(\\d+)\"[^>]*>(\\d+)</dd>"));
        Assert.Equal(match.Groups[1].Value, match.Groups[2].Value);
        return int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
    });

    private static void AssertMatchesStore(Dictionary<string, int> page, RetentionFigures store) =>
        Assert.Equal(
            (store.Overdue, store.DueToday, store.DueIn7Days, store.DueIn30Days, store.Purged, store.PurgedByRetention, store.PurgedWithdrawn, store.ActiveHolds, store.WaitingRequests),
            (page["overdue"], page["due-today"], page["due-7"], page["due-30"], page["purged-30"], page["purged-retention"], page["purged-withdrawn"], page["active-holds"], page["waiting-requests"]));

    /// <summary>
    /// Ten days ago, with a period of one day chosen by the survivor: its purge day is nine days past.
    /// Set directly (as the database owner) because the service's clock cannot be moved here.
    /// </summary>
    private async Task MakeOverdueAsync(Guid caseId)
    {
        await using var connection = new NpgsqlConnection(fixture.Database.Superuser);
        await connection.OpenAsync();
        await using var update = new NpgsqlCommand("UPDATE intake.cases SET opened_on = opened_on - 10, keep_days = 1 WHERE id = @id", connection);
        update.Parameters.AddWithValue("id", caseId);
        Assert.Equal(1, await update.ExecuteNonQueryAsync());
    }
}
