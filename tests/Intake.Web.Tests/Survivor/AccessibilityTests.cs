using System.Text.Json;

namespace Intake.Web.Tests.Survivor;

/// <summary>
/// axe-core (the client package's devDependency, read from node_modules) finds no serious or critical violation on
/// any survivor page in either language. Only this test bypasses the CSP, to inject axe.
/// </summary>
[Collection(WebCollection.Name)]
public sealed class AccessibilityTests(SurvivorSite site) : IClassFixture<SurvivorSite>
{
    private static readonly Lazy<string> Axe = new(() =>
    {
        var path = IntakeProcess.RepositoryRoot("src/Intake.Web/client/node_modules/axe-core/axe.min.js");
        return File.Exists(path) ? File.ReadAllText(path) : throw new InvalidOperationException($"{path} is missing: `dotnet build` runs npm ci in the client folder.");
    });

    private const string RunAxe =
        "async () => { const r = await axe.run(document, { resultTypes: ['violations'] });" +
        " return JSON.stringify(r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')" +
        ".map(v => v.id + ' (' + v.impact + '): ' + v.nodes.map(n => n.target.join(' ')).join(', '))); }";

    public static TheoryData<string, string> Pages() => LanguageTests.Pages();

    [Theory]
    [MemberData(nameof(Pages))]
    public async Task No_serious_or_critical_accessibility_violations(string lang, string path)
    {
        await site.CreateChannelAsync(advocates: 1);
        await using var survivor = await site.OpenAsync($"/{lang}/{path}", bypassCsp: true);
        var page = survivor.Page;
        if (path == "submit")
        {
            await page.WaitForSelectorAsync("input[name=channel]", new() { State = Microsoft.Playwright.WaitForSelectorState.Attached });
        }
        await page.AddScriptTagAsync(new() { Content = Axe.Value });

        var violations = JsonSerializer.Deserialize<string[]>(await page.EvaluateAsync<string>(RunAxe))!;

        Assert.Empty(violations);
    }

    /// <summary>
    /// Every state of the no-JavaScript path, as the server renders it: the forms, a refused form, the receipt, a
    /// wrong receipt, the case, the withdrawal confirmation and the end. survivor.js is kept out, so the page is what a
    /// browser without JavaScript shows; JavaScript stays on only to run axe.
    /// </summary>
    [Theory]
    [InlineData("zh")]
    [InlineData("en")]
    public async Task No_serious_or_critical_accessibility_violations_without_javascript(string lang)
    {
        var kit = await site.CreateChannelAsync(advocates: 1);
        await using var survivor = await site.OpenAsync($"/{lang}/submit", bypassCsp: true, withoutBundle: true);
        var page = survivor.Page;
        var found = new List<string>();
        async Task CheckAsync(string state)
        {
            await page.AddScriptTagAsync(new() { Content = Axe.Value });
            found.AddRange(JsonSerializer.Deserialize<string[]>(await page.EvaluateAsync<string>(RunAxe))!.Select(v => $"{state}: {v}"));
        }

        Assert.True(await page.Locator("[data-nojs-trust]").IsVisibleAsync());
        await CheckAsync("submit form");
        await page.ClickAsync("form[data-submit-form] button[type=submit]");
        await page.Locator("[data-form-error]").WaitForAsync();
        await CheckAsync("refused form");
        await page.Locator($"input[name=channel][value='{kit.Channel}']").CheckAsync();
        await page.FillAsync("#narrative", "for the accessibility check");
        await page.ClickAsync("form[data-submit-form] button[type=submit]");
        var receipt = (await page.Locator("[data-nojs-receipt]").TextContentAsync(new() { Timeout = 60_000 }))!;
        await CheckAsync("receipt");

        await page.GotoAsync($"/{lang}/return");
        await CheckAsync("return form");
        await page.FillAsync("#receipt", Intake.Core.Crypto.SurvivorReceipt.Generate().ToString());
        await page.ClickAsync("form[data-lookup-form] button[type=submit]");
        await page.Locator("[data-lookup-error]").WaitForAsync();
        await CheckAsync("wrong receipt");
        await page.FillAsync("#receipt", receipt);
        await page.ClickAsync("form[data-lookup-form] button[type=submit]");
        await page.Locator("[data-nojs-case]").WaitForAsync();
        await CheckAsync("case");
        await page.ClickAsync("[data-nojs-followup-form] button[type=submit]");
        await page.Locator("[data-nojs-followup-error]").WaitForAsync();
        await CheckAsync("refused follow-up");
        await page.ClickAsync("[data-nojs-withdraw]");
        await page.Locator("[data-nojs-withdraw-confirm]").WaitForAsync();
        await CheckAsync("withdrawal confirmation");
        await page.ClickAsync("[data-nojs-withdraw-yes]");
        await page.Locator("[data-nojs-withdrawn]").WaitForAsync();
        await CheckAsync("withdrawn");

        Assert.Empty(found);
    }
}
