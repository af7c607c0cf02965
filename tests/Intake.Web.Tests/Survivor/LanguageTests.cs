using System.Net;
using System.Security.Cryptography;

namespace Intake.Web.Tests.Survivor;

/// <summary>
/// The language is in the URL: each page links to itself in the other language and says which language it is in;
/// "/" picks one from Accept-Language. Every page loads our own bundle and stylesheet, with matching integrity
/// hashes, and no Content Security Policy refusal.
/// </summary>
[Collection(WebCollection.Name)]
public sealed class LanguageTests(SurvivorSite site) : IClassFixture<SurvivorSite>
{
    public static TheoryData<string, string> Pages()
    {
        var data = new TheoryData<string, string>();
        foreach (var lang in SurvivorSite.Languages)
        {
            foreach (var page in new[] { "", "submit", "return", "privacy" })
            {
                data.Add(lang, page);
            }
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Pages))]
    public async Task The_language_switch_opens_the_same_page_in_the_other_language(string lang, string path)
    {
        var other = lang == "zh" ? "en" : "zh";
        await using var survivor = await site.OpenAsync($"/{lang}/{path}");
        var page = survivor.Page;
        Assert.Equal(SurvivorSite.HtmlLang(lang), await page.GetAttributeAsync("html", "lang"));

        await page.ClickAsync("a.language-switch");
        await page.WaitForSelectorAsync($"html[data-lang='{other}'][data-js='on']", new() { State = Microsoft.Playwright.WaitForSelectorState.Attached });

        Assert.Equal($"/{other}/{path}".TrimEnd('/'), new Uri(page.Url).AbsolutePath.TrimEnd('/'));
        Assert.Equal(SurvivorSite.HtmlLang(other), await page.GetAttributeAsync("html", "lang"));
        Assert.Equal(SurvivorSite.Text(other, "Layout_QuickExit"), (await page.Locator("a[data-quick-exit] span").First.TextContentAsync())?.Trim());
        Assert.Empty(survivor.Errors);
    }

    [Theory]
    [InlineData(null, "/zh/")]
    [InlineData("zh-CN,zh;q=0.9", "/zh/")]
    [InlineData("en-US,en;q=0.9", "/en/")]
    [InlineData("fr-FR, en;q=0.5, zh;q=0.3", "/en/")]
    [InlineData("de-DE", "/zh/")]
    public async Task The_root_redirects_by_accept_language_and_defaults_to_chinese(string? acceptLanguage, string expected)
    {
        using var client = site.CreateClient(followRedirects: false);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/");
        if (acceptLanguage is not null)
        {
            request.Headers.TryAddWithoutValidation("Accept-Language", acceptLanguage);
        }

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal(expected, response.Headers.Location?.OriginalString);
        Assert.False(response.Headers.Contains("Set-Cookie"));
    }

    [Theory]
    [InlineData("zh")]
    [InlineData("en")]
    public async Task Pages_set_no_cookie_and_reference_bundle_and_stylesheet_with_their_sha384(string lang)
    {
        using var client = site.CreateClient();
        using var response = await client.GetAsync($"/{lang}/submit");
        // Razor encodes "+" in attributes as "&#x2B;"; the browser decodes it before checking integrity.
        var html = WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(response.Headers.Contains("Set-Cookie"));
        foreach (var file in new[] { "js/survivor.js", "css/intake.css" })
        {
            var bytes = await File.ReadAllBytesAsync(IntakeProcess.RepositoryRoot($"src/Intake.Web/wwwroot/{file}"));
            Assert.Contains($"integrity=\"sha384-{Convert.ToBase64String(SHA384.HashData(bytes))}\"", html, StringComparison.Ordinal);
        }
        Assert.DoesNotContain("style=", html, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/fr/submit")).StatusCode);
    }
}
