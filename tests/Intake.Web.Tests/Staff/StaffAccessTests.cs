using System.Net;
using Intake.Storage.Accounts;
using Intake.Web.Accounts;

namespace Intake.Web.Tests.Staff;

/// <summary>Who reaches which staff page, the cookies' attributes, and survivor pages staying cookie-free.</summary>
[Collection(WebCollection.Name)]
public sealed class StaffAccessTests(WebFixture fixture)
{
    private const string SignIn = "sign-in";
    private const string Denied = "denied";
    private const string Ok = "200";

    // route -> expected for anonymous, advocate, admin, auditor, pending (waiting for approval)
    public static TheoryData<string, string, string, string, string, string> Matrix => new()
    {
        { "/staff", SignIn, Ok, Ok, Ok, Denied },
        { "/staff/admin/people", SignIn, Denied, Ok, Ok, Denied },
        { "/staff/admin/audit", SignIn, Denied, Ok, Ok, Denied },
        { "/staff/admin/audit/export?format=csv", SignIn, Denied, Ok, Ok, Denied },
        { "/staff/admin/people/{pending}/approve", SignIn, Denied, Ok, Denied, Denied },
        { "/staff/admin/channels", SignIn, Denied, Ok, Ok, Denied },
        { "/staff/admin/routing", SignIn, Denied, Ok, Ok, Denied },
        { "/staff/admin/retention", SignIn, Denied, Ok, Ok, Denied },
        { "/staff/admin/retention/dashboard", SignIn, Denied, Ok, Ok, Denied },
        { "/staff/reauth", SignIn, Ok, Ok, Ok, Denied },
        { "/staff/passkeys", SignIn, Ok, Ok, Ok, Denied },
        { "/staff/sign-in", Ok, Ok, Ok, Ok, Ok },
    };

    [Theory]
    [MemberData(nameof(Matrix))]
    public async Task Each_staff_page_answers_each_kind_of_person_as_expected(string route, string anonymous, string advocate, string admin, string auditor, string pending)
    {
        await using var factory = StaffTestKit.Factory(fixture, new CapturedLogs());
        var people = new Dictionary<string, StaffMember>
        {
            ["advocate"] = await StaffAccounts.CreateAsync(factory.Services, StaffRoles.Advocate),
            ["admin"] = await StaffAccounts.CreateAsync(factory.Services, StaffRoles.Admin),
            ["auditor"] = await StaffAccounts.CreateAsync(factory.Services, StaffRoles.Auditor),
            ["pending"] = await StaffAccounts.CreateAsync(factory.Services, StaffRoles.Advocate, StaffStatus.PendingApproval),
        };
        var path = route.Replace("{pending}", people["pending"].Id.ToString(), StringComparison.Ordinal);
        var expected = new Dictionary<string, string> { ["anonymous"] = anonymous, ["advocate"] = advocate, ["admin"] = admin, ["auditor"] = auditor, ["pending"] = pending };

        foreach (var (who, expect) in expected)
        {
            using var client = who == "anonymous" ? StaffAccounts.CreateClient(factory) : await SignInAsync(factory, people[who], who == "pending");
            var response = await client.GetAsync(path);
            var location = StaffAccounts.PathOf(response);
            switch (expect)
            {
                case Ok:
                    Assert.True(response.StatusCode == HttpStatusCode.OK, $"{who} on {path}: {(int)response.StatusCode} {location}");
                    break;
                case SignIn:
                    Assert.True(response.StatusCode == HttpStatusCode.Redirect && location.StartsWith("/staff/sign-in?returnUrl=", StringComparison.Ordinal),
                        $"{who} on {path}: {(int)response.StatusCode} {location}");
                    break;
                case Denied:
                    Assert.True(response.StatusCode == HttpStatusCode.Redirect && location.StartsWith("/staff/denied", StringComparison.Ordinal),
                        $"{who} on {path}: {(int)response.StatusCode} {location}");
                    Assert.Equal(HttpStatusCode.Forbidden, (await client.GetAsync(location)).StatusCode);
                    break;
            }
        }
    }

    private static async Task<HttpClient> SignInAsync(Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactory<Program> factory, StaffMember member, bool pending)
    {
        if (!pending)
        {
            return await StaffAccounts.SignInAsync(factory, member);
        }
        var client = StaffAccounts.CreateClient(factory);
        await StaffAccounts.PostFormAsync(client, "/staff/sign-in", new() { ["Email"] = member.Email, ["Password"] = member.Password });
        var code = await StaffAccounts.PostFormAsync(client, "/staff/sign-in/code", new() { ["Code"] = await member.NextCodeAsync() });
        Assert.Equal("/staff/denied", StaffAccounts.PathOf(code));
        return client;
    }

