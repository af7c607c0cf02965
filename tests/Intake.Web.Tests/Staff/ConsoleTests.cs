using System.Net;
using Intake.Storage.Accounts;
using Intake.Storage.Cases;
using Intake.Storage.Routing;
using Intake.Web.Tests.Routing;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Intake.Web.Tests.Staff;

/// <summary>The admin console's channel and routing pages: what admins change, what auditors only read, and who is kept out.</summary>
[Collection(WebCollection.Name)]
public sealed class ConsoleTests(WebFixture fixture)
{
    private const string ChannelsPage = "/staff/admin/channels";
    private const string RoutingPage = "/staff/admin/routing";

    [Fact]
    public async Task Admin_adds_a_channel_and_it_is_listed_with_its_keys_and_advocates_and_a_ledger_entry()
    {
        await using var factory = StaffTestKit.Factory(fixture, new CapturedLogs());
        var admin = await StaffAccounts.CreateAsync(factory.Services, StaffRoles.Admin);
        var advocate = await StaffAccounts.CreateAsync(factory.Services, StaffRoles.Advocate);
        using var client = await StaffAccounts.SignInAsync(factory, admin);
        var id = NewId("help");

        var response = await StaffAccounts.PostFormAsync(client, ChannelsPage + "?handler=add",
            new() { ["id"] = id, ["nameEn"] = " Help at work ", ["nameZh"] = "职场求助" });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var html = WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync());
        Assert.Contains("data-message", html, StringComparison.Ordinal);
        Assert.Contains($"data-channel=\"{id}\"", html, StringComparison.Ordinal);
        var stored = Assert.Single(await Service<ChannelDirectory>(factory).ListActiveAsync(), c => c.Id == id);
        Assert.Equal(("Help at work", "职场求助"), (stored.NameEn, stored.NameZh));
        Assert.Single(await StaffTestKit.AdminActionsAsync(fixture),
            e => e.Contains("\"channel.add\"", StringComparison.Ordinal) && e.Contains($"\"{id}\"", StringComparison.Ordinal)
                && e.Contains(admin.Id.ToString(), StringComparison.Ordinal));

