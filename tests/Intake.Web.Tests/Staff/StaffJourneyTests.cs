using Intake.Storage.Accounts;
using Intake.Storage.Ledger;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Playwright;
using Npgsql;

namespace Intake.Web.Tests.Staff;

/// <summary>
/// The whole vetting journey in Chromium against Intake as a real process, on a database of its
/// own (bootstrap needs a team without an admin): bootstrap, the first admin enrols, invites an
/// advocate and a second admin, approves the second admin (the first two admins' exception),
/// the advocate enrols and waits, her inviter cannot approve her, the second admin approves
/// after re-authenticating, and the advocate signs in with TOTP and reaches /staff.
/// </summary>
public sealed class StaffJourneyTests : IAsyncLifetime
{
    private static readonly TimeSpan RecentWindow = TimeSpan.FromSeconds(15);
    private readonly WebFixture _fixture = new();
    private IntakeProcess _intake = null!;
    private IPlaywright _playwright = null!;
    private IBrowser _browser = null!;

    public async Task InitializeAsync()
    {
        await _fixture.InitializeAsync();
        var settings = _fixture.Settings();
        settings["Accounts:RecentSignInWindow"] = "00:00:15";
        _intake = IntakeProcess.Start(settings);
        await _intake.WaitUntilHealthyAsync(TimeSpan.FromSeconds(60));
        (_playwright, _browser) = await Browser.LaunchAsync();
    }

