using Intake.Storage.Accounts;
using Intake.Storage.Cases;
using Intake.Storage.Ledger;
using Intake.Web.Tests.Staff;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Playwright;
using Npgsql;

namespace Intake.Web.Tests.Workspace;

/// <summary>
/// From an advocate's key to a survivor reading a reply, in Chromium against Intake as a real
/// process (web and worker): she makes her key in the browser, an admin approves it for a
/// channel, a survivor submits there, routing assigns the case to her, she decrypts it in her
/// browser and replies, and the survivor reads the reply with her receipt.
/// </summary>
public sealed class AdvocateJourneyTests : IAsyncLifetime
{
    private const string Passphrase = "my passphrase for this key";
    private readonly WebFixture _fixture = new();
    private IntakeProcess _intake = null!;
    private IPlaywright _playwright = null!;
    private IBrowser _browser = null!;

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

    private async Task<IPage> PageAsync(List<string> errors)
    {
        var context = await _browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = _intake.BaseAddress.ToString() });
        var page = await context.NewPageAsync();
        // The suite runs its projects in parallel on a small machine: allow more than the 30-second default.
        page.SetDefaultTimeout(90_000);
        page.SetDefaultNavigationTimeout(90_000);
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                errors.Add(message.Text);
            }
        };
        page.PageError += (_, error) => errors.Add(error);
        return page;
    }

    [Fact]
    public async Task Key_approval_submission_routing_decryption_reply_and_the_survivor_reads_it()
    {
        var errors = new List<string>();
        var channel = "journey";
        await using (var dataSource = NpgsqlDataSource.Create(_fixture.Database.App))
        await using (var writer = new LedgerWriter(dataSource, TimeProvider.System, NullLogger<LedgerWriter>.Instance))
        {
            var directory = new ChannelDirectory(dataSource, writer);
            await directory.AddChannelAsync(new Channel(channel, "Journey", "旅程"), "test");
            Assert.True(await directory.SetQuestionsAsync(channel, [("Which department?", "哪个部门？")], "test"));
        }
        var admin = await StaffAccounts.CreateAsync(_fixture.Database.App, StaffRoles.Admin);
        var advocate = await StaffAccounts.CreateAsync(_fixture.Database.App, StaffRoles.Advocate);

        // She makes her key; only the wrapped key leaves the page.
        var advocatePage = await PageAsync(errors);
        await StaffAccounts.SignInAsync(advocatePage, _intake.BaseAddress, advocate);
        await advocatePage.GotoAsync("/staff/keys");
        await advocatePage.FillAsync("#passphrase", Passphrase);
        await advocatePage.FillAsync("#confirm", Passphrase);
        await advocatePage.ClickAsync("form[data-key-form] button[type=submit]");
        await advocatePage.WaitForSelectorAsync("form[data-key-form][data-enrolled=true]", new() { Timeout = 30_000 });
        await advocatePage.ReloadAsync();
        var fingerprint = await advocatePage.Locator("[data-key=pending] [data-fingerprint]").TextContentAsync();
        Assert.Matches("^([0-9A-F]{4} ){15}[0-9A-F]{4}$", fingerprint);

        // An admin compares the fingerprint and approves the key for the channel.
        var adminPage = await PageAsync(errors);
        await StaffAccounts.SignInAsync(adminPage, _intake.BaseAddress, admin);
        await adminPage.GotoAsync("/staff/admin/keys");
        var section = adminPage.Locator("[data-admin-key][data-state=pending]");
        Assert.Equal(fingerprint, await section.Locator("code.fingerprint").TextContentAsync());
        await section.Locator($"input[name=channels][value={channel}]").CheckAsync();
        await section.Locator("form:has(input[name=channels]) button[type=submit]").ClickAsync();
        await adminPage.WaitForSelectorAsync("[data-result]");

        // A survivor submits in that channel.
        var narrative = "He locked the door. 他把门锁上了。";
        var survivor = await PageAsync(errors);
        await survivor.GotoAsync("/en/submit");
        await survivor.Locator($"input[name=channel][value='{channel}']").CheckAsync();
        await survivor.FillAsync("#what", "He cornered me after the meeting.");
        await survivor.FillAsync("#narrative", narrative);
        await survivor.FillAsync($"#q-{channel}-1", "<b>Sales</b>");
        await survivor.ClickAsync("form[data-submit-form] button[type=submit]");
        var receiptElement = survivor.Locator("[data-receipt]");
        await receiptElement.WaitForAsync(new LocatorWaitForOptions { State = WaitForSelectorState.Visible, Timeout = 60_000 });
        var receipt = (await receiptElement.TextContentAsync())!;

        // Routing assigns it to her (the only advocate of the channel).
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (await advocatePage.Locator("[data-case-row]").CountAsync() == 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "The case was not assigned within 60 seconds.");
            await Task.Delay(1000);
            await advocatePage.GotoAsync("/staff/cases");
        }
        await advocatePage.Locator("[data-case-row] a").First.ClickAsync();
        await advocatePage.FillAsync("#passphrase", "not my passphrase at all");
        await advocatePage.ClickAsync("form[data-unlock-form] button[type=submit]");
        await advocatePage.Locator("[data-unlock-status]", new() { HasTextString = "does not open your key" }).WaitForAsync(new LocatorWaitForOptions { Timeout = 30_000 });
        Assert.Equal(0, await advocatePage.Locator("[data-narrative]").CountAsync());
        await advocatePage.FillAsync("#passphrase", Passphrase);
        await advocatePage.ClickAsync("form[data-unlock-form] button[type=submit]");
        var shown = advocatePage.Locator("[data-narrative]");
        await shown.WaitForAsync(new LocatorWaitForOptions { Timeout = 60_000 });
        Assert.Equal(narrative, await shown.TextContentAsync());
        // The channel's own question, as she read it, with her answer shown as text.
        Assert.Equal("<b>Sales</b>", await advocatePage.Locator("[data-extra-answer]").TextContentAsync());
        Assert.Equal("Which department?", await advocatePage.Locator("dt:has(+ [data-extra-answer])").TextContentAsync());

        // She replies; it is sealed in her browser to the survivor and the team.
        var reply = "We read your account. We are here when you want to talk. 我们读了你的讲述。";
        await advocatePage.FillAsync("#reply", reply);
        await advocatePage.ClickAsync("form[data-message-form=reply] button[type=submit]");
        await advocatePage.Locator("[data-kind=reply] .message").WaitForAsync(new LocatorWaitForOptions { Timeout = 60_000 });
        Assert.Equal(reply, await advocatePage.Locator("[data-kind=reply] .message").TextContentAsync());

        // The survivor comes back with her receipt and reads it, decrypted in her browser.
        var back = await PageAsync(errors);
        await back.GotoAsync("/en/return");
        await back.FillAsync("input[name=receipt]", receipt);
        await back.ClickAsync("form[data-lookup-form] button[type=submit]");
        var replyText = back.Locator("[data-reply-list] .reply-text");
        await replyText.WaitForAsync(new LocatorWaitForOptions { Timeout = 60_000 });
        Assert.Equal(reply, await replyText.TextContentAsync());

        Assert.DoesNotContain(errors, e => !e.Contains("403", StringComparison.Ordinal));
        Assert.DoesNotContain(narrative, _intake.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(reply, _intake.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(Passphrase, _intake.Output, StringComparison.Ordinal);
    }
}
