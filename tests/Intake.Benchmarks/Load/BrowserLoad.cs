using System.Globalization;
using System.Text.Json;
using Microsoft.Playwright;

namespace Intake.Benchmarks.Load;

/// <summary>
/// <c>-- browser</c>: streaming encryption of a 100 MiB Blob in Debian's headless Chromium, through the product's
/// <c>sealStream</c> (crypto-harness.ts <c>sealDiscarding</c>: each sealed chunk is dropped, as an upload would send
/// it), against raw WebCrypto AES-GCM over the same Blob in 64 KiB chunks with one key. JS heap (CDP
/// Performance.getMetrics) and renderer RSS (/proc VmRSS) are sampled about every 100 ms during each run.
/// </summary>
/// <remarks>
/// Options: <c>--runs N</c> (measured runs of each, default 3), <c>--mib N</c> (content size, default 100),
/// <c>--harness PATH</c> (default src/Intake.Web/obj/client-harness/crypto-harness.js, built by
/// <c>dotnet build src/Intake.Web</c>). Chromium: INTAKE_TEST_CHROMIUM, default /usr/bin/chromium; never downloaded.
/// </remarks>
public static class BrowserLoad
{
    private const string Origin = "http://127.0.0.1:8779/";
    private const string HarnessHtml =
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>browser benchmark</title>"
        + "<script type=\"module\" src=\"crypto-harness.js\"></script></head><body></body></html>";

    // The content: random bytes (crypto.getRandomValues takes at most 64 KiB per call) in one Blob, kept on window.
    private const string MakeBlob = """
        (size) => {
          const pieces = [];
          for (let offset = 0; offset < size; offset += 65536) {
            pieces.push(crypto.getRandomValues(new Uint8Array(Math.min(65536, size - offset))));
          }
          window.benchBlob = new Blob(pieces);
          return window.benchBlob.size;
        }
        """;

    private const string Seal = "() => window.intakeCrypto.sealDiscarding(window.benchBlob)";

    // Baseline: the same Blob read the same way (one 64 KiB slice at a time), AES-256-GCM with one imported key, a
    // 62-byte AAD like a stream chunk's, a counter nonce; no HKDF, no framing or padding. Output dropped.
    private const string RawAesGcm = """
        async () => {
          const blob = window.benchBlob;
          const key = await crypto.subtle.importKey("raw", crypto.getRandomValues(new Uint8Array(32)), "AES-GCM", false, ["encrypt"]);
          const aad = crypto.getRandomValues(new Uint8Array(62));
          const started = performance.now();
          let sealedBytes = 0;
          for (let offset = 0, index = 0; offset < blob.size; offset += 65536, index++) {
            const plaintext = new Uint8Array(await blob.slice(offset, offset + 65536).arrayBuffer());
            const iv = new Uint8Array(12);
            new DataView(iv.buffer).setUint32(8, index);
            sealedBytes += (await crypto.subtle.encrypt({ name: "AES-GCM", iv, additionalData: aad }, key, plaintext)).byteLength;
          }
          return { ms: performance.now() - started, sealedBytes };
        }
        """;

    // Decomposition only: the same AES-GCM over the content already in memory (read whole from the Blob before the
    // timer), to separate the cost of reading the Blob from the cost of encrypting. Holds all 100 MiB, so its memory
    // figures are not comparable.
    private const string RawAesGcmInMemory = """
        async () => {
          const bytes = new Uint8Array(await window.benchBlob.arrayBuffer());
          const key = await crypto.subtle.importKey("raw", crypto.getRandomValues(new Uint8Array(32)), "AES-GCM", false, ["encrypt"]);
          const aad = crypto.getRandomValues(new Uint8Array(62));
          const started = performance.now();
          let sealedBytes = 0;
          for (let offset = 0, index = 0; offset < bytes.length; offset += 65536, index++) {
            const iv = new Uint8Array(12);
            new DataView(iv.buffer).setUint32(8, index);
            sealedBytes += (await crypto.subtle.encrypt({ name: "AES-GCM", iv, additionalData: aad }, key, bytes.subarray(offset, offset + 65536))).byteLength;
          }
          return { ms: performance.now() - started, sealedBytes };
        }
        """;

    private sealed record Run(string Name, double Ms, long SealedBytes, double StartHeap, double PeakHeap, long StartRss, long PeakRss, long PeakBrowserRss, int Samples);

