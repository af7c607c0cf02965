using Microsoft.Playwright;

namespace Intake.Web.Tests.Survivor;

/// <summary>Tor Browser "Safest": no JavaScript. The pages still read, say why the form needs JavaScript, and the quick exit is a plain link.</summary>
[Collection(WebCollection.Name)]
public sealed class NoScriptTests(SurvivorSite site) : IClassFixture<SurvivorSite>
{
    [Theory]
    [InlineData("zh", "")]
    [InlineData("zh", "submit")]
    [InlineData("en", "")]
    [InlineData("en", "submit")]
    public async Task Without_javascript_the_page_renders_and_explains_the_form_needs_it(string lang, string path)
    {
        await using var survivor = await site.OpenAsync($"/{lang}/{path}", javaScript: false);
        var page = survivor.Page;

        var note = page.Locator("[data-nojs]").First;
        Assert.True(await note.IsVisibleAsync());
        Assert.Contains(SurvivorSite.Text(lang, "NoJs_Body"), await note.TextContentAsync(), StringComparison.Ordinal);
        Assert.Contains(SurvivorSite.Text(lang, "NoJs_Coming"), await note.TextContentAsync(), StringComparison.Ordinal);
        Assert.True(await page.Locator("h1").IsVisibleAsync());
        Assert.Equal(0, await page.Locator("form:visible").CountAsync());

        var exit = page.Locator("a[data-quick-exit]");
        Assert.True(await exit.IsVisibleAsync());
        Assert.Equal("noreferrer", await exit.GetAttributeAsync("rel"));
        Assert.Equal(lang == "zh" ? "https://www.baidu.com/s?wd=%E5%A4%A9%E6%B0%94" : "https://www.bing.com/search?q=weather", await exit.GetAttributeAsync("href"));
    }
}
