using System.Net;
using Intake.Storage.Accounts;
using Intake.Storage.Ledger;
using Microsoft.Extensions.DependencyInjection;

namespace Intake.Web.Tests.Staff;

/// <summary>Invitations, enrolment, vetting and sign-in through the real pages, and what each refuses.</summary>
[Collection(WebCollection.Name)]
public sealed class EnrollmentTests(WebFixture fixture)
{
    private static async Task<string> Html(HttpResponseMessage response) => WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync());

    [Fact]
    public async Task An_invited_advocate_enrolls_waits_and_is_approved_only_by_another_admin()
    {
        var logs = new CapturedLogs();
        await using var factory = StaffTestKit.Factory(fixture, logs);
        var inviter = await StaffAccounts.CreateAsync(factory.Services, StaffRoles.Admin);
        var other = await StaffAccounts.CreateAsync(factory.Services, StaffRoles.Admin);
        using var inviterClient = await StaffAccounts.SignInAsync(factory, inviter);
        using var otherClient = await StaffAccounts.SignInAsync(factory, other);

        var (path, token) = await StaffTestKit.InviteAsync(inviterClient, StaffRoles.Advocate);
        var (client, advocate, enrolled) = await StaffTestKit.EnrollAsync(factory, path, StaffRoles.Advocate);
        using var _ = client;
        var enrolledHtml = await Html(enrolled);
        Assert.Equal(HttpStatusCode.OK, enrolled.StatusCode);
        Assert.Contains("Your recovery codes", enrolledHtml, StringComparison.Ordinal);
        Assert.Equal(10, enrolledHtml.Split("<li><code>").Length - 1);

        var home = await client.GetAsync("/staff");
        Assert.Equal(HttpStatusCode.Redirect, home.StatusCode);
        Assert.StartsWith("/staff/denied", StaffAccounts.PathOf(home), StringComparison.Ordinal);
        var waiting = await client.GetAsync("/staff/denied");
        Assert.Equal(HttpStatusCode.Forbidden, waiting.StatusCode);
        Assert.Contains("Waiting for approval", await Html(waiting), StringComparison.Ordinal);

        var id = await StaffTestKit.UserIdAsync(fixture, advocate.Email);
        var refused = await StaffAccounts.PostFormAsync(inviterClient, $"/staff/admin/people/{id}/approve", []);
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Contains("another admin must approve", await Html(refused), StringComparison.Ordinal);

        var approved = await StaffAccounts.PostFormAsync(otherClient, $"/staff/admin/people/{id}/approve", []);
        Assert.Equal(HttpStatusCode.Redirect, approved.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/staff")).StatusCode);

        var people = await Html(await otherClient.GetAsync("/staff/admin/people"));
        Assert.Contains($"data-person=\"{advocate.Email}\"", people, StringComparison.Ordinal);
        Assert.Contains("data-person-status=\"Active\"", people, StringComparison.Ordinal);

        var actions = await StaffTestKit.AdminActionsAsync(fixture);
        Assert.Contains(actions, a => a.Contains("\"action\":\"account.invite\"", StringComparison.Ordinal) && a.Contains(inviter.Id.ToString(), StringComparison.Ordinal));
        Assert.Contains(actions, a => a.Contains("\"action\":\"account.approve\"", StringComparison.Ordinal)
            && a.Contains($"\"actor\":\"{other.Id}\"", StringComparison.Ordinal) && a.Contains($"\"target\":\"{id}\"", StringComparison.Ordinal));
        Assert.DoesNotContain(actions, a => a.Contains(token, StringComparison.Ordinal));
        AssertNoSecrets(logs, token, advocate);
    }

    [Fact]
    public async Task Expired_unknown_and_reused_invitations_are_refused_with_a_clear_message()
    {
        var logs = new CapturedLogs();
        await using var factory = StaffTestKit.Factory(fixture, logs);
        var admin = await StaffAccounts.CreateAsync(factory.Services, StaffRoles.Admin);
        var past = new StaffAdministration(factory.Services.GetRequiredService<LedgerWriter>(), new ShiftedTime(TimeSpan.FromHours(-100)));
        var expired = await past.InviteAsync(StaffRoles.Advocate, admin.Id, TimeSpan.FromHours(72));
        using var adminClient = await StaffAccounts.SignInAsync(factory, admin);
        var (path, token) = await StaffTestKit.InviteAsync(adminClient, StaffRoles.Auditor);
        using var anonymous = StaffAccounts.CreateClient(factory);

        var expiredPage = await anonymous.GetAsync($"/staff/enroll/{expired.Token}");
        var unknownPage = await anonymous.GetAsync("/staff/enroll/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
        var garbagePage = await anonymous.GetAsync("/staff/enroll/not-a-token");
        var (first, _, _) = await StaffTestKit.EnrollAsync(factory, path, StaffRoles.Auditor);
        first.Dispose();
        var reusedPage = await anonymous.GetAsync(path);
        var reusedPost = await anonymous.PostAsync(path, new FormUrlEncodedContent(new Dictionary<string, string>()));

        Assert.Equal(HttpStatusCode.Gone, expiredPage.StatusCode);
        Assert.Contains("This invitation has expired", await Html(expiredPage), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Gone, unknownPage.StatusCode);
        Assert.Contains("This invitation link is not valid", await Html(unknownPage), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Gone, garbagePage.StatusCode);
        Assert.Equal(HttpStatusCode.Gone, reusedPage.StatusCode);
        Assert.Contains("This invitation has already been used", await Html(reusedPage), StringComparison.Ordinal);
        Assert.NotEqual(HttpStatusCode.Redirect, reusedPost.StatusCode);
        AssertNoSecrets(logs, token);
        Assert.DoesNotContain(expired.Token, logs.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_short_password_is_refused_and_leaves_the_invitation_open()
    {
        var logs = new CapturedLogs();
        await using var factory = StaffTestKit.Factory(fixture, logs);
        var admin = await StaffAccounts.CreateAsync(factory.Services, StaffRoles.Admin);
        using var adminClient = await StaffAccounts.SignInAsync(factory, admin);
        var (path, token) = await StaffTestKit.InviteAsync(adminClient, StaffRoles.Advocate);
        using var client = StaffAccounts.CreateClient(factory);

        var response = await StaffAccounts.PostFormAsync(client, path, new()
        {
            ["DisplayName"] = "Short", ["Email"] = "short@staff.test", ["Password"] = "tooshort123", ["Confirm"] = "tooshort123",
        });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("The password must have at least 14 characters.", await Html(response), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(path)).StatusCode);
        Assert.DoesNotContain("tooshort123", logs.Text, StringComparison.Ordinal);
        AssertNoSecrets(logs, token);
    }

    [Fact]
    public async Task A_wrong_code_and_a_replayed_code_are_refused_each_with_its_own_message()
    {
        var logs = new CapturedLogs();
        await using var factory = StaffTestKit.Factory(fixture, logs);
        var advocate = await StaffAccounts.CreateAsync(factory.Services, StaffRoles.Advocate);
        using var first = StaffAccounts.CreateClient(factory);
        using var second = StaffAccounts.CreateClient(factory);

        await StaffAccounts.PostFormAsync(first, "/staff/sign-in", new() { ["Email"] = advocate.Email, ["Password"] = advocate.Password });
        var code = await advocate.NextCodeAsync();
        var wrongCode = code == "000000" ? "111111" : "000000";
        var wrong = await StaffAccounts.PostFormAsync(first, "/staff/sign-in/code", new() { ["Code"] = wrongCode });
        var accepted = await StaffAccounts.PostFormAsync(first, "/staff/sign-in/code", new() { ["Code"] = code });
        await StaffAccounts.PostFormAsync(second, "/staff/sign-in", new() { ["Email"] = advocate.Email, ["Password"] = advocate.Password });
        var replayed = await StaffAccounts.PostFormAsync(second, "/staff/sign-in/code", new() { ["Code"] = code });

        Assert.Equal(HttpStatusCode.OK, wrong.StatusCode);
        Assert.Contains("That code is not right", await Html(wrong), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Redirect, accepted.StatusCode);
        Assert.Equal(HttpStatusCode.OK, replayed.StatusCode);
        Assert.Contains("That code has already been used", await Html(replayed), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Redirect, (await second.GetAsync("/staff")).StatusCode);
        AssertNoSecrets(logs, null, advocate);
        Assert.DoesNotContain(code, logs.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Five_wrong_passwords_lock_the_account_even_against_the_right_one()
    {
        var logs = new CapturedLogs();
        await using var factory = StaffTestKit.Factory(fixture, logs);
        var advocate = await StaffAccounts.CreateAsync(factory.Services, StaffRoles.Advocate);
        using var client = StaffAccounts.CreateClient(factory);

        for (var i = 0; i < 5; i++)
        {
            var wrong = await StaffAccounts.PostFormAsync(client, "/staff/sign-in", new() { ["Email"] = advocate.Email, ["Password"] = $"wrong password number {i}" });
            Assert.Equal(HttpStatusCode.OK, wrong.StatusCode);
        }
        var right = await StaffAccounts.PostFormAsync(client, "/staff/sign-in", new() { ["Email"] = advocate.Email, ["Password"] = advocate.Password });

        Assert.Equal(HttpStatusCode.OK, right.StatusCode);
        Assert.Contains("Too many wrong attempts", await Html(right), StringComparison.Ordinal);
        Assert.DoesNotContain("wrong password number", logs.Text, StringComparison.Ordinal);
        AssertNoSecrets(logs, null, advocate);
    }

    [Fact]
    public async Task A_suspended_advocate_loses_her_session_at_once_and_then_sees_only_the_suspended_page()
    {
        var logs = new CapturedLogs();
        await using var factory = StaffTestKit.Factory(fixture, logs);
        var admin = await StaffAccounts.CreateAsync(factory.Services, StaffRoles.Admin);
        var advocate = await StaffAccounts.CreateAsync(factory.Services, StaffRoles.Advocate);
        using var adminClient = await StaffAccounts.SignInAsync(factory, admin);
        using var advocateClient = await StaffAccounts.SignInAsync(factory, advocate);
        Assert.Equal(HttpStatusCode.OK, (await advocateClient.GetAsync("/staff")).StatusCode);

        var suspended = await StaffAccounts.PostFormAsync(adminClient, "/staff/admin/people?handler=suspend",
            new() { ["id"] = advocate.Id.ToString() }, "/staff/admin/people");
        var next = await advocateClient.GetAsync("/staff");
        using var again = StaffAccounts.CreateClient(factory);
        await StaffAccounts.PostFormAsync(again, "/staff/sign-in", new() { ["Email"] = advocate.Email, ["Password"] = advocate.Password });
        var code = await StaffAccounts.PostFormAsync(again, "/staff/sign-in/code", new() { ["Code"] = await advocate.NextCodeAsync() });
        var page = await again.GetAsync("/staff/denied");
        var home = await again.GetAsync("/staff");
        var reactivated = await StaffAccounts.PostFormAsync(adminClient, "/staff/admin/people?handler=reactivate",
            new() { ["id"] = advocate.Id.ToString() }, "/staff/admin/people");

        Assert.Contains("The account is suspended", await Html(suspended), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Redirect, next.StatusCode);
        Assert.StartsWith("/staff/sign-in", StaffAccounts.PathOf(next), StringComparison.Ordinal);
        Assert.Equal("/staff/denied", StaffAccounts.PathOf(code));
        Assert.Equal(HttpStatusCode.Forbidden, page.StatusCode);
        Assert.Contains("Account suspended", await Html(page), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Redirect, home.StatusCode);
        Assert.Contains("The account is reactivated", await Html(reactivated), StringComparison.Ordinal);
        var actions = await StaffTestKit.AdminActionsAsync(fixture);
        Assert.Contains(actions, a => a.Contains("\"action\":\"account.suspend\"", StringComparison.Ordinal) && a.Contains($"\"target\":\"{advocate.Id}\"", StringComparison.Ordinal));
        Assert.Contains(actions, a => a.Contains("\"action\":\"account.reactivate\"", StringComparison.Ordinal) && a.Contains($"\"target\":\"{advocate.Id}\"", StringComparison.Ordinal));
        AssertNoSecrets(logs, null, advocate);
    }

    [Fact]
    public async Task An_approval_after_the_recent_sign_in_window_asks_for_password_and_code_again_then_returns()
    {
        var logs = new CapturedLogs();
        await using var factory = StaffTestKit.Factory(fixture, logs, new() { ["Accounts:RecentSignInWindow"] = "00:00:05" });
        var admin = await StaffAccounts.CreateAsync(factory.Services, StaffRoles.Admin);
        var pending = await StaffAccounts.CreateAsync(factory.Services, StaffRoles.Advocate, StaffStatus.PendingApproval);
        using var client = await StaffAccounts.SignInAsync(factory, admin);
        await Task.Delay(TimeSpan.FromSeconds(6));

        var approvePath = $"/staff/admin/people/{pending.Id}/approve";
        var asked = await client.GetAsync(approvePath);
        Assert.Equal(HttpStatusCode.Redirect, asked.StatusCode);
        var reauthPath = StaffAccounts.PathOf(asked);
        Assert.Equal("/staff/reauth?returnUrl=" + Uri.EscapeDataString(approvePath), reauthPath);
        var wrong = await StaffAccounts.PostFormAsync(client, reauthPath, new() { ["Password"] = "not her password at all", ["Code"] = await admin.NextCodeAsync() });
        var back = await StaffAccounts.PostFormAsync(client, reauthPath, new() { ["Password"] = admin.Password, ["Code"] = await admin.NextCodeAsync() });
        var approved = await StaffAccounts.PostFormAsync(client, approvePath, []);

        Assert.Contains("That password is not right", await Html(wrong), StringComparison.Ordinal);
        Assert.Equal(approvePath, StaffAccounts.PathOf(back));
        Assert.Equal(HttpStatusCode.Redirect, approved.StatusCode);
        Assert.Equal("/staff/admin/people?done=approved", StaffAccounts.PathOf(approved));
        AssertNoSecrets(logs, null, admin);
    }

    [Fact]
    public async Task An_auditor_sees_people_but_cannot_invite_suspend_or_approve()
    {
        var logs = new CapturedLogs();
        await using var factory = StaffTestKit.Factory(fixture, logs);
        var auditor = await StaffAccounts.CreateAsync(factory.Services, StaffRoles.Auditor);
        var advocate = await StaffAccounts.CreateAsync(factory.Services, StaffRoles.Advocate, StaffStatus.PendingApproval);
        using var client = await StaffAccounts.SignInAsync(factory, auditor);
        var before = (await StaffTestKit.AdminActionsAsync(fixture)).Count;

        var list = await client.GetAsync("/staff/admin/people");
        var invite = await StaffAccounts.PostFormAsync(client, "/staff/admin/people?handler=invite", new() { ["role"] = StaffRoles.Admin }, "/staff/admin/people");
        var suspend = await StaffAccounts.PostFormAsync(client, "/staff/admin/people?handler=suspend", new() { ["id"] = advocate.Id.ToString() }, "/staff/admin/people");
        var approve = await client.GetAsync($"/staff/admin/people/{advocate.Id}/approve");

        Assert.Equal(HttpStatusCode.OK, list.StatusCode);
        var html = await Html(list);
        Assert.Contains(advocate.Email, html, StringComparison.Ordinal);
        Assert.DoesNotContain("handler=invite", html, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Redirect, invite.StatusCode);
        Assert.StartsWith("/staff/denied", StaffAccounts.PathOf(invite), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Redirect, suspend.StatusCode);
        Assert.StartsWith("/staff/denied", StaffAccounts.PathOf(approve), StringComparison.Ordinal);
        Assert.Equal(before, (await StaffTestKit.AdminActionsAsync(fixture)).Count);
    }

    internal static void AssertNoSecrets(CapturedLogs logs, string? token, StaffMember? member = null)
    {
        var text = logs.Text;
        Assert.False(string.IsNullOrEmpty(text), "the host logged nothing: the capture is not working");
        Assert.DoesNotContain(StaffAccounts.DefaultPassword, text, StringComparison.Ordinal);
        if (token is not null)
        {
            Assert.DoesNotContain(token, text, StringComparison.Ordinal);
        }
        if (member is not null)
        {
            Assert.DoesNotContain(member.TotpSecret, text, StringComparison.Ordinal);
        }
    }
}

/// <summary>The system clock moved by a fixed amount: to issue an invitation "in the past".</summary>
internal sealed class ShiftedTime(TimeSpan shift) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + shift;
}
