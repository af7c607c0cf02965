using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Intake.Core.Crypto;
using Intake.Storage.Accounts;
using Intake.Storage.Cases;
using Intake.Storage.Retention;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Intake.Web.Tests.Staff;

/// <summary>
/// The retention page of the admin console (policies, legal hold decisions) and the legal hold
/// request on the case page: what admins change, what auditors and advocates may not, the kind
/// refusals of bad input, the recent sign-in every change needs, and the ledger entries.
/// </summary>
[Collection(WebCollection.Name)]
public sealed class RetentionConsoleTests(WebFixture fixture)
{
    private const string RetentionPage = "/staff/admin/retention";

    [Fact]
    public async Task Admin_sets_the_default_and_a_channels_own_policy_and_clearing_it_returns_the_channel_to_the_default()
    {
        await using var factory = StaffTestKit.Factory(fixture, new CapturedLogs());
        var admin = await StaffAccounts.CreateAsync(factory.Services, StaffRoles.Admin);
        var channel = await RetentionTestKit.NewChannelAsync(factory, "policy");
        var store = RetentionTestKit.Service<RetentionStore>(factory);
        var original = (await store.ListPoliciesAsync()).Single(p => p.Channel is null);
        using var client = await StaffAccounts.SignInAsync(factory, admin);
        try
        {
            var setDefault = await StaffAccounts.PostFormAsync(client, RetentionPage + "?handler=set",
                new() { ["channel"] = "", ["unreadDays"] = "45", ["openDays"] = "200", ["closedDays"] = "20" });

            Assert.Equal(HttpStatusCode.OK, setDefault.StatusCode);
            var html = WebUtility.HtmlDecode(await setDefault.Content.ReadAsStringAsync());
            Assert.Contains("data-message>", html, StringComparison.Ordinal);
            Assert.DoesNotContain("data-error>", html, StringComparison.Ordinal);
            AssertPolicyRow(html, "", 45, 200, 20);
            Assert.Equal(new RetentionPolicy(null, 45, 200, 20), (await store.ListPoliciesAsync()).Single(p => p.Channel is null));
            var setDefaultEntry = Assert.Single(await RetentionActionsAsync(admin.Id));
            Assert.Equal("retention.set", setDefaultEntry.GetProperty("action").GetString());
            Assert.Equal(JsonValueKind.Null, setDefaultEntry.GetProperty("channel").ValueKind);
            Assert.Equal((45, 200, 20), (setDefaultEntry.GetProperty("unread_days").GetInt32(), setDefaultEntry.GetProperty("open_days").GetInt32(),
                setDefaultEntry.GetProperty("closed_days").GetInt32()));

            var setOwn = await StaffAccounts.PostFormAsync(client, RetentionPage + "?handler=set",
                new() { ["channel"] = channel, ["unreadDays"] = "10", ["openDays"] = "3650", ["closedDays"] = "1" });

            Assert.Equal(HttpStatusCode.OK, setOwn.StatusCode);
            html = WebUtility.HtmlDecode(await setOwn.Content.ReadAsStringAsync());
            AssertPolicyRow(html, channel, 10, 3650, 1);
            AssertPolicyRow(html, "", 45, 200, 20);
            Assert.Contains($"data-clear=\"{channel}\"", html, StringComparison.Ordinal);
            Assert.Contains(new RetentionPolicy(channel, 10, 3650, 1), await store.ListPoliciesAsync());
            var entries = await RetentionActionsAsync(admin.Id);
            Assert.Equal(2, entries.Count);
            Assert.Equal(("retention.set", channel, 10, 3650, 1), (entries[1].GetProperty("action").GetString(), entries[1].GetProperty("channel").GetString(),
                entries[1].GetProperty("unread_days").GetInt32(), entries[1].GetProperty("open_days").GetInt32(), entries[1].GetProperty("closed_days").GetInt32()));

            var cleared = await StaffAccounts.PostFormAsync(client, RetentionPage + "?handler=clear", new() { ["channel"] = channel });

            Assert.Equal(HttpStatusCode.OK, cleared.StatusCode);
            html = WebUtility.HtmlDecode(await cleared.Content.ReadAsStringAsync());
            Assert.Contains("data-message>", html, StringComparison.Ordinal);
            Assert.DoesNotContain($"data-policy=\"{channel}\"", html, StringComparison.Ordinal);
            Assert.DoesNotContain(await store.ListPoliciesAsync(), p => p.Channel == channel);
            Assert.Equal(new RetentionPolicy(null, 45, 200, 20), (await store.ListPoliciesAsync()).Single(p => p.Channel is null));
            entries = await RetentionActionsAsync(admin.Id);
            Assert.Equal(3, entries.Count);
            Assert.Equal(("retention.clear", channel), (entries[2].GetProperty("action").GetString(), entries[2].GetProperty("channel").GetString()));
        }
        finally
        {
            // The database is shared by the collection: the default goes back to what it was.
            await store.SetPolicyAsync(original, admin.Id);
        }
    }

