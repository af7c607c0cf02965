using System.Text.Json;
using Microsoft.Playwright;

namespace Intake.Web.Tests.Crypto;

/// <summary>
/// One real Intake process and one headless Chromium page per test class, with the browser crypto code loaded on the
/// Intake origin (http://127.0.0.1, a secure context). The harness page and script are handed to the browser by
/// Playwright's routing: the server has no test endpoint and wwwroot holds no harness. Bytes cross as base64.
/// </summary>
public sealed class CryptoPage(WebFixture fixture) : IAsyncLifetime
{
    private const string HarnessHtml =
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>crypto harness</title>"
        + "<script type=\"module\" src=\"crypto-harness.js\"></script></head><body></body></html>";

    // Arguments and results travel as JSON text, so both sides agree on names (camelCase) and shapes exactly.
    private const string CallScript =
        "async ([name, args]) => JSON.stringify(await window.intakeCrypto[name](...JSON.parse(args)))";

    private static readonly JsonSerializerOptions Json = JsonSerializerOptions.Web;

    private IntakeProcess? _intake;
    private IPlaywright? _playwright;
    private IBrowser? _browser;
    private IPage? _page;
    private readonly List<string> _errors = [];

    public IReadOnlyList<string> PageErrors => _errors;

    public async Task InitializeAsync()
    {
        var harness = IntakeProcess.RepositoryRoot("src/Intake.Web/obj/client-harness/crypto-harness.js");
        if (!File.Exists(harness))
        {
            throw new InvalidOperationException($"{harness} is missing: `dotnet build` of Intake.Web builds it.");
        }

        _intake = IntakeProcess.Start(fixture.Settings());
        await _intake.WaitUntilHealthyAsync(TimeSpan.FromSeconds(60));
        (_playwright, _browser) = await Browser.LaunchAsync();
        _page = await _browser.NewPageAsync();
        _page.PageError += (_, error) => _errors.Add(error);
        var root = $"{_intake.BaseAddress}crypto-harness/";
        await _page.RouteAsync(root + "**", route => route.Request.Url.EndsWith("/crypto-harness.js", StringComparison.Ordinal)
            ? route.FulfillAsync(new RouteFulfillOptions { Path = harness, ContentType = "text/javascript; charset=utf-8" })
            : route.FulfillAsync(new RouteFulfillOptions { Body = HarnessHtml, ContentType = "text/html; charset=utf-8" }));
        await _page.GotoAsync(root + "index.html");
        await _page.WaitForFunctionAsync("() => document.documentElement.dataset.harness === 'ready'", null, new PageWaitForFunctionOptions { Timeout = 15_000 });
        if (!await _page.EvaluateAsync<bool>("() => window.isSecureContext && window.location.hostname === '127.0.0.1'"))
        {
            throw new InvalidOperationException("The harness page is not a secure context on the Intake origin.");
        }
    }

    /// <summary>Calls window.intakeCrypto[function](...args) and returns its result as <typeparamref name="T"/>.</summary>
    public async Task<T> CallAsync<T>(string function, params object?[] args)
    {
        var page = _page ?? throw new InvalidOperationException("The page is not ready.");
        var result = await page.EvaluateAsync<string>(CallScript, new object[] { function, JsonSerializer.Serialize(args, Json) });
        return JsonSerializer.Deserialize<T>(result, Json) ?? throw new InvalidOperationException($"{function} returned null.");
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }

        _playwright?.Dispose();
        if (_intake is not null)
        {
            await _intake.DisposeAsync();
        }
    }
}
