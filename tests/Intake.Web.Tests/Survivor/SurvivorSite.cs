using Intake.Core.Crypto;
using Microsoft.Extensions.DependencyInjection;
using System.Globalization;
using System.Resources;
using Intake.Web.Tests.Submissions;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Playwright;

namespace Intake.Web.Tests.Survivor;

/// <summary>
/// One real Intake process and one headless Chromium per test class, for the survivor pages. Each test opens its own
/// browser context (no shared cookies, storage or history). An in-memory host on the same database gives the tests
/// the ChannelDirectory to create channels with advocate keys.
/// </summary>
public sealed class SurvivorSite(WebFixture fixture) : IAsyncLifetime
{
    public static readonly string[] Languages = ["zh", "en"];

    private static readonly ResourceManager Resources = new("Intake.Web.Resources.SurvivorText", typeof(Program).Assembly);

    private IPlaywright? _playwright;
    private IBrowser? _browser;
    private WebApplicationFactory<Program>? _factory;

    public WebFixture Fixture => fixture;
    public IntakeProcess Intake { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Intake = IntakeProcess.Start(fixture.Settings());
        await Intake.WaitUntilHealthyAsync(TimeSpan.FromSeconds(60));
        (_playwright, _browser) = await Browser.LaunchAsync();
        _factory = fixture.Factory();
    }

    /// <summary>A survivor page's text in a language, from the same resource files the server renders.</summary>
    public static string Text(string lang, string key, params object[] args)
    {
        var value = Resources.GetString(key, CultureInfo.GetCultureInfo(lang == "zh" ? "zh-Hans" : "en"))
            ?? throw new InvalidOperationException($"No resource {key}.");
        return args.Length == 0 ? value : string.Format(CultureInfo.InvariantCulture, value, args);
    }

    public static string HtmlLang(string lang) => lang == "zh" ? "zh-Hans" : "en";

    public Task<SubmissionKit> CreateChannelAsync(int advocates = 2) =>
        SubmissionKit.CreateChannelAsync(_factory!.Services, advocates);

    /// <summary>Gives a channel questions of its own, as an admin does on the channels page.</summary>
    public async Task SetQuestionsAsync(string channel, params (string LabelEn, string LabelZh)[] questions) =>
        Assert.True(await _factory!.Services.GetRequiredService<global::Intake.Storage.Cases.ChannelDirectory>().SetQuestionsAsync(channel, questions, "test"));

    /// <summary>Records an advocate's reply to a case, as the workspace API does after her browser sealed it.</summary>
    public Task RecordReplyAsync(Guid caseId, Envelope envelope, Guid upload) =>
        _factory!.Services.GetRequiredService<global::Intake.Storage.Workspace.CaseWorkspaceStore>()
            .AddMessageAsync(caseId, Guid.NewGuid(), global::Intake.Core.Ledger.LedgerEntryKind.Reply, envelope, [upload]);

    public HttpClient CreateClient(bool followRedirects = true) =>
        new(new HttpClientHandler { AllowAutoRedirect = followRedirects }) { BaseAddress = Intake.BaseAddress };

    /// <summary>
    /// Opens a path of the Intake site in a fresh browser context; with JavaScript, waits until survivor.js ran.
    /// <paramref name="withoutBundle"/> keeps JavaScript on for the test's own scripts (axe) but never loads
    /// survivor.js, so the page is exactly what a browser without JavaScript gets.
    /// </summary>
    public async Task<SurvivorPage> OpenAsync(string path, bool javaScript = true, bool bypassCsp = false, IntakeProcess? on = null, bool withoutBundle = false)
    {
        var context = await _browser!.NewContextAsync(new BrowserNewContextOptions
        {
            JavaScriptEnabled = javaScript,
            BypassCSP = bypassCsp,
            BaseURL = (on ?? Intake).BaseAddress.ToString(),
            AcceptDownloads = true,
        });
        var page = await context.NewPageAsync();
        var survivor = new SurvivorPage(context, page);
        if (withoutBundle)
        {
            await context.RouteAsync("**/js/survivor.js", route => route.AbortAsync());
        }
        await page.GotoAsync(path);
        if (javaScript && !withoutBundle)
        {
            await page.WaitForSelectorAsync("html[data-js='on']", new PageWaitForSelectorOptions { State = WaitForSelectorState.Attached, Timeout = 15_000 });
        }
        return survivor;
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }
        _playwright?.Dispose();
        if (_factory is not null)
        {
            await _factory.DisposeAsync();
        }
        if (Intake is not null)
        {
            await Intake.DisposeAsync();
        }
    }
}

/// <summary>A page in its own browser context, with every script error and console error it produced.</summary>
public sealed class SurvivorPage : IAsyncDisposable
{
    private readonly List<string> _errors = [];

    public SurvivorPage(IBrowserContext context, IPage page)
    {
        Context = context;
        Page = page;
        page.PageError += (_, error) => _errors.Add(error);
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                _errors.Add(message.Text);
            }
        };
    }

    public IBrowserContext Context { get; }
    public IPage Page { get; }

    /// <summary>Script errors and console errors, including Content Security Policy and integrity refusals.</summary>
    public IReadOnlyList<string> Errors => _errors;

    public ValueTask DisposeAsync() => new(Context.CloseAsync());
}
