using Microsoft.Playwright;

namespace Intake.Web.Tests;

/// <summary>The esbuild bundle that `dotnet build` made runs in Chromium and checks WebCrypto.</summary>
[Collection(WebCollection.Name)]
public sealed class BrowserCheckTests(WebFixture fixture)
{
    [Theory]
    [InlineData("127.0.0.1", "ready", "This browser can encrypt here.")]
    [InlineData(Browser.InsecureHost, "unavailable", "This browser cannot encrypt at this address.")]
    public async Task The_bundle_tells_whether_the_browser_can_encrypt_at_this_address(string host, string state, string text)
    {
        await using var intake = IntakeProcess.Start(fixture.Settings());
        await intake.WaitUntilHealthyAsync(TimeSpan.FromSeconds(60));
        var (playwright, browser) = await Browser.LaunchAsync();
        using var _ = playwright;
        await using var __ = browser;
        var page = await browser.NewPageAsync();
        var errors = new List<string>();
        page.PageError += (_, error) => errors.Add(error);

        await page.GotoAsync($"http://{host}:{intake.Port}/browser-check.html");
        var status = page.Locator($"[data-crypto-status='{state}']");
        await status.WaitForAsync(new LocatorWaitForOptions { Timeout = 15_000 });

        Assert.StartsWith(text, await status.TextContentAsync(), StringComparison.Ordinal);
        Assert.Empty(errors);
    }
}