    [Theory]
    [InlineData("set", "", "0", "30", "30", HttpStatusCode.BadRequest)]
    [InlineData("set", "", "30", "3651", "30", HttpStatusCode.BadRequest)]
    [InlineData("set", "", "30", "30", "many", HttpStatusCode.BadRequest)]
    [InlineData("set", "", "30", "", "30", HttpStatusCode.BadRequest)]
    [InlineData("set", "{own}", "-5", "30", "30", HttpStatusCode.BadRequest)]
    [InlineData("set", "{own}", "30", "30", "1.5", HttpStatusCode.BadRequest)]
    [InlineData("set", "no-such-channel", "30", "30", "30", HttpStatusCode.NotFound)]
    [InlineData("clear", "{bare}", "", "", "", HttpStatusCode.NotFound)]
    [InlineData("clear", "", "", "", "", HttpStatusCode.NotFound)]
    [InlineData("clear", "no-such-channel", "", "", "", HttpStatusCode.NotFound)]
    public async Task Bad_policy_input_is_refused_kindly_and_nothing_is_stored_or_recorded(
        string handler, string channel, string unread, string open, string closed, HttpStatusCode expected)
    {
        await using var factory = StaffTestKit.Factory(fixture, new CapturedLogs());
        var admin = await StaffAccounts.CreateAsync(factory.Services, StaffRoles.Admin);
        var own = await RetentionTestKit.NewChannelAsync(factory, "own");
        var bare = await RetentionTestKit.NewChannelAsync(factory, "bare");
        var store = RetentionTestKit.Service<RetentionStore>(factory);
        await store.SetPolicyAsync(new RetentionPolicy(own, 11, 22, 33), Guid.NewGuid());
        channel = channel.Replace("{own}", own, StringComparison.Ordinal).Replace("{bare}", bare, StringComparison.Ordinal);
        using var client = await StaffAccounts.SignInAsync(factory, admin);
        var policiesBefore = await store.ListPoliciesAsync();
        var entriesBefore = await RetentionEntryCountAsync();

        var fields = new Dictionary<string, string> { ["channel"] = channel };
        if (handler == "set")
        {
            (fields["unreadDays"], fields["openDays"], fields["closedDays"]) = (unread, open, closed);
        }
        var response = await StaffAccounts.PostFormAsync(client, $"{RetentionPage}?handler={handler}", fields);

        Assert.Equal(expected, response.StatusCode);
        var html = WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync());
        Assert.Contains("role=\"alert\" data-error>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("data-message>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", html, StringComparison.Ordinal);
        Assert.Equal(policiesBefore, await store.ListPoliciesAsync());
        Assert.Equal(entriesBefore, await RetentionEntryCountAsync());
        Assert.Empty(await RetentionActionsAsync(admin.Id));
    }

    [Fact]
    public async Task An_auditor_sees_the_retention_page_without_forms_and_every_change_is_refused()
    {
        await using var factory = StaffTestKit.Factory(fixture, new CapturedLogs());
        var auditor = await StaffAccounts.CreateAsync(factory.Services, StaffRoles.Auditor);
        var admin = await StaffAccounts.CreateAsync(factory.Services, StaffRoles.Admin);
        var advocate = await StaffAccounts.CreateAsync(factory.Services, StaffRoles.Advocate);
        var channel = await RetentionTestKit.NewChannelAsync(factory, "audited");
        var store = RetentionTestKit.Service<RetentionStore>(factory);
        await store.SetPolicyAsync(new RetentionPolicy(channel, 12, 34, 56), Guid.NewGuid());
        var caseId = await RetentionTestKit.AssignedCaseAsync(fixture, factory, channel, advocate.Id);
        var holds = RetentionTestKit.Service<LegalHoldStore>(factory);
        var waiting = await holds.RequestAsync(caseId, advocate.Id, "court order " + Guid.NewGuid(), 30);
        var otherCase = await RetentionTestKit.AssignedCaseAsync(fixture, factory, channel, advocate.Id);
        var active = await holds.ApproveAsync((await holds.RequestAsync(otherCase, advocate.Id, "police inquiry", 30)).Id, admin.Id);

        // What an admin sees on the same data, so the auditor's missing forms mean something.
        using (var adminClient = await StaffAccounts.SignInAsync(factory, admin))
        {
            var adminHtml = await adminClient.GetStringAsync(RetentionPage);
            Assert.Contains("data-set-policy", adminHtml, StringComparison.Ordinal);
            Assert.Contains("data-hold-action=\"approve\"", adminHtml, StringComparison.Ordinal);
            Assert.Contains("data-hold-action=\"release\"", adminHtml, StringComparison.Ordinal);
            Assert.Contains($"data-clear=\"{channel}\"", adminHtml, StringComparison.Ordinal);
        }

        using var client = await StaffAccounts.SignInAsync(factory, auditor);
        var page = await client.GetAsync(RetentionPage);

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var html = WebUtility.HtmlDecode(await page.Content.ReadAsStringAsync());
        AssertPolicyRow(html, channel, 12, 34, 56);
        Assert.Contains($"data-hold=\"{waiting.Id}\" data-hold-status=\"requested\"", html, StringComparison.Ordinal);
        Assert.Contains($"data-hold=\"{active.Id}\" data-hold-status=\"active\"", html, StringComparison.Ordinal);
        Assert.DoesNotContain("data-set-policy", html, StringComparison.Ordinal);
        Assert.DoesNotContain("data-hold-action", html, StringComparison.Ordinal);
        Assert.DoesNotContain("data-clear", html, StringComparison.Ordinal);
        Assert.DoesNotContain("handler=", html, StringComparison.Ordinal);

        var policiesBefore = await store.ListPoliciesAsync();
        var entriesBefore = await RetentionEntryCountAsync();
        var holdEntriesBefore = (await LegalHoldEntriesAsync(caseId)).Count + (await LegalHoldEntriesAsync(otherCase)).Count;
        foreach (var (handler, fields) in new (string, Dictionary<string, string>)[]
        {
            ("set", new() { ["channel"] = "", ["unreadDays"] = "1", ["openDays"] = "1", ["closedDays"] = "1" }),
            ("set", new() { ["channel"] = channel, ["unreadDays"] = "1", ["openDays"] = "1", ["closedDays"] = "1" }),
            ("clear", new() { ["channel"] = channel }),
            ("approve", new() { ["hold"] = waiting.Id.ToString() }),
            ("refuse", new() { ["hold"] = waiting.Id.ToString() }),
            ("release", new() { ["hold"] = active.Id.ToString() }),
        })
        {
            var response = await StaffAccounts.PostFormAsync(client, $"{RetentionPage}?handler={handler}", fields);
            Assert.True(response.StatusCode == HttpStatusCode.Redirect && StaffAccounts.PathOf(response).StartsWith("/staff/denied", StringComparison.Ordinal),
                $"{handler}: {(int)response.StatusCode} {StaffAccounts.PathOf(response)}");
            Assert.Equal(HttpStatusCode.Forbidden, (await client.GetAsync(StaffAccounts.PathOf(response))).StatusCode);
        }

        Assert.Equal(policiesBefore, await store.ListPoliciesAsync());
        Assert.Equal(entriesBefore, await RetentionEntryCountAsync());
        Assert.Equal(LegalHoldStatus.Requested, (await holds.GetAsync(waiting.Id))!.Status);
        Assert.Equal(LegalHoldStatus.Active, (await holds.GetAsync(active.Id))!.Status);
        Assert.Equal(holdEntriesBefore, (await LegalHoldEntriesAsync(caseId)).Count + (await LegalHoldEntriesAsync(otherCase)).Count);
    }

