using System.Net;
using System.Text;
using Intake.Storage.Accounts;
using Microsoft.Playwright;
using Npgsql;

namespace Intake.Web.Tests.Staff;

/// <summary>
/// Passkeys in Chromium against Intake as a real process, with Chromium's virtual WebAuthn
/// authenticator (CDP) standing in for a phone or security key: she adds a passkey after signing
/// in with password and code, signs in with it alone, re-authenticates with it, removes it, and
/// then it signs nobody in. WebAuthn refuses IP addresses as a relying party, so the browser uses
/// "localhost" (a secure context, like the onion or HTTPS address in production).
/// </summary>
public sealed class PasskeyTests : IAsyncLifetime
{
    private readonly WebFixture _fixture = new();
    private IntakeProcess _intake = null!;
    private IPlaywright _playwright = null!;
    private IBrowser _browser = null!;

    private Uri Base => new($"http://localhost:{_intake.Port}/");

    public async Task InitializeAsync()
    {
        await _fixture.InitializeAsync();
        _intake = IntakeProcess.Start(_fixture.Settings());
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
    public async Task She_adds_a_passkey_signs_in_and_reauthenticates_with_it_alone_and_once_removed_it_signs_nobody_in()
    {
        var member = await StaffAccounts.CreateAsync(_fixture.Database.App, StaffRoles.Advocate);
        var context = await _browser.NewContextAsync();
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(90_000);
        var cdp = await context.NewCDPSessionAsync(page);
        await cdp.SendAsync("WebAuthn.enable");
        await cdp.SendAsync("WebAuthn.addVirtualAuthenticator", new Dictionary<string, object>
        {
            ["options"] = new Dictionary<string, object>
            {
                ["protocol"] = "ctap2",
                ["transport"] = "internal",
                ["hasResidentKey"] = true,
                ["hasUserVerification"] = true,
                ["isUserVerified"] = true,
                ["automaticPresenceSimulation"] = true,
            },
        });

        // Added after a sign-in with password and code.
        await StaffAccounts.SignInAsync(page, Base, member);
        await page.GotoAsync(Url("/staff/passkeys"));
        Assert.Equal(1, await page.Locator("[data-no-passkeys]").CountAsync());
        await page.FillAsync("#passkey-name", "Work phone");
        await page.ClickAsync("[data-passkey-add-form] button[type=submit]");
        await page.WaitForSelectorAsync("tr[data-passkey]");
        Assert.Contains("Work phone", await page.InnerTextAsync("tr[data-passkey]"), StringComparison.Ordinal);
        Assert.Equal(1L, await ScalarAsync("SELECT count(*) FROM accounts.passkeys WHERE user_id = @user AND name = 'Work phone' AND is_user_verified", member.Id));
        Assert.Equal(1L, await ScalarAsync(
            "SELECT count(*) FROM intake.ledger_entries WHERE kind = 8 AND convert_from(metadata, 'UTF8') LIKE '%account.passkey.add%' AND convert_from(metadata, 'UTF8') LIKE '%' || @user || '%'",
            member.Id.ToString()));

        // Signed out, the passkey alone signs her in, with both factors: the workspace lets her in.
        await context.ClearCookiesAsync();
        await page.GotoAsync(Url("/staff/sign-in"));
        await page.ClickAsync("[data-passkey-sign-in=sign-in]");
        await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/staff");
        Assert.Equal(HttpStatusCode.OK, (HttpStatusCode)(await page.GotoAsync(Url("/staff/cases")))!.Status);
        Assert.All(await context.CookiesAsync(), c => Assert.StartsWith("__Host-intake-", c.Name, StringComparison.Ordinal));

        // Re-authentication with the passkey, then back where she was.
        await page.GotoAsync(Url("/staff/reauth?returnUrl=%2Fstaff%2Fpasskeys"));
        await page.ClickAsync("[data-passkey-sign-in=reauth]");
        await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/staff/passkeys");

        // Removed, it no longer signs her in: a kind message, and she stays on the sign-in page.
        await page.ClickAsync("tr[data-passkey] [data-remove-passkey]");
        await page.WaitForSelectorAsync("[data-no-passkeys]");
        Assert.Equal(0L, await ScalarAsync("SELECT count(*) FROM accounts.passkeys WHERE user_id = @user", member.Id));
        Assert.Equal(1L, await ScalarAsync(
            "SELECT count(*) FROM intake.ledger_entries WHERE kind = 8 AND convert_from(metadata, 'UTF8') LIKE '%account.passkey.remove%' AND convert_from(metadata, 'UTF8') LIKE '%' || @user || '%'",
            member.Id.ToString()));
        await context.ClearCookiesAsync();
        await page.GotoAsync(Url("/staff/sign-in"));
        await page.ClickAsync("[data-passkey-sign-in=sign-in]");
        await page.WaitForFunctionAsync("() => (document.querySelector('[data-passkey-status]')?.textContent ?? '').includes('not accepted')");
        Assert.Equal("/staff/sign-in", new Uri(page.Url).AbsolutePath);
        Assert.Equal("/staff/sign-in", new Uri((await page.GotoAsync(Url("/staff/cases")))!.Url).AbsolutePath);

        Assert.DoesNotContain(member.Password, _intake.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Malformed_or_forged_passkey_answers_are_refused_with_problem_details_and_sign_nobody_in()
    {
        using var http = new HttpClient { BaseAddress = Base };
        foreach (var body in new[] { "", "not json", "[]", "{\"credential\":\"text\"}", "{}" })
        {
            var response = await http.PostAsync("/api/staff/sign-in/passkey", new StringContent(body, Encoding.UTF8, "application/json"));
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }

        // A well-formed answer to a challenge this server never issued, for a credential it does not know.
        var forged = """
            {"credential":{"id":"AAAA","rawId":"AAAA","type":"public-key","clientExtensionResults":{},
             "response":{"clientDataJSON":"e30","authenticatorData":"AAAA","signature":"AAAA"}}}
            """;
        var refused = await http.PostAsync("/api/staff/sign-in/passkey", new StringContent(forged, Encoding.UTF8, "application/json"));
        Assert.True(refused.StatusCode == HttpStatusCode.Unauthorized, $"{(int)refused.StatusCode}: {_intake.Output}");
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        Assert.False(refused.Headers.TryGetValues("Set-Cookie", out var cookies) && cookies.Any(c => c.StartsWith("__Host-intake-staff=", StringComparison.Ordinal)
            && !c.Contains("expires=Thu, 01 Jan 1970", StringComparison.OrdinalIgnoreCase)));

        var tooLarge = await http.PostAsync("/api/staff/sign-in/passkey",
            new StringContent("{\"credential\":{\"id\":\"" + new string('A', 20_000) + "\"}}", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, tooLarge.StatusCode);

        // Adding or listing options for adding a passkey needs a signed-in staff member.
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.PostAsync("/api/staff/passkeys/creation-options", new StringContent("{}"))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.PostAsync("/api/staff/passkeys", new StringContent(forged, Encoding.UTF8, "application/json"))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.PostAsync("/api/staff/reauth/passkey/options", new StringContent("{}"))).StatusCode);
    }

    private string Url(string path) => new Uri(Base, path).ToString();

    private async Task<long> ScalarAsync(string sql, object user)
    {
        await using var connection = new NpgsqlConnection(_fixture.Database.App);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddWithValue("user", user);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