    public static async Task<int> RunAsync(string[] args)
    {
        var runs = int.Parse(Option(args, "--runs", "3"), CultureInfo.InvariantCulture);
        var size = long.Parse(Option(args, "--mib", "100"), CultureInfo.InvariantCulture) * 1024 * 1024;
        var harness = Option(args, "--harness", Path.Combine(RepositoryRoot(), "src/Intake.Web/obj/client-harness/crypto-harness.js"));
        if (!File.Exists(harness))
        {
            throw new LoadSetupException($"The crypto harness is missing at {harness}: `dotnet build src/Intake.Web` builds it (or pass --harness PATH).");
        }
        var chromium = Environment.GetEnvironmentVariable("INTAKE_TEST_CHROMIUM") is { Length: > 0 } set ? set : "/usr/bin/chromium";
        if (!File.Exists(chromium))
        {
            throw new LoadSetupException($"Chromium is not at {chromium}. Install Debian's chromium package or set INTAKE_TEST_CHROMIUM; this tool never downloads a browser.");
        }

        Console.WriteLine($"# Browser encryption, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Machine.Describe()}");
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = chromium,
            Headless = true,
            // tests/Intake.Web.Tests/Browser.cs's flags, plus precise (unquantized) memory figures.
            Args =
            [
                "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-first-run", "--host-resolver-rules=MAP intake.test 127.0.0.1", "--enable-precise-memory-info",
            ],
        });
        Console.WriteLine($"Chromium {browser.Version} ({chromium}), harness {harness} ({File.GetLastWriteTimeUtc(harness):yyyy-MM-dd HH:mm} UTC)");
        var page = await browser.NewPageAsync();
        var errors = new List<string>();
        page.PageError += (_, error) => errors.Add(error);
        await page.RouteAsync(Origin + "**", route => route.Request.Url.EndsWith("/crypto-harness.js", StringComparison.Ordinal)
            ? route.FulfillAsync(new RouteFulfillOptions { Path = harness, ContentType = "text/javascript; charset=utf-8" })
            : route.FulfillAsync(new RouteFulfillOptions { Body = HarnessHtml, ContentType = "text/html; charset=utf-8" }));
        await page.GotoAsync(Origin + "index.html");
        await page.WaitForFunctionAsync("() => document.documentElement.dataset.harness === 'ready'", null, new PageWaitForFunctionOptions { Timeout = 15_000 });
        if (!await page.EvaluateAsync<bool>("() => window.isSecureContext && typeof window.intakeCrypto.sealDiscarding === 'function'"))
        {
            throw new LoadSetupException($"The page is not a secure context, or {harness} predates sealDiscarding in crypto-harness.ts: rebuild it with `dotnet build src/Intake.Web`.");
        }
        var cdp = await page.Context.NewCDPSessionAsync(page);
        await cdp.SendAsync("Performance.enable");

        // The page's renderer is the one whose RSS grows while the page fills the content in its JS heap.
        var before = Renderers().ToDictionary(pid => pid, Rss);
        var made = await page.EvaluateAsync<long>(MakeBlob, size);
        var grown = Renderers().Select(pid => (Pid: pid, Growth: Rss(pid) - before.GetValueOrDefault(pid))).OrderByDescending(r => r.Growth).ToList();
        var renderer = grown.Count > 0 ? grown[0].Pid : throw new InvalidOperationException("No Chromium renderer process found under this process.");
        await cdp.SendAsync("HeapProfiler.collectGarbage");
        Console.WriteLine($"Blob of {made:N0} bytes made; renderers {string.Join(", ", grown.Select(g => $"{g.Pid} (+{g.Growth / 1048576.0:F1} MiB while filling)"))}: "
            + $"the page's is {renderer}. After GC: JS heap {await HeapAsync(cdp) / 1048576:F1} MiB, renderer RSS {Rss(renderer) / 1048576.0:F1} MiB, "
            + $"browser process RSS {BrowserRss() / 1048576.0:F1} MiB");

        var results = new List<Run>();
        for (var i = 0; i <= runs; i++)
        {
            foreach (var (name, script) in new[] { ("sealStream", Seal), ("raw AES-GCM", RawAesGcm), ("raw AES-GCM, in memory", RawAesGcmInMemory) })
            {
                var run = await MeasureAsync(page, cdp, renderer, name, script);
                var label = i == 0 ? "warm-up (discarded)" : $"run {i}";
                Console.WriteLine($"{name,-23} {label}: {run.Ms:F0} ms, {size / 1e6 / (run.Ms / 1000):F1} MB/s, sealed {run.SealedBytes:N0} bytes; "
                    + $"JS heap {run.StartHeap / 1048576:F1} -> peak {run.PeakHeap / 1048576:F1} MiB; renderer RSS {run.StartRss / 1048576.0:F1} -> peak {run.PeakRss / 1048576.0:F1} MiB; "
                    + $"browser process RSS peak {run.PeakBrowserRss / 1048576.0:F1} MiB; {run.Samples} samples");
                if (i > 0)
                {
                    results.Add(run);
                }
            }
        }
        if (errors.Count > 0)
        {
            Console.WriteLine($"Page errors: {string.Join("; ", errors)}");
        }

        Console.WriteLine($"\n| Operation ({size / 1048576} MiB, mean of {runs}) | Mean time | MB/s | Peak JS heap (rise) | Peak renderer RSS (rise) | Peak browser-process RSS |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|");
        foreach (var group in results.GroupBy(r => r.Name))
        {
            var ms = group.Average(r => r.Ms);
            Console.WriteLine($"| {group.Key} | {ms:F0} ms (runs {string.Join(", ", group.Select(r => r.Ms.ToString("F0", CultureInfo.InvariantCulture)))}) | {size / 1e6 / (ms / 1000):F1} | "
                + $"{group.Max(r => r.PeakHeap) / 1048576:F1} MiB (+{group.Max(r => r.PeakHeap - r.StartHeap) / 1048576:F1}) | "
                + $"{group.Max(r => r.PeakRss) / 1048576.0:F1} MiB (+{group.Max(r => r.PeakRss - r.StartRss) / 1048576.0:F1}) | {group.Max(r => r.PeakBrowserRss) / 1048576.0:F1} MiB |");
        }
        return 0;
    }

    private static async Task<Run> MeasureAsync(IPage page, ICDPSession cdp, int renderer, string name, string script)
    {
        await cdp.SendAsync("HeapProfiler.collectGarbage");
        await Task.Delay(300);
        var startHeap = await HeapAsync(cdp);
        var startRss = Rss(renderer);
        double peakHeap = startHeap;
        long peakRss = startRss, peakBrowser = BrowserRss();
        var samples = 0;
        using var stop = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                peakHeap = Math.Max(peakHeap, await HeapAsync(cdp));
                peakRss = Math.Max(peakRss, Rss(renderer));
                peakBrowser = Math.Max(peakBrowser, BrowserRss());
                samples++;
                try
                {
                    await Task.Delay(100, stop.Token);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        });
        var result = await page.EvaluateAsync<JsonElement>(script);
        await stop.CancelAsync();
        await sampler;
        return new Run(name, result.GetProperty("ms").GetDouble(), result.GetProperty("sealedBytes").GetInt64(), startHeap, peakHeap, startRss, peakRss, peakBrowser, samples);
    }

    private static async Task<double> HeapAsync(ICDPSession cdp)
    {
        var metrics = await cdp.SendAsync("Performance.getMetrics") ?? throw new InvalidOperationException("No metrics.");
        foreach (var metric in metrics.GetProperty("metrics").EnumerateArray())
        {
            if (metric.GetProperty("name").GetString() == "JSHeapUsedSize")
            {
                return metric.GetProperty("value").GetDouble();
            }
        }
        throw new InvalidOperationException("Performance.getMetrics has no JSHeapUsedSize.");
    }

    // Chromium processes started (through Playwright's driver) by this process, found by walking /proc's parent links.
    private static List<(int Pid, string CommandLine)> OurChromium()
    {
        var parents = new Dictionary<int, int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(dir), out var pid) && TryRead($"{dir}/stat") is { } stat)
            {
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                parents[pid] = int.Parse(fields[1], CultureInfo.InvariantCulture);
            }
        }
        var self = Environment.ProcessId;
        var ours = new List<(int, string)>();
        foreach (var pid in parents.Keys)
        {
            for (var p = pid; parents.TryGetValue(p, out var parent) && p > 1; p = parent)
            {
                if (parent == self)
                {
                    if (TryRead($"/proc/{pid}/cmdline") is { } cmdline && cmdline.Contains("chromium", StringComparison.Ordinal))
                    {
                        ours.Add((pid, cmdline.Replace('\0', ' ')));
                    }
                    break;
                }
            }
        }
        return ours;
    }

    private static List<int> Renderers() =>
        OurChromium().Where(p => p.CommandLine.Contains("--type=renderer", StringComparison.Ordinal)).Select(p => p.Pid).ToList();

    private static long BrowserRss() =>
        OurChromium().Where(p => !p.CommandLine.Contains("--type=", StringComparison.Ordinal)).Select(p => Rss(p.Pid)).DefaultIfEmpty().Max();

    private static long Rss(int pid)
    {
        var line = TryRead($"/proc/{pid}/status")?.Split('\n').FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return line is null ? 0 : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
    }

    private static string? TryRead(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Intake.sln")))
            {
                return dir.FullName;
            }
        }
        return Directory.GetCurrentDirectory();
    }

    private static string Option(string[] args, string name, string fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
    }
}