    [Fact]
    public async Task An_advocate_is_kept_out_of_the_retention_page_and_changes_nothing_there()
    {
        await using var factory = StaffTestKit.Factory(fixture, new CapturedLogs());
        var advocate = await StaffAccounts.CreateAsync(factory.Services, StaffRoles.Advocate);
        var channel = await RetentionTestKit.NewChannelAsync(factory, "kept-out");
        var store = RetentionTestKit.Service<RetentionStore>(factory);
        var holds = RetentionTestKit.Service<LegalHoldStore>(factory);
        var caseId = await RetentionTestKit.AssignedCaseAsync(fixture, factory, channel, advocate.Id);
        var waiting = await holds.RequestAsync(caseId, advocate.Id, "a reason", 30);
        using var client = await StaffAccounts.SignInAsync(factory, advocate);
        var policiesBefore = await store.ListPoliciesAsync();
        var entriesBefore = await RetentionEntryCountAsync();

        var denied = await client.GetAsync(RetentionPage);
        Assert.Equal(HttpStatusCode.Redirect, denied.StatusCode);
        Assert.StartsWith("/staff/denied", StaffAccounts.PathOf(denied), StringComparison.Ordinal);
        foreach (var (handler, fields) in new (string, Dictionary<string, string>)[]
        {
            ("set", new() { ["channel"] = channel, ["unreadDays"] = "1", ["openDays"] = "1", ["closedDays"] = "1" }),
            ("approve", new() { ["hold"] = waiting.Id.ToString() }),
        })
        {
            var response = await StaffAccounts.PostFormAsync(client, $"{RetentionPage}?handler={handler}", fields, "/staff");
            Assert.NotEqual(HttpStatusCode.OK, response.StatusCode);
            Assert.StartsWith("/staff/denied", StaffAccounts.PathOf(response), StringComparison.Ordinal);
        }

        Assert.Equal(policiesBefore, await store.ListPoliciesAsync());
        Assert.Equal(entriesBefore, await RetentionEntryCountAsync());
        Assert.Equal(LegalHoldStatus.Requested, (await holds.GetAsync(waiting.Id))!.Status);
    }