    [Fact]
    public async Task Session_two_factor_and_antiforgery_cookies_are_host_prefixed_secure_httponly_strict_and_session_only()
    {
        await using var factory = StaffTestKit.Factory(fixture, new CapturedLogs());
        var advocate = await StaffAccounts.CreateAsync(factory.Services, StaffRoles.Advocate);
        using var client = StaffAccounts.CreateClient(factory);

        var form = await client.GetAsync("/staff/sign-in");
        var password = await StaffAccounts.PostFormAsync(client, "/staff/sign-in", new() { ["Email"] = advocate.Email, ["Password"] = advocate.Password });
        var code = await StaffAccounts.PostFormAsync(client, "/staff/sign-in/code", new() { ["Code"] = await advocate.NextCodeAsync() });

        var cookies = new[] { form, password, code }.SelectMany(r => r.Headers.TryGetValues("Set-Cookie", out var v) ? v : []).ToList();
        foreach (var name in new[] { AccountsExtensions.AntiforgeryCookie, AccountsExtensions.TwoFactorCookie, AccountsExtensions.SessionCookie })
        {
            var cookie = cookies.FirstOrDefault(c => c.StartsWith(name + "=", StringComparison.Ordinal) && !c.Contains("expires=Thu, 01 Jan 1970", StringComparison.OrdinalIgnoreCase));
            Assert.True(cookie is not null, $"{name} was not set: {string.Join(" | ", cookies.Select(c => c.Split('=')[0]))}");
            var attributes = cookie!.Split(';').Skip(1).Select(a => a.Trim().ToLowerInvariant()).ToList();
            Assert.StartsWith("__Host-", name, StringComparison.Ordinal);
            Assert.Contains("secure", attributes);
            Assert.Contains("httponly", attributes);
            Assert.Contains("samesite=strict", attributes);
            Assert.Contains("path=/", attributes);
            Assert.DoesNotContain(attributes, a => a.StartsWith("expires=", StringComparison.Ordinal) || a.StartsWith("max-age=", StringComparison.Ordinal) || a.StartsWith("domain=", StringComparison.Ordinal));
        }
        // Every cookie Intake sets is one of these three: nothing else (TempData, culture) sneaks in.
        Assert.All(cookies, c => Assert.StartsWith("__Host-intake-", c, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/en/")]
    [InlineData("/zh/")]
    [InlineData("/en/submit")]
    [InlineData("/zh/return")]
    [InlineData("/en/privacy")]
    [InlineData("/api/channels")]
    public async Task Survivor_routes_set_no_cookie_with_staff_accounts_enabled(string path)
    {
        await using var factory = StaffTestKit.Factory(fixture, new CapturedLogs());
        using var client = StaffAccounts.CreateClient(factory);

        var response = await client.GetAsync(path);

        Assert.True((int)response.StatusCode < 400, $"{path}: {(int)response.StatusCode}");
        Assert.False(response.Headers.Contains("Set-Cookie"), $"{path} set a cookie");
    }

    [Fact]
    public async Task Staff_pages_carry_the_same_strict_headers_and_no_inline_script_only_our_bundle_with_its_integrity()
    {
        await using var factory = StaffTestKit.Factory(fixture, new CapturedLogs());
        using var client = StaffAccounts.CreateClient(factory);

        var response = await client.GetAsync("/staff/sign-in");
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(Intake.Web.Hosting.SecurityHeaders.ContentSecurityPolicy, string.Join(",", response.Headers.GetValues("Content-Security-Policy")));
        Assert.Equal("DENY", string.Join(",", response.Headers.GetValues("X-Frame-Options")));
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        // The page loads staff.js (passkeys) from the same origin with its integrity hash; its text is data, never code.
        var scripts = System.Text.RegularExpressions.Regex.Matches(html, "<script[^>]*>", System.Text.RegularExpressions.RegexOptions.IgnoreCase);
        Assert.NotEmpty(scripts);
        Assert.All(scripts, tag => Assert.True(tag.Value.Contains("type=\"application/json\"", StringComparison.Ordinal)
            || (tag.Value.Contains("src=\"/js/staff.js\"", StringComparison.Ordinal) && tag.Value.Contains("integrity=\"sha", StringComparison.Ordinal)), tag.Value));
        Assert.DoesNotContain("style=", html, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Staff_text_is_english_by_default_and_chinese_on_request()
    {
        await using var factory = StaffTestKit.Factory(fixture, new CapturedLogs());
        using var client = StaffAccounts.CreateClient(factory);

        var english = await client.GetStringAsync("/staff/sign-in");
        var chinese = System.Net.WebUtility.HtmlDecode(await client.GetStringAsync("/staff/sign-in?lang=zh"));

        Assert.Contains("<html lang=\"en\">", english, StringComparison.Ordinal);
        Assert.Contains("Sign in", english, StringComparison.Ordinal);
        Assert.Contains("<html lang=\"zh-Hans\">", chinese, StringComparison.Ordinal);
        Assert.Contains("登录", chinese, StringComparison.Ordinal);
    }
}
