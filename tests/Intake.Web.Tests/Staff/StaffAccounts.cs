using System.Net;
using System.Text.RegularExpressions;
using Intake.Storage.Accounts;
using Intake.Web.Accounts;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Intake.Web.Tests.Staff;

/// <summary>
/// A staff member made for a test: her id, e-mail, password and TOTP secret (Base32), so a test
/// can sign in as she would. <see cref="NextCodeAsync"/> gives a code Intake has not accepted yet
/// (each TOTP step is accepted once), waiting for the next 30-second step when it must.
/// </summary>
public sealed class StaffMember(Guid id, string email, string password, string totpSecret, string role)
{
    private long _lastStep;

    public Guid Id { get; } = id;
    public string Email { get; } = email;
    public string Password { get; } = password;
    public string TotpSecret { get; } = totpSecret;
    public string Role { get; } = role;

    /// <summary>The code of a time step (the current one by default), without marking it used.</summary>
    public string CodeAt(long step) => Totp.Code(Totp.FromBase32(TotpSecret), step);

    /// <summary>A code for a step after every step this helper handed out (the current step, or the next one, which Intake also accepts).</summary>
    public async Task<string> NextCodeAsync()
    {
        while (true)
        {
            var current = Totp.StepAt(DateTimeOffset.UtcNow);
            var step = Math.Max(current, _lastStep + 1);
            if (step <= current + 1)
            {
                _lastStep = step;
                return CodeAt(step);
            }
            await Task.Delay(TimeSpan.FromSeconds(1));
        }
    }
}

/// <summary>
/// Staff accounts for tests, made through Identity's UserManager (never SQL), and signed in
/// through the real pages: with an HttpClient (antiforgery tokens handled) or with Playwright.
/// <code>
/// var admin = await StaffAccounts.CreateAsync(factory.Services, StaffRoles.Admin);
/// using var client = await StaffAccounts.SignInAsync(factory, admin);   // cookies kept, no auto-redirect
/// var response = await StaffAccounts.PostFormAsync(client, "/staff/admin/people?handler=invite", new() { ["role"] = "Advocate" });
/// </code>
/// </summary>
public static partial class StaffAccounts
{
    /// <summary>Every test account's password: long enough, nothing else asked.</summary>
    public const string DefaultPassword = "correct horse battery staple";

    /// <summary>An HTTPS base address, so the cookie container sends the Secure __Host- cookies.</summary>
    public static readonly Uri BaseAddress = new("https://localhost/");

    /// <summary>Creates a two-factor-enrolled account with one role, active unless told otherwise, in the app's own services.</summary>
    public static async Task<StaffMember> CreateAsync(IServiceProvider services, string role, StaffStatus status = StaffStatus.Active,
        string? email = null, Guid? invitedBy = null)
    {
        await using var scope = services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<StaffUser>>();
        email ??= $"{role.ToLowerInvariant()}-{Guid.NewGuid():N}@staff.test";
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        var user = new StaffUser
        {
            Id = Guid.CreateVersion7(),
            UserName = email,
            Email = email,
            DisplayName = $"Test {role} {email[..8]}",
            Status = status,
            InvitedBy = invitedBy,
            EnrolledOn = today,
            ApprovedOn = status == StaffStatus.Active ? today : null,
        };
        Check(await users.CreateAsync(user, DefaultPassword));
        Check(await users.AddToRoleAsync(user, role));
        Check(await users.ResetAuthenticatorKeyAsync(user));
        Check(await users.SetTwoFactorEnabledAsync(user, true));
        var secret = await users.GetAuthenticatorKeyAsync(user) ?? throw new InvalidOperationException("No authenticator key.");
        return new StaffMember(user.Id, email, DefaultPassword, secret, role);
    }