    [Fact]
    public async Task The_assigned_advocate_requests_a_hold_an_admin_approves_it_and_the_case_is_held()
    {
        var logs = new CapturedLogs();
        await using var factory = StaffTestKit.Factory(fixture, logs);
        var advocate = await StaffAccounts.CreateAsync(factory.Services, StaffRoles.Advocate);
        var stranger = await StaffAccounts.CreateAsync(factory.Services, StaffRoles.Advocate);
        var admin = await StaffAccounts.CreateAsync(factory.Services, StaffRoles.Admin);
        var channel = await RetentionTestKit.NewChannelAsync(factory, "held");
        // A short policy of the channel's own, so the hold (365 days) outlasts the due day whatever the default is.
        var retention = RetentionTestKit.Service<RetentionStore>(factory);
        await retention.SetPolicyAsync(new RetentionPolicy(channel, 30, 30, 30), Guid.NewGuid());
        var holds = RetentionTestKit.Service<LegalHoldStore>(factory);
        var caseId = await RetentionTestKit.AssignedCaseAsync(fixture, factory, channel, advocate.Id);
        var casePage = $"/staff/cases/{caseId}";
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        var reason = $"Court case 2024-{Guid.NewGuid():N}: keep for the hearing";
        using var mine = await StaffAccounts.SignInAsync(factory, advocate);

        var before = WebUtility.HtmlDecode(await mine.GetStringAsync(casePage));
        Assert.Contains("data-retention", before, StringComparison.Ordinal);
        Assert.Contains("data-hold-form", before, StringComparison.Ordinal);
        Assert.Contains($"data-purge-on=\"{RetentionTestKit.Day(today.AddDays(30))}\"", before, StringComparison.Ordinal);
        Assert.DoesNotContain("data-hold=\"", before, StringComparison.Ordinal);

        // A colleague who is not assigned to the case is refused as for the page itself.
        using var other = await StaffAccounts.SignInAsync(factory, stranger);
        var refused = await StaffAccounts.PostFormAsync(other, casePage + "?handler=Hold", new() { ["reason"] = reason, ["days"] = "365" }, "/staff");
        Assert.Equal(HttpStatusCode.Redirect, refused.StatusCode);
        Assert.StartsWith("/staff/denied", StaffAccounts.PathOf(refused), StringComparison.Ordinal);
        Assert.Empty(await holds.ForCaseAsync(caseId));

        var requested = await StaffAccounts.PostFormAsync(mine, casePage + "?handler=Hold", new() { ["reason"] = reason, ["days"] = "365" });

        Assert.Equal(HttpStatusCode.OK, requested.StatusCode);
        var html = WebUtility.HtmlDecode(await requested.Content.ReadAsStringAsync());
        Assert.Contains("data-hold-message>", html, StringComparison.Ordinal);
        Assert.Contains("data-hold=\"requested\"", html, StringComparison.Ordinal);
        Assert.DoesNotContain("data-hold-form", html, StringComparison.Ordinal);
        var hold = Assert.Single(await holds.ForCaseAsync(caseId));
        Assert.Equal((LegalHoldStatus.Requested, reason, 365, advocate.Id), (hold.Status, hold.Reason, hold.Days, hold.RequestedBy));

        var again = await StaffAccounts.PostFormAsync(mine, casePage + "?handler=Hold", new() { ["reason"] = "once more", ["days"] = "10" });
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Contains("role=\"alert\" data-hold-error>", await again.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Single(await holds.ForCaseAsync(caseId));

        // The admin page lists the request with its reason, and the admin approves it.
        using var adminClient = await StaffAccounts.SignInAsync(factory, admin);
        var adminPage = WebUtility.HtmlDecode(await adminClient.GetStringAsync(RetentionPage));
        var row = RetentionTestKit.Row(adminPage, $"data-hold=\"{hold.Id}\"");
        Assert.Contains("data-hold-status=\"requested\"", row, StringComparison.Ordinal);
        Assert.Contains(reason, row, StringComparison.Ordinal);
        Assert.Contains("Test Advocate " + advocate.Email[..8], row, StringComparison.Ordinal);
        Assert.Contains("data-hold-action=\"approve\"", row, StringComparison.Ordinal);

        var approved = await StaffAccounts.PostFormAsync(adminClient, RetentionPage + "?handler=approve", new() { ["hold"] = hold.Id.ToString() });

        Assert.Equal(HttpStatusCode.OK, approved.StatusCode);
        var expires = today.AddDays(364);
        Assert.Contains($"data-hold=\"{hold.Id}\" data-hold-status=\"active\"", await approved.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var stored = (await holds.GetAsync(hold.Id))!;
        Assert.Equal((LegalHoldStatus.Active, admin.Id, expires), (stored.Status, stored.DecidedBy, stored.ExpiresOn));
        var held = (await retention.ForCaseAsync(caseId))!;
        Assert.Equal(today.AddDays(30), held.DueOn);
        Assert.Equal(expires, held.HeldUntil);
        Assert.Equal(expires.AddDays(1), held.PurgeOn(today));

        var caseHtml = WebUtility.HtmlDecode(await mine.GetStringAsync(casePage));
        Assert.Contains("data-hold=\"active\"", caseHtml, StringComparison.Ordinal);
        Assert.Contains(RetentionTestKit.Day(expires), caseHtml, StringComparison.Ordinal);
        Assert.Contains($"data-purge-on=\"{RetentionTestKit.Day(expires.AddDays(1))}\"", caseHtml, StringComparison.Ordinal);
        var listed = RetentionTestKit.Row(WebUtility.HtmlDecode(await mine.GetStringAsync("/staff/cases")), $"data-case-row=\"{caseId}\"");
        Assert.Contains($"<td data-retention>Held until {RetentionTestKit.Day(expires)}</td>", listed, StringComparison.Ordinal);

        // Approving it again, or a hold that does not exist: refused, nothing recorded.
        var twice = await StaffAccounts.PostFormAsync(adminClient, RetentionPage + "?handler=approve", new() { ["hold"] = hold.Id.ToString() });
        var nowhere = await StaffAccounts.PostFormAsync(adminClient, RetentionPage + "?handler=refuse", new() { ["hold"] = Guid.NewGuid().ToString() });
        Assert.Equal(HttpStatusCode.Conflict, twice.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, nowhere.StatusCode);
        Assert.Contains("role=\"alert\" data-error>", await twice.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Contains("role=\"alert\" data-error>", await nowhere.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // Each step is a LegalHold entry naming the hold and the actor, with the reason's hash and never the reason.
        var entries = await LegalHoldEntriesAsync(caseId);
        Assert.Equal(["legal_hold.request", "legal_hold.approve"], entries.Select(e => e.GetProperty("action").GetString()));
        Assert.All(entries, e => Assert.Equal(hold.Id, e.GetProperty("hold").GetGuid()));
        Assert.Equal(advocate.Id, entries[0].GetProperty("actor").GetGuid());
        Assert.Equal(365, entries[0].GetProperty("days").GetInt32());
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(reason))), entries[0].GetProperty("reason_sha256").GetString());
        Assert.Equal(admin.Id, entries[1].GetProperty("actor").GetGuid());
        Assert.Equal(RetentionTestKit.Day(expires), entries[1].GetProperty("expires_on").GetString());
        Assert.Equal(0, await LedgerMentionsAsync(reason));
        Assert.Equal(2, await LedgerMentionsAsync(hold.Id.ToString())); // the search finds what is there
        Assert.NotEmpty(logs.Text); // the host's log lines were captured
        Assert.DoesNotContain(reason, logs.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_second_request_is_refused_by_an_admin_and_an_active_hold_is_released()
    {
        await using var factory = StaffTestKit.Factory(fixture, new CapturedLogs());
        var advocate = await StaffAccounts.CreateAsync(factory.Services, StaffRoles.Advocate);
        var admin = await StaffAccounts.CreateAsync(factory.Services, StaffRoles.Admin);
        var channel = await RetentionTestKit.NewChannelAsync(factory, "release");
        var retention = RetentionTestKit.Service<RetentionStore>(factory);
        await retention.SetPolicyAsync(new RetentionPolicy(channel, 20, 20, 20), Guid.NewGuid());
        var holds = RetentionTestKit.Service<LegalHoldStore>(factory);
        var caseId = await RetentionTestKit.AssignedCaseAsync(fixture, factory, channel, advocate.Id);
        var casePage = $"/staff/cases/{caseId}";
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        using var mine = await StaffAccounts.SignInAsync(factory, advocate);
        using var adminClient = await StaffAccounts.SignInAsync(factory, admin);

        Assert.Equal(HttpStatusCode.OK, (await StaffAccounts.PostFormAsync(mine, casePage + "?handler=Hold", new() { ["reason"] = "first reason", ["days"] = "200" })).StatusCode);
        var first = Assert.Single(await holds.ForCaseAsync(caseId));
        Assert.Equal(HttpStatusCode.OK, (await StaffAccounts.PostFormAsync(adminClient, RetentionPage + "?handler=approve", new() { ["hold"] = first.Id.ToString() })).StatusCode);

        // With a hold active, she may ask again (to extend it); the admin refuses this one.
        var second = await StaffAccounts.PostFormAsync(mine, casePage + "?handler=Hold", new() { ["reason"] = "second reason", ["days"] = "300" });
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        var secondHtml = await second.Content.ReadAsStringAsync();
        Assert.Contains("data-hold=\"active\"", secondHtml, StringComparison.Ordinal);
        Assert.Contains("data-hold=\"requested\"", secondHtml, StringComparison.Ordinal);
        var request = (await holds.ForCaseAsync(caseId)).Single(h => h.Status == LegalHoldStatus.Requested);

        var refusal = await StaffAccounts.PostFormAsync(adminClient, RetentionPage + "?handler=refuse", new() { ["hold"] = request.Id.ToString() });

        Assert.Equal(HttpStatusCode.OK, refusal.StatusCode);
        var refusalHtml = await refusal.Content.ReadAsStringAsync();
        Assert.Contains("data-message>", refusalHtml, StringComparison.Ordinal);
        Assert.DoesNotContain($"data-hold=\"{request.Id}\"", refusalHtml, StringComparison.Ordinal);
        var decided = (await holds.GetAsync(request.Id))!;
        Assert.Equal((LegalHoldStatus.Refused, admin.Id, (DateOnly?)null), (decided.Status, decided.DecidedBy, decided.ExpiresOn));
        Assert.Equal(LegalHoldStatus.Active, (await holds.GetAsync(first.Id))!.Status);
        var caseHtml = await mine.GetStringAsync(casePage);
        Assert.Contains("data-hold=\"active\"", caseHtml, StringComparison.Ordinal);
        Assert.DoesNotContain("data-hold=\"requested\"", caseHtml, StringComparison.Ordinal);
        Assert.Contains("data-hold-form", caseHtml, StringComparison.Ordinal);

        var released = await StaffAccounts.PostFormAsync(adminClient, RetentionPage + "?handler=release", new() { ["hold"] = first.Id.ToString() });

        Assert.Equal(HttpStatusCode.OK, released.StatusCode);
        Assert.Equal(LegalHoldStatus.Released, (await holds.GetAsync(first.Id))!.Status);
        var free = (await retention.ForCaseAsync(caseId))!;
        Assert.Null(free.HeldUntil);
        Assert.Equal(today.AddDays(20), free.PurgeOn(today));
        caseHtml = WebUtility.HtmlDecode(await mine.GetStringAsync(casePage));
        Assert.DoesNotContain("data-hold=\"active\"", caseHtml, StringComparison.Ordinal);
        Assert.Contains($"data-purge-on=\"{RetentionTestKit.Day(today.AddDays(20))}\"", caseHtml, StringComparison.Ordinal);
        var listed = RetentionTestKit.Row(WebUtility.HtmlDecode(await mine.GetStringAsync("/staff/cases")), $"data-case-row=\"{caseId}\"");
        Assert.Contains($"<td data-retention>{RetentionTestKit.Day(today.AddDays(20))} (20 days left)</td>", listed, StringComparison.Ordinal);

        // A released hold is not released twice.
        var twice = await StaffAccounts.PostFormAsync(adminClient, RetentionPage + "?handler=release", new() { ["hold"] = first.Id.ToString() });
        Assert.Equal(HttpStatusCode.Conflict, twice.StatusCode);

        var entries = await LegalHoldEntriesAsync(caseId);
        Assert.Equal(["legal_hold.request", "legal_hold.approve", "legal_hold.request", "legal_hold.refuse", "legal_hold.release"],
            entries.Select(e => e.GetProperty("action").GetString()));
        Assert.Equal([first.Id, first.Id, request.Id, request.Id, first.Id], entries.Select(e => e.GetProperty("hold").GetGuid()));
        Assert.Equal([advocate.Id, admin.Id, advocate.Id, admin.Id, admin.Id], entries.Select(e => e.GetProperty("actor").GetGuid()));
        Assert.Equal(0, await LedgerMentionsAsync("first reason") + await LedgerMentionsAsync("second reason"));
    }

    [Theory]
    [InlineData("", "30")]
    [InlineData("   ", "30")]
    [InlineData("{501}", "30")]
    [InlineData("a reason", "0")]
    [InlineData("a reason", "366")]
    [InlineData("a reason", "-1")]
    [InlineData("a reason", "many")]
    [InlineData("a reason", "")]
    public async Task A_bad_hold_request_is_refused_kindly_and_no_hold_is_stored(string reason, string days)
    {
        await using var factory = StaffTestKit.Factory(fixture, new CapturedLogs());
        var advocate = await StaffAccounts.CreateAsync(factory.Services, StaffRoles.Advocate);
        var channel = await RetentionTestKit.NewChannelAsync(factory, "bad-hold");
        var caseId = await RetentionTestKit.AssignedCaseAsync(fixture, factory, channel, advocate.Id);
        reason = reason.Replace("{501}", new string('r', 501), StringComparison.Ordinal);
        using var mine = await StaffAccounts.SignInAsync(factory, advocate);

        var response = await StaffAccounts.PostFormAsync(mine, $"/staff/cases/{caseId}?handler=Hold", new() { ["reason"] = reason, ["days"] = days });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var html = WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync());
        Assert.Contains("role=\"alert\" data-hold-error>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("data-hold-message", html, StringComparison.Ordinal);
        Assert.Contains("data-hold-form", html, StringComparison.Ordinal);
        Assert.Empty(await RetentionTestKit.Service<LegalHoldStore>(factory).ForCaseAsync(caseId));
        Assert.Empty(await LegalHoldEntriesAsync(caseId));
    }

    [Fact]
    public async Task Without_a_recent_sign_in_a_hold_request_and_every_retention_change_go_to_reauthentication_and_store_nothing()
    {
        await using var factory = StaffTestKit.Factory(fixture, new CapturedLogs(), new() { ["Accounts:RecentSignInWindow"] = "00:00:05" });
        var advocate = await StaffAccounts.CreateAsync(factory.Services, StaffRoles.Advocate);
        var admin = await StaffAccounts.CreateAsync(factory.Services, StaffRoles.Admin);
        var channel = await RetentionTestKit.NewChannelAsync(factory, "late");
        var retention = RetentionTestKit.Service<RetentionStore>(factory);
        await retention.SetPolicyAsync(new RetentionPolicy(channel, 40, 40, 40), Guid.NewGuid());
        var holds = RetentionTestKit.Service<LegalHoldStore>(factory);
        var caseId = await RetentionTestKit.AssignedCaseAsync(fixture, factory, channel, advocate.Id);
        var waiting = await holds.RequestAsync((await RetentionTestKit.AssignedCaseAsync(fixture, factory, channel, advocate.Id)), advocate.Id, "waiting", 10);
        var activeCase = await RetentionTestKit.AssignedCaseAsync(fixture, factory, channel, advocate.Id);
        var active = await holds.ApproveAsync((await holds.RequestAsync(activeCase, advocate.Id, "active", 10)).Id, Guid.NewGuid());
        using var mine = await StaffAccounts.SignInAsync(factory, advocate);
        using var adminClient = await StaffAccounts.SignInAsync(factory, admin);
        await Task.Delay(TimeSpan.FromSeconds(6));
        var policiesBefore = await retention.ListPoliciesAsync();
        var entriesBefore = await RetentionEntryCountAsync();

        var hold = await StaffAccounts.PostFormAsync(mine, $"/staff/cases/{caseId}?handler=Hold&lang=zh", new() { ["reason"] = "too late", ["days"] = "30" },
            $"/staff/cases/{caseId}");

        Assert.Equal(HttpStatusCode.Redirect, hold.StatusCode);
        Assert.Equal("/staff/reauth?returnUrl=" + Uri.EscapeDataString($"/staff/cases/{caseId}?lang=zh"), StaffAccounts.PathOf(hold));
        Assert.Empty(await holds.ForCaseAsync(caseId));
        var postpone = await StaffAccounts.PostFormAsync(mine, $"/staff/cases/{caseId}?handler=Postpone", new() { ["reason"] = "too late", ["days"] = "5" },
            $"/staff/cases/{caseId}");
        Assert.Equal("/staff/reauth?returnUrl=" + Uri.EscapeDataString($"/staff/cases/{caseId}"), StaffAccounts.PathOf(postpone));
        Assert.Null((await retention.ForCaseAsync(caseId))!.PostponedUntil);
        foreach (var (handler, fields) in new (string, Dictionary<string, string>)[]
        {
            ("set", new() { ["channel"] = "", ["unreadDays"] = "7", ["openDays"] = "7", ["closedDays"] = "7" }),
            ("set", new() { ["channel"] = channel, ["unreadDays"] = "7", ["openDays"] = "7", ["closedDays"] = "7" }),
            ("clear", new() { ["channel"] = channel }),
            ("approve", new() { ["hold"] = waiting.Id.ToString() }),
            ("refuse", new() { ["hold"] = waiting.Id.ToString() }),
            ("release", new() { ["hold"] = active.Id.ToString() }),
        })
        {
            var response = await StaffAccounts.PostFormAsync(adminClient, $"{RetentionPage}?handler={handler}", fields);
            Assert.True(response.StatusCode == HttpStatusCode.Redirect
                && StaffAccounts.PathOf(response) == "/staff/reauth?returnUrl=" + Uri.EscapeDataString(RetentionPage),
                $"{handler}: {(int)response.StatusCode} {StaffAccounts.PathOf(response)}");
        }
        Assert.Equal(policiesBefore, await retention.ListPoliciesAsync());
        Assert.Equal(entriesBefore, await RetentionEntryCountAsync());
        Assert.Equal(LegalHoldStatus.Requested, (await holds.GetAsync(waiting.Id))!.Status);
        Assert.Equal(LegalHoldStatus.Active, (await holds.GetAsync(active.Id))!.Status);
    }

    [Theory]
    [InlineData("")]
    [InlineData("?lang=zh")]
    public async Task The_retention_page_carries_the_hardening_headers_and_no_script_or_inline_style_in_both_languages(string query)
    {
        await using var factory = StaffTestKit.Factory(fixture, new CapturedLogs());
        var admin = await StaffAccounts.CreateAsync(factory.Services, StaffRoles.Admin);
        var advocate = await StaffAccounts.CreateAsync(factory.Services, StaffRoles.Advocate);
        var channel = await RetentionTestKit.NewChannelAsync(factory, "headers");
        var caseId = await RetentionTestKit.AssignedCaseAsync(fixture, factory, channel, advocate.Id);
        await RetentionTestKit.Service<LegalHoldStore>(factory).RequestAsync(caseId, advocate.Id, "<b>court</b> & hearing", 30);
        using var client = await StaffAccounts.SignInAsync(factory, admin);

        var response = await client.GetAsync(RetentionPage + query);
        var raw = await response.Content.ReadAsStringAsync();
        var html = WebUtility.HtmlDecode(raw);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(Intake.Web.Hosting.SecurityHeaders.ContentSecurityPolicy, string.Join(",", response.Headers.GetValues("Content-Security-Policy")));
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        Assert.DoesNotContain("<script", raw, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("style=", raw, StringComparison.OrdinalIgnoreCase);
        // The reason is staff text shown as text, never as markup.
        Assert.DoesNotContain("<b>court</b>", raw, StringComparison.Ordinal);
        Assert.Contains("<b>court</b> & hearing", html, StringComparison.Ordinal);
        Assert.Contains(query == "" ? "<h1>Retention and legal holds</h1>" : "<h1>保存期限与法律保全</h1>", html, StringComparison.Ordinal);
        // Its forms post back to the page in the same language.
        Assert.Contains($"action=\"{RetentionPage}?handler=set{(query == "" ? "" : "&lang=zh")}\"", html, StringComparison.Ordinal);
    }

    /// <summary>A new active channel.</summary>
    [Fact]
    public async Task The_assigned_advocate_postpones_a_purge_with_a_reason_within_the_limit_and_it_is_recorded_by_its_hash()
    {
        await using var factory = StaffTestKit.Factory(fixture, new CapturedLogs());
        var advocate = await StaffAccounts.CreateAsync(factory.Services, StaffRoles.Advocate);
        var stranger = await StaffAccounts.CreateAsync(factory.Services, StaffRoles.Advocate);
        var channel = await RetentionTestKit.NewChannelAsync(factory, "later");
        var retention = RetentionTestKit.Service<RetentionStore>(factory);
        await retention.SetPolicyAsync(new RetentionPolicy(channel, 30, 30, 30), Guid.NewGuid());
        var caseId = await RetentionTestKit.AssignedCaseAsync(fixture, factory, channel, advocate.Id);
        var casePage = $"/staff/cases/{caseId}";
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        var reason = $"She is meeting a lawyer next month {Guid.NewGuid():N}";
        using var mine = await StaffAccounts.SignInAsync(factory, advocate);
        Assert.Contains("data-postpone-form", await mine.GetStringAsync(casePage), StringComparison.Ordinal);

        using var other = await StaffAccounts.SignInAsync(factory, stranger);
        var refused = await StaffAccounts.PostFormAsync(other, casePage + "?handler=Postpone", new() { ["reason"] = reason, ["days"] = "20" }, "/staff");
        Assert.StartsWith("/staff/denied", StaffAccounts.PathOf(refused), StringComparison.Ordinal);
        Assert.Empty(await LegalHoldEntriesAsync(caseId));

        var postponed = await StaffAccounts.PostFormAsync(mine, casePage + "?handler=Postpone", new() { ["reason"] = reason, ["days"] = "20" });

        Assert.Equal(HttpStatusCode.OK, postponed.StatusCode);
        var html = WebUtility.HtmlDecode(await postponed.Content.ReadAsStringAsync());
        Assert.Contains("data-postpone-message>", html, StringComparison.Ordinal);
        Assert.Contains($"data-purge-on=\"{RetentionTestKit.Day(today.AddDays(50))}\"", html, StringComparison.Ordinal);
        Assert.Contains($"data-postponed-until=\"{RetentionTestKit.Day(today.AddDays(49))}\"", html, StringComparison.Ordinal);
        var stored = await retention.ForCaseAsync(caseId);
        Assert.Equal((today.AddDays(49), today.AddDays(50)), (stored!.PostponedUntil, stored.PurgeOn(today)));
        var entry = Assert.Single(await LegalHoldEntriesAsync(caseId));
        Assert.Equal(("retention.postpone", 20, advocate.Id.ToString()),
            (entry.GetProperty("action").GetString(), entry.GetProperty("days").GetInt32(), entry.GetProperty("actor").GetString()));
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(reason))), entry.GetProperty("reason_sha256").GetString());
        Assert.Equal(0, await LedgerMentionsAsync(reason));

        // Past the limit: 90 days past the policy's day (30 days from today) in all; the purge day is now 50 days away.
        var tooFar = await StaffAccounts.PostFormAsync(mine, casePage + "?handler=Postpone", new() { ["reason"] = reason, ["days"] = "71" });
        Assert.Equal(HttpStatusCode.BadRequest, tooFar.StatusCode);
        Assert.Contains("role=\"alert\" data-postpone-error>", await tooFar.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Single(await LegalHoldEntriesAsync(caseId));
        Assert.Equal(today.AddDays(50), (await retention.ForCaseAsync(caseId))!.PurgeOn(today));

        // Up to the limit, and the latest postponement replaces the one before.
        Assert.Equal(HttpStatusCode.OK, (await StaffAccounts.PostFormAsync(mine, casePage + "?handler=Postpone", new() { ["reason"] = "second", ["days"] = "70" })).StatusCode);
        Assert.Equal(today.AddDays(120), (await retention.ForCaseAsync(caseId))!.PurgeOn(today));
        Assert.Equal(2, (await LegalHoldEntriesAsync(caseId)).Count);
    }

    [Theory]
    [InlineData("", "10")]
    [InlineData("   ", "10")]
    [InlineData("{501}", "10")]
    [InlineData("a reason", "0")]
    [InlineData("a reason", "-3")]
    [InlineData("a reason", "many")]
    [InlineData("a reason", "")]
    public async Task A_bad_postponement_is_refused_kindly_and_nothing_is_stored(string reason, string days)
    {
        await using var factory = StaffTestKit.Factory(fixture, new CapturedLogs());
        var advocate = await StaffAccounts.CreateAsync(factory.Services, StaffRoles.Advocate);
        var channel = await RetentionTestKit.NewChannelAsync(factory, "bad-later");
        var caseId = await RetentionTestKit.AssignedCaseAsync(fixture, factory, channel, advocate.Id);
        reason = reason.Replace("{501}", new string('r', 501), StringComparison.Ordinal);
        using var mine = await StaffAccounts.SignInAsync(factory, advocate);

        var response = await StaffAccounts.PostFormAsync(mine, $"/staff/cases/{caseId}?handler=Postpone", new() { ["reason"] = reason, ["days"] = days });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var html = WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync());
        Assert.Contains("role=\"alert\" data-postpone-error>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("data-postpone-message", html, StringComparison.Ordinal);
        Assert.Null((await RetentionTestKit.Service<RetentionStore>(factory).ForCaseAsync(caseId))!.PostponedUntil);
        Assert.Empty(await LegalHoldEntriesAsync(caseId));
    }

    /// <summary>The retention.* admin actions by this actor, oldest first.</summary>
    private async Task<List<JsonElement>> RetentionActionsAsync(Guid actor) =>
        [.. (await StaffTestKit.AdminActionsAsync(fixture)).Select(e => JsonDocument.Parse(e).RootElement)
            .Where(e => e.TryGetProperty("action", out var action) && action.GetString()!.StartsWith("retention.", StringComparison.Ordinal)
                && e.TryGetProperty("actor", out var by) && by.GetString() == actor.ToString())];

    /// <summary>How many retention.* admin actions the ledger holds, by anyone.</summary>
    private async Task<int> RetentionEntryCountAsync() =>
        (await StaffTestKit.AdminActionsAsync(fixture)).Count(e => e.Contains("\"retention.", StringComparison.Ordinal));

    /// <summary>The metadata of the case's LegalHold entries (kind 9), oldest first.</summary>
    private async Task<List<JsonElement>> LegalHoldEntriesAsync(Guid caseId)
    {
        await using var connection = new NpgsqlConnection(fixture.Database.Superuser);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT convert_from(metadata, 'UTF8') FROM intake.ledger_entries WHERE kind = 9 AND case_id = @case ORDER BY seq", connection);
        command.Parameters.AddWithValue("case", caseId);
        var entries = new List<JsonElement>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            entries.Add(JsonDocument.Parse(reader.GetString(0)).RootElement);
        }
        return entries;
    }

    /// <summary>How many ledger entries (metadata or stored payload) contain the text, as UTF-8.</summary>
    private async Task<long> LedgerMentionsAsync(string text)
    {
        await using var connection = new NpgsqlConnection(fixture.Database.Superuser);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("""
            SELECT (SELECT count(*) FROM intake.ledger_entries WHERE position(@text IN metadata) > 0)
                 + (SELECT count(*) FROM intake.ledger_payloads WHERE position(@text IN ciphertext) > 0)
            """, connection);
        command.Parameters.AddWithValue("text", Encoding.UTF8.GetBytes(text));
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private static void AssertPolicyRow(string html, string channel, int unread, int open, int closed)
    {
        var row = RetentionTestKit.Row(html, $"data-policy=\"{channel}\"");
        Assert.Contains($"<td data-unread>{unread}</td>", row, StringComparison.Ordinal);
        Assert.Contains($"<td data-open>{open}</td>", row, StringComparison.Ordinal);
        Assert.Contains($"<td data-closed>{closed}</td>", row, StringComparison.Ordinal);
    }
}
