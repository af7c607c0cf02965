using Microsoft.Playwright;

namespace Intake.Web.Tests.Survivor;

/// <summary>
/// Tor Browser "Safest": no JavaScript. The pages still read, the forms are real forms posted to the same origin,
/// the page says plainly that in this mode the server encrypts her words (so she trusts it for that moment), and the
/// quick exit is a plain link. With JavaScript on, none of those notes show.
/// </summary>
[Collection(WebCollection.Name)]
public sealed class NoScriptTests(SurvivorSite site) : IClassFixture<SurvivorSite>
{
    [Theory]
    [InlineData("zh", "")]
    [InlineData("zh", "submit")]
    [InlineData("zh", "return")]
    [InlineData("en", "")]
    [InlineData("en", "submit")]
    [InlineData("en", "return")]
    public async Task Without_javascript_the_page_renders_and_says_what_this_mode_means(string lang, string path)
    {
        await site.CreateChannelAsync(advocates: 1);
        await using var survivor = await site.OpenAsync($"/{lang}/{path}", javaScript: false);
        var page = survivor.Page;

        var note = page.Locator("aside[data-nojs]");
        Assert.True(await note.IsVisibleAsync());
        Assert.Contains(SurvivorSite.Text(lang, "NoJs_Body"), await note.TextContentAsync(), StringComparison.Ordinal);
        Assert.Contains(SurvivorSite.Text(lang, "NoJs_Coming"), await note.TextContentAsync(), StringComparison.Ordinal);
        Assert.True(await page.Locator("h1").IsVisibleAsync());

        if (path == "")
        {
            Assert.Equal(0, await page.Locator("form:visible").CountAsync());
        }
        else
        {
            var trust = page.Locator("[data-nojs-trust]");
            Assert.True(await trust.IsVisibleAsync());
            Assert.Equal(SurvivorSite.Text(lang, path == "submit" ? "Submit_NoJs" : "Return_NoJs"), await trust.TextContentAsync());
            var form = page.Locator(path == "submit" ? "form[data-submit-form]" : "form[data-lookup-form]");
            Assert.True(await form.IsVisibleAsync());
            Assert.Equal("post", await form.GetAttributeAsync("method"));
            Assert.Equal("multipart/form-data", await form.GetAttributeAsync("enctype"));
            Assert.Equal($"/{lang}/{path}", await form.GetAttributeAsync("action"));
            Assert.Equal(0, await form.Locator("input[type=hidden]").CountAsync()); // no antiforgery token, no cookie
            // The sentence that says encryption happens in this browser is not shown; the one that says the server does is.
            var inBrowser = SurvivorSite.Text(lang, path == "submit" ? "Submit_EncryptNote" : "Return_Lead");
            var byServer = SurvivorSite.Text(lang, path == "submit" ? "Submit_EncryptNoteNoJs" : "Return_LeadNoJs");
            Assert.False(await page.GetByText(inBrowser).IsVisibleAsync());
            Assert.True(await page.GetByText(byServer).IsVisibleAsync());
        }
        if (path == "submit")
        {
            Assert.True(await page.Locator("input[name=channel]").First.IsVisibleAsync());
            Assert.Equal(SurvivorSite.Text(lang, "NoScript_FilesAsIs"), await page.Locator("#files-as-is").TextContentAsync());
        }

        var exit = page.Locator("a[data-quick-exit]");
        Assert.True(await exit.IsVisibleAsync());
        Assert.Equal("noreferrer", await exit.GetAttributeAsync("rel"));
        Assert.Equal(lang == "zh" ? "https://www.baidu.com/s?wd=%E5%A4%A9%E6%B0%94" : "https://www.bing.com/search?q=weather", await exit.GetAttributeAsync("href"));
        Assert.Empty(await survivor.Context.CookiesAsync());
    }

    [Theory]
    [InlineData("zh", "submit")]
    [InlineData("en", "return")]
    public async Task With_javascript_the_no_javascript_notes_are_hidden(string lang, string path)
    {
        await using var survivor = await site.OpenAsync($"/{lang}/{path}");
        var page = survivor.Page;

        Assert.Equal(0, await page.Locator("[data-nojs]:visible").CountAsync());
        Assert.False(await page.Locator("[data-nojs-trust]").IsVisibleAsync());
        Assert.True(await page.Locator("form:visible").First.IsVisibleAsync());
    }
}