    public async Task DisposeAsync()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
        await _intake.DisposeAsync();
        await _fixture.DisposeAsync();
    }

    [Fact]
    public async Task Bootstrap_enrolment_vetting_by_a_second_admin_and_the_advocates_first_sign_in()
    {
        // The operator's step: the same code `intake admin bootstrap` runs.
        IssuedInvitation bootstrap;
        await using (var dataSource = NpgsqlDataSource.Create(_fixture.Database.App))
        await using (var writer = new LedgerWriter(dataSource, TimeProvider.System, NullLogger<LedgerWriter>.Instance))
        {
            bootstrap = await new StaffAdministration(writer, TimeProvider.System).BootstrapAsync(TimeSpan.FromHours(72));
        }
        var secrets = new List<string> { bootstrap.Token, StaffAccounts.DefaultPassword };

        var first = await NewPageAsync();
        var firstAdmin = await EnrollAsync(first, $"/staff/enroll/{bootstrap.Token}", "first-admin@staff.test", StaffRoles.Admin, expectActive: true);
        secrets.Add(firstAdmin.TotpSecret);

        var advocateLink = await InviteAsync(first, StaffRoles.Advocate);
        var adminLink = await InviteAsync(first, StaffRoles.Admin);
        secrets.Add(advocateLink.Split('/')[^1]);
        secrets.Add(adminLink.Split('/')[^1]);

        var second = await NewPageAsync();
        var secondAdmin = await EnrollAsync(second, new Uri(adminLink).AbsolutePath, "second-admin@staff.test", StaffRoles.Admin, expectActive: false);
        secrets.Add(secondAdmin.TotpSecret);
        await ApproveAsync(first, firstAdmin, "second-admin@staff.test", expectReauth: null);

        var advocatePage = await NewPageAsync();
        var advocate = await EnrollAsync(advocatePage, new Uri(advocateLink).AbsolutePath, "advocate@staff.test", StaffRoles.Advocate, expectActive: false);
        secrets.Add(advocate.TotpSecret);
        Assert.Equal("Waiting for approval", await advocatePage.InnerTextAsync("h1"));

        // Her inviter may not approve her.
        await first.GotoAsync(Url("/staff/admin/people"));
        await first.ClickAsync("tr[data-person='advocate@staff.test'] [data-approve]");
        await ReauthIfAskedAsync(first, firstAdmin);
        await first.ClickAsync("[data-confirm-approve]");
        Assert.Contains("another admin must approve", await first.InnerTextAsync("[data-error]"), StringComparison.Ordinal);

        // The second admin signs in afresh, and by the time she approves, the sign-in is no longer recent.
        await second.GotoAsync(Url("/staff/sign-in"));
        await StaffAccounts.SignInAsync(second, _intake.BaseAddress, secondAdmin);
        // Measured from the end of the sign-in, when the server records it: the sign-in itself may
        // wait up to a TOTP step for a code not used yet.
        var secondSignIn = DateTime.UtcNow;
        var wait = RecentWindow + TimeSpan.FromSeconds(2) - (DateTime.UtcNow - secondSignIn);
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait);
        }
        await ApproveAsync(second, secondAdmin, "advocate@staff.test", expectReauth: true);
        Assert.Equal("Active", await second.GetAttributeAsync("tr[data-person='advocate@staff.test'] [data-person-status]", "data-person-status"));

        var fresh = await NewPageAsync();
        await StaffAccounts.SignInAsync(fresh, _intake.BaseAddress, advocate);
        Assert.Equal("Staff home", await fresh.InnerTextAsync("h1"));
        Assert.True(await fresh.IsVisibleAsync("nav a[href='/staff/cases']"));
        Assert.False(await fresh.IsVisibleAsync("nav a[href='/staff/admin/people']"));

        await using var connection = new NpgsqlConnection(_fixture.Database.Superuser);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT convert_from(metadata, 'UTF8') FROM intake.ledger_entries WHERE kind = 8 ORDER BY seq", connection);
        var actions = new List<string>();
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                actions.Add(reader.GetString(0));
            }
        }
        Assert.Equal(["account.bootstrap", "account.invite", "account.invite", "account.approve", "account.approve"],
            actions.Select(a => System.Text.Json.JsonDocument.Parse(a).RootElement.GetProperty("action").GetString()));
        var output = _intake.Output;
        Assert.All(secrets, secret => Assert.DoesNotContain(secret, output, StringComparison.Ordinal));
    }

    private string Url(string path) => new Uri(_intake.BaseAddress, path).ToString();

    // A fresh context per person. The test suite runs its projects in parallel on a small
    // machine, so a page may take longer than Playwright's 30-second default to answer.
    private async Task<IPage> NewPageAsync()
    {
        var page = await (await _browser.NewContextAsync()).NewPageAsync();
        page.SetDefaultTimeout(90_000);
        page.SetDefaultNavigationTimeout(90_000);
        return page;
    }

    // When a page does not arrive, say where the browser is, what the page says and what Intake
    // logged, instead of only that time ran out.
    private async Task ArriveAsync(IPage page, Func<Task> wait)
    {
        try
        {
            await wait();
        }
        catch (TimeoutException ex)
        {
            var text = await page.InnerTextAsync("body", new PageInnerTextOptions { Timeout = 5_000 });
            var log = string.Join('\n', _intake.Output.Split('\n').Where(l => !l.Contains("\"LogLevel\":\"Information\"", StringComparison.Ordinal)).TakeLast(20));
            throw new TimeoutException($"{ex.Message}\nThe browser is at {page.Url}; the page says:\n{text}\nIntake's last warnings and errors:\n{log}", ex);
        }
    }

    private async Task<StaffMember> EnrollAsync(IPage page, string path, string email, string role, bool expectActive)
    {
        await page.GotoAsync(Url(path));
        await page.FillAsync("#name", "Name of " + email.Split('@')[0]);
        await page.FillAsync("#email", email);
        await page.FillAsync("#password", StaffAccounts.DefaultPassword);
        await page.FillAsync("#confirm", StaffAccounts.DefaultPassword);
        await page.ClickAsync("main button[type=submit]");
        await ArriveAsync(page, () => page.WaitForURLAsync("**/staff/enroll/two-factor"));
        Assert.StartsWith("data:image/png;base64,", await page.GetAttributeAsync("[data-qr]", "src"), StringComparison.Ordinal);
        Assert.True(await page.EvaluateAsync<bool>("() => document.querySelector('[data-qr]').naturalWidth > 100"));
        var secret = (await page.InnerTextAsync("[data-secret]")).Replace(" ", "", StringComparison.Ordinal);
        var member = new StaffMember(Guid.Empty, email, StaffAccounts.DefaultPassword, secret, role);
        await page.FillAsync("#code", await member.NextCodeAsync());
        await page.ClickAsync("main button[type=submit]");
        Assert.Equal(10, await page.Locator("[data-recovery-codes] li").CountAsync());
        await page.ClickAsync("[data-continue]");
        await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == (expectActive ? "/staff" : "/staff/denied"));
        return member;
    }

    private static async Task<string> InviteAsync(IPage page, string role)
    {
        await page.ClickAsync("nav a[href='/staff/admin/people']");
        await page.SelectOptionAsync("#role", role);
        await page.ClickAsync("form[action*='handler=invite'] button");
        return await page.InnerTextAsync("[data-invitation-link]");
    }

    private async Task ApproveAsync(IPage page, StaffMember admin, string email, bool? expectReauth)
    {
        await page.GotoAsync(Url("/staff/admin/people"));
        await page.ClickAsync($"tr[data-person='{email}'] [data-approve]");
        var asked = await ReauthIfAskedAsync(page, admin);
        if (expectReauth is { } expected)
        {
            Assert.Equal(expected, asked);
        }
        await page.ClickAsync("[data-confirm-approve]");
        await page.WaitForURLAsync("**/staff/admin/people?done=approved");
    }

    private static async Task<bool> ReauthIfAskedAsync(IPage page, StaffMember admin)
    {
        await page.WaitForLoadStateAsync();
        if (!page.Url.Contains("/staff/reauth", StringComparison.Ordinal))
        {
            return false;
        }
        await page.FillAsync("#password", admin.Password);
        await page.FillAsync("#code", await admin.NextCodeAsync());
        await page.ClickAsync("main button[type=submit]");
        await page.WaitForURLAsync("**/approve");
        return true;
    }
}
