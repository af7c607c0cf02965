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
}