        // Who serves it comes from routing profiles, shown by name.
        await Service<RoutingDirectory>(factory).SaveProfileAsync(new AdvocateProfile(advocate.Id, true, 5, [id], ["en"], [], []), "test");
        var listed = WebUtility.HtmlDecode(await client.GetStringAsync(ChannelsPage));
        var row = Row(listed, $"data-channel=\"{id}\"");
        Assert.Contains("Test Advocate " + advocate.Email[..8], row, StringComparison.Ordinal);
        Assert.Contains("<td data-channel-keys>0</td>", row, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Admin_renames_a_channel_in_both_languages_and_bad_names_or_unknown_channels_change_nothing()
    {
        await using var factory = StaffTestKit.Factory(fixture, new CapturedLogs());
        var admin = await StaffAccounts.CreateAsync(factory.Services, StaffRoles.Admin);
        var directory = Service<ChannelDirectory>(factory);
        var id = NewId("rename");
        await directory.AddChannelAsync(new Channel(id, "Old name", "旧名称"), "test");
        using var client = await StaffAccounts.SignInAsync(factory, admin);
        Assert.Contains($"data-rename=\"{id}\"", await client.GetStringAsync(ChannelsPage), StringComparison.Ordinal);

        var renamed = await StaffAccounts.PostFormAsync(client, ChannelsPage + "?handler=rename", new() { ["id"] = id, ["nameEn"] = " Campus ", ["nameZh"] = "校园" });

        Assert.Equal(HttpStatusCode.OK, renamed.StatusCode);
        Assert.Contains("data-message", await renamed.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(("Campus", "校园"), (await directory.ListActiveAsync()).Where(c => c.Id == id).Select(c => (c.NameEn, c.NameZh)).Single());
        Assert.Single(await StaffTestKit.AdminActionsAsync(fixture), e => e.Contains("\"channel.rename\"", StringComparison.Ordinal)
            && e.Contains($"\"{id}\"", StringComparison.Ordinal) && e.Contains(admin.Id.ToString(), StringComparison.Ordinal));

        foreach (var (target, en, zh, expected) in new (string, string, string, HttpStatusCode)[]
        {
            (id, "", "校园", HttpStatusCode.BadRequest),
            (id, "Campus", "  ", HttpStatusCode.BadRequest),
            (id, new string('a', 101), "校园", HttpStatusCode.BadRequest),
            (NewId("missing"), "Missing", "不存在", HttpStatusCode.NotFound),
            ("Not An Id", "Missing", "不存在", HttpStatusCode.NotFound),
        })
        {
            var refused = await StaffAccounts.PostFormAsync(client, ChannelsPage + "?handler=rename", new() { ["id"] = target, ["nameEn"] = en, ["nameZh"] = zh });
            Assert.Equal(expected, refused.StatusCode);
            Assert.Contains("role=\"alert\" data-error>", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
        Assert.Equal(("Campus", "校园"), (await directory.ListActiveAsync()).Where(c => c.Id == id).Select(c => (c.NameEn, c.NameZh)).Single());
        Assert.Single(await StaffTestKit.AdminActionsAsync(fixture), e => e.Contains("\"channel.rename\"", StringComparison.Ordinal)
            && e.Contains($"\"{id}\"", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Admin_sets_a_channels_own_questions_survivors_see_them_in_their_language_and_bad_lists_change_nothing()
    {
        await using var factory = StaffTestKit.Factory(fixture, new CapturedLogs());
        var admin = await StaffAccounts.CreateAsync(factory.Services, StaffRoles.Admin);
        var directory = Service<ChannelDirectory>(factory);
        var id = NewId("asks");
        await directory.AddChannelAsync(new Channel(id, "Campus", "校园"), "test");
        using var client = await StaffAccounts.SignInAsync(factory, admin);

        var saved = await StaffAccounts.PostFormAsync(client, ChannelsPage + "?handler=questions", new()
        {
            ["id"] = id,
            ["questionsEn"] = "Which school?\r\n\r\n  Is he still teaching you?  \n",
            ["questionsZh"] = "哪所学校？\n他还在教你吗？",
        });

        Assert.Equal(HttpStatusCode.OK, saved.StatusCode);
        Assert.Contains("data-message", await saved.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var stored = (await directory.QuestionsAsync())[id];
        Assert.Equal(new[] { (1, "Which school?", "哪所学校？"), (2, "Is he still teaching you?", "他还在教你吗？") },
            stored.Select(q => (q.Position, q.LabelEn, q.LabelZh)));
        Assert.Single(await StaffTestKit.AdminActionsAsync(fixture), e => e.Contains("\"channel.questions\"", StringComparison.Ordinal)
            && e.Contains($"\"{id}\"", StringComparison.Ordinal) && e.Contains("\"count\":2", StringComparison.Ordinal));
        var en = WebUtility.HtmlDecode(await factory.CreateClient().GetStringAsync("/en/submit"));
        var zh = WebUtility.HtmlDecode(await factory.CreateClient().GetStringAsync("/zh/submit"));
        Assert.Contains($"<label for=\"q-{id}-2\">Is he still teaching you?</label>", en, StringComparison.Ordinal);
        Assert.Contains($"<label for=\"q-{id}-1\">哪所学校？</label>", zh, StringComparison.Ordinal);
        Assert.DoesNotContain("哪所学校", en, StringComparison.Ordinal);

        foreach (var (questionsEn, questionsZh, target, expected) in new (string, string, string, HttpStatusCode)[]
        {
            ("One\nTwo", "一", id, HttpStatusCode.BadRequest),
            (string.Join("\n", Enumerable.Range(1, 11).Select(i => $"Q{i}")), string.Join("\n", Enumerable.Range(1, 11).Select(i => $"问{i}")), id, HttpStatusCode.BadRequest),
            (new string('a', 301), "一", id, HttpStatusCode.BadRequest),
            ("One", "一", NewId("missing"), HttpStatusCode.NotFound),
        })
        {
            var refused = await StaffAccounts.PostFormAsync(client, ChannelsPage + "?handler=questions", new() { ["id"] = target, ["questionsEn"] = questionsEn, ["questionsZh"] = questionsZh });
            Assert.Equal(expected, refused.StatusCode);
            Assert.Contains("role=\"alert\" data-error>", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
        Assert.Equal(2, (await directory.QuestionsAsync())[id].Count);

        // Both lists empty: the channel asks only the standard questions again.
        var cleared = await StaffAccounts.PostFormAsync(client, ChannelsPage + "?handler=questions", new() { ["id"] = id, ["questionsEn"] = "", ["questionsZh"] = " " });
        Assert.Equal(HttpStatusCode.OK, cleared.StatusCode);
        Assert.False((await directory.QuestionsAsync()).ContainsKey(id));
        Assert.DoesNotContain($"q-{id}-1", await factory.CreateClient().GetStringAsync("/en/submit"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Has Capitals", "Name", "名称", HttpStatusCode.BadRequest)]
    [InlineData("-leading-hyphen", "Name", "名称", HttpStatusCode.BadRequest)]
    [InlineData("", "Name", "名称", HttpStatusCode.BadRequest)]
    [InlineData("thirty-three-characters-long-id-x", "Name", "名称", HttpStatusCode.BadRequest)]
    [InlineData("has_underscore", "Name", "名称", HttpStatusCode.BadRequest)]
    [InlineData("{new}", "", "名称", HttpStatusCode.BadRequest)]
    [InlineData("{new}", "Name", "   ", HttpStatusCode.BadRequest)]
    [InlineData("{new}", "{long}", "名称", HttpStatusCode.BadRequest)]
    [InlineData("{existing}", "Again", "再次", HttpStatusCode.Conflict)]
    public async Task Bad_channel_input_is_refused_kindly_and_nothing_is_stored(string id, string nameEn, string nameZh, HttpStatusCode expected)
    {
        await using var factory = StaffTestKit.Factory(fixture, new CapturedLogs());
        var admin = await StaffAccounts.CreateAsync(factory.Services, StaffRoles.Admin);
        var existing = NewId("taken");
        await Service<ChannelDirectory>(factory).AddChannelAsync(new Channel(existing, "Taken", "已有"), "test");
        id = id.Replace("{new}", NewId("new"), StringComparison.Ordinal).Replace("{existing}", existing, StringComparison.Ordinal);
        nameEn = nameEn.Replace("{long}", new string('a', 101), StringComparison.Ordinal);
        using var client = await StaffAccounts.SignInAsync(factory, admin);
        var channelsBefore = await Service<ChannelDirectory>(factory).ListActiveAsync();

        var response = await StaffAccounts.PostFormAsync(client, ChannelsPage + "?handler=add", new() { ["id"] = id, ["nameEn"] = nameEn, ["nameZh"] = nameZh });

        Assert.Equal(expected, response.StatusCode);
        var html = WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync());
        Assert.Contains("role=\"alert\" data-error>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", html, StringComparison.Ordinal);
        var channelsAfter = await Service<ChannelDirectory>(factory).ListActiveAsync();
        Assert.Equal(channelsBefore.Select(c => c.Id), channelsAfter.Select(c => c.Id));
        Assert.Equal(("Taken", "已有"), channelsAfter.Where(c => c.Id == existing).Select(c => (c.NameEn, c.NameZh)).Single());
        // The only channel.add entry for the id is the one that created the existing channel (the shared ledger has others).
        var entries = (await StaffTestKit.AdminActionsAsync(fixture)).Count(e => e.Contains("\"channel.add\"", StringComparison.Ordinal)
            && e.Contains($"\"channel\":\"{id}\"", StringComparison.Ordinal));
        Assert.Equal(id == existing ? 1 : 0, entries);
    }

    [Fact]
    public async Task Admin_edits_an_advocates_routing_profile_and_the_store_returns_it()
    {
        await using var factory = StaffTestKit.Factory(fixture, new CapturedLogs());
        var admin = await StaffAccounts.CreateAsync(factory.Services, StaffRoles.Admin);
        var advocate = await StaffAccounts.CreateAsync(factory.Services, StaffRoles.Advocate);
        var channel = NewId("profile");
        await Service<ChannelDirectory>(factory).AddChannelAsync(new Channel(channel, "Profiles", "设置"), "test");
        var routing = Service<RoutingDirectory>(factory);
        using var client = await StaffAccounts.SignInAsync(factory, admin);

        // An advocate without a profile is listed, with a form to create one.
        var page = await client.GetStringAsync(RoutingPage);
        Assert.Contains($"data-profile=\"{advocate.Id}\"", page, StringComparison.Ordinal);
        Assert.Null(await routing.GetProfileAsync(advocate.Id));

        var saved = await PostProfileAsync(client, advocate.Id, capacity: "7", [channel], ["zh"], email: "notices@example.org");

        Assert.Equal(HttpStatusCode.OK, saved.StatusCode);
        var profile = await routing.GetProfileAsync(advocate.Id);
        Assert.NotNull(profile);
        Assert.True(profile.Active);
        Assert.Equal(7, profile.Capacity);
        Assert.Equal(new[] { channel }, profile.Channels);
        Assert.Equal(new[] { "zh" }, profile.Languages);
        Assert.Equal("notices@example.org", profile.NotifyEmail);
        var entry = Assert.Single(await StaffTestKit.AdminActionsAsync(fixture),
            e => e.Contains("\"routing.profile.save\"", StringComparison.Ordinal) && e.Contains(advocate.Id.ToString(), StringComparison.Ordinal));
        Assert.DoesNotContain("notices@example.org", entry, StringComparison.Ordinal);
        var row = Row(WebUtility.HtmlDecode(await client.GetStringAsync(RoutingPage)), $"data-profile=\"{advocate.Id}\"");
        Assert.Contains("<dd data-profile-capacity>7</dd>", row, StringComparison.Ordinal);
        Assert.Contains("<dd data-profile-channels>Profiles</dd>", row, StringComparison.Ordinal);

        // Bad input: a 400 with a kind message, and the stored profile stays as it was.
        foreach (var (capacity, channels, languages, email) in new (string, string[], string[], string?)[]
        {
            ("-1", [channel], ["zh"], null),
            ("many", [channel], ["zh"], null),
            ("10001", [channel], ["zh"], null),
            ("3", ["no-such-channel"], ["zh"], null),
            ("3", [channel], ["fr"], null),
            ("3", [channel], ["zh"], "not an address"),
        })
        {
            var refused = await PostProfileAsync(client, advocate.Id, capacity, channels, languages, email);
            Assert.True(refused.StatusCode == HttpStatusCode.BadRequest, $"{capacity} {string.Join(",", channels)} {string.Join(",", languages)} {email}: {(int)refused.StatusCode}");
            var html = await refused.Content.ReadAsStringAsync();
            Assert.Contains("data-error>", html, StringComparison.Ordinal);
            Assert.DoesNotContain("is not a known id", html, StringComparison.Ordinal); // the page's words, not the store's
        }
        var unchanged = await routing.GetProfileAsync(advocate.Id);
        Assert.Equal((7, "zh", "notices@example.org"), (unchanged!.Capacity, string.Join(",", unchanged.Languages), unchanged.NotifyEmail));

        var nobody = await PostProfileAsync(client, Guid.NewGuid(), "3", [channel], ["zh"], null);
        Assert.Equal(HttpStatusCode.NotFound, nobody.StatusCode);
    }

    [Fact]
    public async Task Admin_adds_a_region_and_an_organisation_and_deactivates_the_region()
    {
        await using var factory = StaffTestKit.Factory(fixture, new CapturedLogs());
        var admin = await StaffAccounts.CreateAsync(factory.Services, StaffRoles.Admin);
        var routing = Service<RoutingDirectory>(factory);
        using var client = await StaffAccounts.SignInAsync(factory, admin);
        var region = NewId("north");
        var organisation = NewId("shelter");

        var added = await StaffAccounts.PostFormAsync(client, RoutingPage + "?handler=saveitem",
            new() { ["list"] = "regions", ["id"] = region, ["nameEn"] = "North", ["nameZh"] = "北部" });
        var addedOrganisation = await StaffAccounts.PostFormAsync(client, RoutingPage + "?handler=saveitem",
            new() { ["list"] = "organisations", ["id"] = organisation, ["nameEn"] = "Shelter", ["nameZh"] = "庇护所" });

        Assert.Equal(HttpStatusCode.OK, added.StatusCode);
        Assert.Equal(HttpStatusCode.OK, addedOrganisation.StatusCode);
        Assert.Contains(await routing.ListAsync(RoutingList.Regions), r => r is { NameEn: "North", NameZh: "北部", Active: true } && r.Id == region);
        Assert.Contains(await routing.ListAsync(RoutingList.Organisations), o => o.Id == organisation);
        Assert.Contains($"data-item=\"{region}\" data-active=\"true\"", await added.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Single(await StaffTestKit.AdminActionsAsync(fixture),
            e => e.Contains("\"routing.region.save\"", StringComparison.Ordinal) && e.Contains($"\"{region}\"", StringComparison.Ordinal));

        var deactivated = await StaffAccounts.PostFormAsync(client, RoutingPage + "?handler=setactive",
            new() { ["list"] = "regions", ["id"] = region, ["active"] = "false" });

        Assert.Equal(HttpStatusCode.OK, deactivated.StatusCode);
        Assert.DoesNotContain(await routing.ListAsync(RoutingList.Regions), r => r.Id == region);
        Assert.Contains(await routing.ListAsync(RoutingList.Regions, activeOnly: false), r => r.Id == region && !r.Active);

        // Bad input: a bad id, an empty name, an unknown list, an unknown entry.
        var bad = await StaffAccounts.PostFormAsync(client, RoutingPage + "?handler=saveitem",
            new() { ["list"] = "regions", ["id"] = "Not Valid", ["nameEn"] = "X", ["nameZh"] = "X" });
        var empty = await StaffAccounts.PostFormAsync(client, RoutingPage + "?handler=saveitem",
            new() { ["list"] = "regions", ["id"] = NewId("empty"), ["nameEn"] = "", ["nameZh"] = "空" });
        var list = await StaffAccounts.PostFormAsync(client, RoutingPage + "?handler=saveitem",
            new() { ["list"] = "planets", ["id"] = NewId("mars"), ["nameEn"] = "Mars", ["nameZh"] = "火星" });
        var missing = await StaffAccounts.PostFormAsync(client, RoutingPage + "?handler=setactive",
            new() { ["list"] = "regions", ["id"] = NewId("nowhere"), ["active"] = "false" });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, list.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Contains("lowercase letters and digits", WebUtility.HtmlDecode(await bad.Content.ReadAsStringAsync()), StringComparison.Ordinal);
        Assert.DoesNotContain(await routing.ListAsync(RoutingList.Regions, activeOnly: false), r => r.Id.StartsWith("empty-", StringComparison.Ordinal) || r.Id == "Not Valid");
    }

    [Fact]
    public async Task The_waiting_queue_and_failed_messages_are_shown_and_a_fault_is_resolved()
    {
        await using var kit = await RoutingWebKit.CreateAsync("console_waiting");
        await using var factory = StaffTestKit.Factory(fixture, new CapturedLogs(), kit.Settings(fixture));
        var admin = await StaffAccounts.CreateAsync(factory.Services, StaffRoles.Admin);
        using var survivor = factory.CreateClient();
        Assert.Equal(HttpStatusCode.Created, (await kit.SubmitAsync(survivor, "a testimony nobody can take yet")).StatusCode);
        await RoutingWebKit.EventuallyAsync(async () => (await kit.Directory.WaitingQueueAsync()).Count == 1, TimeSpan.FromSeconds(60),
            () => Task.FromResult("the case did not reach the waiting queue"));
        var waiting = (await kit.Directory.WaitingQueueAsync())[0];
        var faultId = Guid.NewGuid();
        await kit.Directory.RecordFaultAsync(faultId, "TestimonySubmitted", waiting.CaseId, "System.InvalidOperationException", DateTimeOffset.UtcNow);
        using var client = await StaffAccounts.SignInAsync(factory, admin);

        var html = WebUtility.HtmlDecode(await client.GetStringAsync(RoutingPage));

        var row = Row(html, $"data-waiting-case=\"{waiting.CaseId.ToString("N")[..8]}\"");
        Assert.Contains("Help desk", row, StringComparison.Ordinal);
        Assert.Contains($"<code>{waiting.Reason}</code>", row, StringComparison.Ordinal);
        Assert.DoesNotContain(waiting.CaseId.ToString(), html, StringComparison.Ordinal); // a prefix, not the whole id
        Assert.Contains("data-faults=\"1\"", html, StringComparison.Ordinal);
        Assert.Contains($"data-fault=\"{faultId}\"", html, StringComparison.Ordinal);

        var resolved = await StaffAccounts.PostFormAsync(client, RoutingPage + "?handler=resolve", new() { ["message"] = faultId.ToString() });

        Assert.Equal(HttpStatusCode.OK, resolved.StatusCode);
        Assert.Equal(0, await kit.Directory.UnresolvedFaultCountAsync());
        Assert.Contains("data-faults=\"0\"", await resolved.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(1, await kit.ScalarAsync(
            "SELECT count(*) FROM intake.ledger_entries WHERE kind = 8 AND convert_from(metadata, 'UTF8') LIKE '%routing.fault.resolve%' || @m || '%'",
            ("m", faultId.ToString())));

        var again = await StaffAccounts.PostFormAsync(client, RoutingPage + "?handler=resolve", new() { ["message"] = faultId.ToString() });
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
        Assert.Equal(1, await kit.ScalarAsync("SELECT count(*) FROM intake.ledger_entries WHERE kind = 8 AND convert_from(metadata, 'UTF8') LIKE '%routing.fault.resolve%'"));
    }

    [Fact]
    public async Task An_auditor_reads_both_pages_but_every_change_is_refused_and_nothing_is_stored()
    {
        await using var factory = StaffTestKit.Factory(fixture, new CapturedLogs());
        var auditor = await StaffAccounts.CreateAsync(factory.Services, StaffRoles.Auditor);
        var advocate = await StaffAccounts.CreateAsync(factory.Services, StaffRoles.Advocate);
        var channel = NewId("audited");
        await Service<ChannelDirectory>(factory).AddChannelAsync(new Channel(channel, "Audited", "审计"), "test");
        using var client = await StaffAccounts.SignInAsync(factory, auditor);

        var channels = await client.GetAsync(ChannelsPage);
        var routing = await client.GetAsync(RoutingPage);
        Assert.Equal(HttpStatusCode.OK, channels.StatusCode);
        Assert.Equal(HttpStatusCode.OK, routing.StatusCode);
        var channelsHtml = await channels.Content.ReadAsStringAsync();
        var routingHtml = await routing.Content.ReadAsStringAsync();
        Assert.Contains($"data-channel=\"{channel}\"", channelsHtml, StringComparison.Ordinal);
        Assert.DoesNotContain("data-add-channel", channelsHtml, StringComparison.Ordinal);
        Assert.Contains($"data-profile=\"{advocate.Id}\"", routingHtml, StringComparison.Ordinal);
        Assert.DoesNotContain("data-profile-form", routingHtml, StringComparison.Ordinal);
        Assert.DoesNotContain("handler=", routingHtml, StringComparison.Ordinal);

        var ledgerBefore = (await StaffTestKit.AdminActionsAsync(fixture)).Count(e => e.Contains(auditor.Id.ToString(), StringComparison.Ordinal));
        var attempts = new (string Path, Dictionary<string, string> Fields)[]
        {
            (ChannelsPage + "?handler=add", new() { ["id"] = NewId("sneaky"), ["nameEn"] = "Sneaky", ["nameZh"] = "偷偷" }),
            (ChannelsPage + "?handler=rename", new() { ["id"] = channel, ["nameEn"] = "Sneaky", ["nameZh"] = "偷偷" }),
            (ChannelsPage + "?handler=questions", new() { ["id"] = channel, ["questionsEn"] = "Sneaky?", ["questionsZh"] = "偷偷？" }),
            (RoutingPage + "?handler=saveitem", new() { ["list"] = "regions", ["id"] = NewId("sneaky"), ["nameEn"] = "S", ["nameZh"] = "S" }),
            (RoutingPage + "?handler=setactive", new() { ["list"] = "regions", ["id"] = "anything", ["active"] = "false" }),
            (RoutingPage + "?handler=profile", new() { ["advocate"] = advocate.Id.ToString(), ["active"] = "true", ["capacity"] = "9", ["channels"] = channel, ["languages"] = "en" }),
            (RoutingPage + "?handler=resolve", new() { ["message"] = Guid.NewGuid().ToString() }),
        };
        foreach (var (path, fields) in attempts)
        {
            var response = await StaffAccounts.PostFormAsync(client, path, fields);
            Assert.True(response.StatusCode == HttpStatusCode.Redirect && StaffAccounts.PathOf(response).StartsWith("/staff/denied", StringComparison.Ordinal),
                $"{path}: {(int)response.StatusCode} {StaffAccounts.PathOf(response)}");
            Assert.Equal(HttpStatusCode.Forbidden, (await client.GetAsync(StaffAccounts.PathOf(response))).StatusCode);
        }

        Assert.DoesNotContain(await Service<ChannelDirectory>(factory).ListActiveAsync(), c => c.Id.StartsWith("sneaky-", StringComparison.Ordinal));
        Assert.Equal("Audited", (await Service<ChannelDirectory>(factory).ListActiveAsync()).Single(c => c.Id == channel).NameEn);
        Assert.False((await Service<ChannelDirectory>(factory).QuestionsAsync()).ContainsKey(channel));
        Assert.DoesNotContain(await Service<RoutingDirectory>(factory).ListAsync(RoutingList.Regions, activeOnly: false), r => r.Id.StartsWith("sneaky-", StringComparison.Ordinal));
        Assert.Null(await Service<RoutingDirectory>(factory).GetProfileAsync(advocate.Id));
        Assert.Equal(ledgerBefore, (await StaffTestKit.AdminActionsAsync(fixture)).Count(e => e.Contains(auditor.Id.ToString(), StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Advocates_and_anonymous_visitors_are_kept_out_of_both_pages()
    {
        await using var factory = StaffTestKit.Factory(fixture, new CapturedLogs());
        var advocate = await StaffAccounts.CreateAsync(factory.Services, StaffRoles.Advocate);
        using var signedIn = await StaffAccounts.SignInAsync(factory, advocate);
        using var anonymous = StaffAccounts.CreateClient(factory);
        var token = await AntiforgeryFieldAsync(signedIn);

        foreach (var page in new[] { ChannelsPage, RoutingPage })
        {
            var denied = await signedIn.GetAsync(page);
            Assert.Equal(HttpStatusCode.Redirect, denied.StatusCode);
            Assert.StartsWith("/staff/denied", StaffAccounts.PathOf(denied), StringComparison.Ordinal);
            Assert.Equal(HttpStatusCode.Forbidden, (await signedIn.GetAsync(StaffAccounts.PathOf(denied))).StatusCode);

            var post = await signedIn.PostAsync(page + "?handler=" + (page == ChannelsPage ? "add" : "saveitem"), new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["__RequestVerificationToken"] = token,
                ["id"] = NewId("advocate"),
                ["list"] = "regions",
                ["nameEn"] = "X",
                ["nameZh"] = "X",
            }));
            Assert.Equal(HttpStatusCode.Redirect, post.StatusCode);
            Assert.StartsWith("/staff/denied", StaffAccounts.PathOf(post), StringComparison.Ordinal);

            var outsider = await anonymous.GetAsync(page);
            Assert.Equal(HttpStatusCode.Redirect, outsider.StatusCode);
            Assert.StartsWith("/staff/sign-in?returnUrl=", StaffAccounts.PathOf(outsider), StringComparison.Ordinal);
            var outsiderPost = await anonymous.PostAsync(page + "?handler=add", new FormUrlEncodedContent(new Dictionary<string, string> { ["id"] = NewId("anon") }));
            Assert.True(outsiderPost.StatusCode is HttpStatusCode.Redirect or HttpStatusCode.BadRequest, $"{page}: {(int)outsiderPost.StatusCode}");
        }
        Assert.DoesNotContain(await Service<ChannelDirectory>(factory).ListActiveAsync(), c => c.Id.StartsWith("advocate-", StringComparison.Ordinal) || c.Id.StartsWith("anon-", StringComparison.Ordinal));
        Assert.DoesNotContain(await Service<RoutingDirectory>(factory).ListAsync(RoutingList.Regions, activeOnly: false), r => r.Id.StartsWith("advocate-", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_change_after_the_recent_sign_in_window_sends_the_admin_to_reauthenticate_and_stores_nothing()
    {
        await using var factory = StaffTestKit.Factory(fixture, new CapturedLogs(), new() { ["Accounts:RecentSignInWindow"] = "00:00:05" });
        var admin = await StaffAccounts.CreateAsync(factory.Services, StaffRoles.Admin);
        using var client = await StaffAccounts.SignInAsync(factory, admin);
        await Task.Delay(TimeSpan.FromSeconds(6));
        var id = NewId("late");

        var response = await StaffAccounts.PostFormAsync(client, ChannelsPage + "?handler=add&lang=zh", new() { ["id"] = id, ["nameEn"] = "Late", ["nameZh"] = "迟" }, ChannelsPage);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/staff/reauth?returnUrl=" + Uri.EscapeDataString(ChannelsPage + "?lang=zh"), StaffAccounts.PathOf(response));
        Assert.DoesNotContain(await Service<ChannelDirectory>(factory).ListActiveAsync(), c => c.Id == id);
    }

    [Theory]
    [InlineData(ChannelsPage)]
    [InlineData(RoutingPage)]
    [InlineData(ChannelsPage + "?lang=zh")]
    [InlineData(RoutingPage + "?lang=zh")]
    public async Task Both_pages_carry_the_hardening_headers_and_no_script_or_inline_style(string path)
    {
        await using var factory = StaffTestKit.Factory(fixture, new CapturedLogs());
        var admin = await StaffAccounts.CreateAsync(factory.Services, StaffRoles.Admin);
        using var client = await StaffAccounts.SignInAsync(factory, admin);

        var response = await client.GetAsync(path);
        var html = WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        string Header(string name) => string.Join(",", response.Headers.TryGetValues(name, out var v) ? v : response.Content.Headers.TryGetValues(name, out var c) ? c : []);
        Assert.Equal(Intake.Web.Hosting.SecurityHeaders.ContentSecurityPolicy, Header("Content-Security-Policy"));
        Assert.Equal("DENY", Header("X-Frame-Options"));
        Assert.Equal("same-origin", Header("Cross-Origin-Opener-Policy"));
        Assert.Equal("no-referrer", Header("Referrer-Policy"));
        Assert.Equal("nosniff", Header("X-Content-Type-Options"));
        Assert.Equal("no-store", Header("Cache-Control"));
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("style=", html, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("name=\"__RequestVerificationToken\"", html, StringComparison.Ordinal);
        // The navigation links the console pages, in the page's language.
        var zh = path.EndsWith("lang=zh", StringComparison.Ordinal);
        Assert.Contains(zh ? ">渠道</a>" : ">Channels</a>", html, StringComparison.Ordinal);
        Assert.Contains(zh ? ">分派</a>" : ">Routing</a>", html, StringComparison.Ordinal);
        Assert.Contains(zh ? ">密钥</a>" : ">Keys</a>", html, StringComparison.Ordinal);
        if (path.StartsWith(RoutingPage, StringComparison.Ordinal))
        {
            var rules = RoutingDirectory.RuleChainDescription(zh ? "zh" : "en");
            Assert.All(rules, r => Assert.Contains($"<code>{r.Name}</code>: {r.Explanation}", html, StringComparison.Ordinal));
        }
    }

    private static Task<HttpResponseMessage> PostProfileAsync(HttpClient client, Guid advocate, string capacity, string[] channels, string[] languages, string? email)
    {
        var fields = new List<KeyValuePair<string, string>>
        {
            new("advocate", advocate.ToString()),
            new("active", "true"),
            new("capacity", capacity),
            new("notifyEmail", email ?? ""),
        };
        fields.AddRange(channels.Select(c => new KeyValuePair<string, string>("channels", c)));
        fields.AddRange(languages.Select(l => new KeyValuePair<string, string>("languages", l)));
        return PostManyAsync(client, RoutingPage + "?handler=profile", fields);
    }

    /// <summary>A form POST with repeated names (checkbox groups), with the page's antiforgery token.</summary>
    private static async Task<HttpResponseMessage> PostManyAsync(HttpClient client, string path, List<KeyValuePair<string, string>> fields)
    {
        fields.Add(new("__RequestVerificationToken", await AntiforgeryFieldAsync(client, path.Split('?')[0])));
        return await client.PostAsync(path, new FormUrlEncodedContent(fields));
    }

    private static async Task<string> AntiforgeryFieldAsync(HttpClient client, string page = "/staff")
    {
        var html = await client.GetStringAsync(page);
        var match = System.Text.RegularExpressions.Regex.Match(html, "name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"");
        Assert.True(match.Success, $"no antiforgery token on {page}");
        return WebUtility.HtmlDecode(match.Groups[1].Value);
    }

    /// <summary>The HTML from the element carrying <paramref name="marker"/> to the end of its table row or section, whichever closes first.</summary>
    private static string Row(string html, string marker)
    {
        var start = html.IndexOf(marker, StringComparison.Ordinal);
        Assert.True(start >= 0, $"{marker} is not on the page");
        var ends = new[] { "</tr>", "</section>" }.Select(e => html.IndexOf(e, start, StringComparison.Ordinal)).Where(i => i >= 0).ToList();
        Assert.NotEmpty(ends);
        var end = ends.Min();
        return html[start..end];
    }

    private static T Service<T>(WebApplicationFactory<Program> factory) where T : notnull => factory.Services.GetRequiredService<T>();

    private static string NewId(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 9)];
}