    /// <summary>
    /// The same, for a test that runs Intake as a real process: Identity's stores and hasher over
    /// the app role's connection string, as the host configures them.
    /// </summary>
    public static async Task<StaffMember> CreateAsync(string appConnectionString, string role, StaffStatus status = StaffStatus.Active)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddDbContext<AccountsDbContext>(options => options.UseNpgsql(appConnectionString));
        services.AddIdentityCore<StaffUser>(identity => Intake.Web.Accounts.AccountsExtensions.ApplyPolicy(identity, new Intake.Web.Accounts.AccountsOptions()))
            .AddRoles<IdentityRole<Guid>>().AddEntityFrameworkStores<AccountsDbContext>();
        await using var provider = services.BuildServiceProvider();
        return await CreateAsync(provider, role, status);
    }

    /// <summary>A client on https://localhost that keeps cookies and does not follow redirects.</summary>
    public static HttpClient CreateClient(WebApplicationFactory<Program> factory) =>
        factory.CreateClient(new WebApplicationFactoryClientOptions { BaseAddress = BaseAddress, AllowAutoRedirect = false, HandleCookies = true });

    /// <summary>Signs in through /staff/sign-in and /staff/sign-in/code and returns the signed-in client.</summary>
    public static async Task<HttpClient> SignInAsync(WebApplicationFactory<Program> factory, StaffMember member)
    {
        var client = CreateClient(factory);
        var password = await PostFormAsync(client, "/staff/sign-in", new() { ["Email"] = member.Email, ["Password"] = member.Password });
        Expect(password, "/staff/sign-in/code");
        var code = await PostFormAsync(client, "/staff/sign-in/code", new() { ["Code"] = await member.NextCodeAsync() });
        Expect(code, "/staff");
        return client;
    }

    /// <summary>GETs <paramref name="formPage"/> (default: the path itself) for its antiforgery token, then POSTs the fields with it.</summary>
    public static async Task<HttpResponseMessage> PostFormAsync(HttpClient client, string path, Dictionary<string, string> fields, string? formPage = null)
    {
        var page = await client.GetAsync(formPage ?? path.Split('?')[0]);
        var html = await page.Content.ReadAsStringAsync();
        var token = AntiforgeryToken().Match(html);
        if (!token.Success)
        {
            throw new InvalidOperationException($"No antiforgery token on {formPage ?? path} ({(int)page.StatusCode}).");
        }
        fields["__RequestVerificationToken"] = WebUtility.HtmlDecode(token.Groups[1].Value);
        return await client.PostAsync(path, new FormUrlEncodedContent(fields));
    }

    /// <summary>Signs in in a browser page on a running Intake (real process), ending on /staff.</summary>
    public static async Task SignInAsync(IPage page, Uri baseAddress, StaffMember member)
    {
        await page.GotoAsync(new Uri(baseAddress, "/staff/sign-in").ToString());
        await page.FillAsync("#email", member.Email);
        await page.FillAsync("#password", member.Password);
        await page.ClickAsync("main button[type=submit]");
        await page.WaitForURLAsync("**/staff/sign-in/code**");
        await page.FillAsync("#code", await member.NextCodeAsync());
        await page.ClickAsync("main button[type=submit]");
        await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/staff");
    }

    /// <summary>Where a redirect points, as a path and query (the cookie handler's redirects are absolute, the pages' relative).</summary>
    public static string PathOf(HttpResponseMessage response) =>
        response.Headers.Location is not { } location ? "" : location.IsAbsoluteUri ? location.PathAndQuery : location.OriginalString;

    private static void Expect(HttpResponseMessage response, string location)
    {
        if (response.StatusCode != HttpStatusCode.Redirect || PathOf(response).Split('?')[0] != location)
        {
            throw new InvalidOperationException($"Sign-in expected a redirect to {location}, got {(int)response.StatusCode} {response.Headers.Location}.");
        }
    }

    private static void Check(IdentityResult result)
    {
        if (!result.Succeeded)
        {
            throw new InvalidOperationException("Identity refused: " + string.Join(", ", result.Errors.Select(e => e.Code)));
        }
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryToken();
}
