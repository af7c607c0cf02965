using Microsoft.Playwright;

namespace Intake.Web.Tests.Survivor;

/// <summary>
/// The quick exit (button and Esc) leaves for a neutral search page at once, and Back does not lead into Intake.
/// The neutral site is answered by Playwright's routing, so no network is needed.
/// </summary>
[Collection(WebCollection.Name)]
public sealed class QuickExitTests(SurvivorSite site) : IClassFixture<SurvivorSite>
{
    private static string NeutralHost(string lang) => lang == "zh" ? "https://www.baidu.com" : "https://www.bing.com";

    [Theory]
    [InlineData("zh", "button")]
    [InlineData("zh", "escape")]
    [InlineData("en", "button")]
    [InlineData("en", "escape")]
    public async Task Quick_exit_replaces_the_page_with_a_neutral_search_and_back_does_not_return(string lang, string how)
    {
        await using var survivor = await site.OpenAsync($"/{lang}/");
        var page = survivor.Page;
        await page.RouteAsync(NeutralHost(lang) + "/**", route => route.FulfillAsync(new RouteFulfillOptions
        {
            Body = "<!doctype html><title>weather</title><p>weather</p>",
            ContentType = "text/html; charset=utf-8",
        }));
        // Move on to another Intake page first: the whole visit must still be gone from history.
        await page.ClickAsync($"main a[href='/{lang}/submit']");
        await page.WaitForURLAsync($"**/{lang}/submit");

        if (how == "button")
        {
            await page.ClickAsync("a[data-quick-exit]");
        }
        else
        {
            await page.Keyboard.PressAsync("Escape");
        }
        await page.WaitForURLAsync(NeutralHost(lang) + "/**");

        Assert.StartsWith(NeutralHost(lang), page.Url, StringComparison.Ordinal);
        await page.GoBackAsync();
        Assert.DoesNotContain(site.Intake.BaseAddress.Authority, page.Url, StringComparison.Ordinal);
        Assert.Empty(survivor.Errors);
    }
}
