using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Intake.Testing;
using Microsoft.Playwright;

namespace Intake.Web.Tests.Survivor;

/// <summary>
/// The trust model's proof: a unique marker typed into every field of the form and written into
/// an attachment (and its name) never reaches a PostgreSQL dump, a RabbitMQ message, a log line,
/// or any file the service wrote. Only ciphertext leaves her browser.
/// </summary>
[Collection(WebCollection.Name)]
public sealed class MarkerTests(SurvivorSite site) : IClassFixture<SurvivorSite>
{
    private const string TestimonyExchange = "Intake.Core.Contracts:TestimonySubmitted";

    [Fact]
    public async Task A_marker_typed_into_every_field_appears_nowhere_the_server_writes()
    {
        var marker = $"MRK{Guid.NewGuid():N}";
        var capture = $"marker-capture-{Guid.NewGuid():N}";
        using var rabbit = TestVirtualHost.ManagementClient();
        var vhost = Uri.EscapeDataString(site.Fixture.VirtualHost.Name);
        (await rabbit.PutAsJsonAsync($"api/exchanges/{vhost}/{Uri.EscapeDataString(TestimonyExchange)}", new { type = "fanout", durable = true })).EnsureSuccessStatusCode();
        (await rabbit.PutAsJsonAsync($"api/queues/{vhost}/{capture}", new { durable = false, auto_delete = false })).EnsureSuccessStatusCode();
        (await rabbit.PostAsJsonAsync($"api/bindings/{vhost}/e/{Uri.EscapeDataString(TestimonyExchange)}/q/{capture}", new { })).EnsureSuccessStatusCode();

        // An Intake process of its own, whose home and temporary folders are fresh: everything
        // the service writes to disk lands there or in its content root.
        var scratch = Directory.CreateTempSubdirectory("intake-marker-");
        var settings = site.Fixture.Settings();
        settings["HOME"] = Directory.CreateDirectory(Path.Combine(scratch.FullName, "home")).FullName;
        settings["TMPDIR"] = Directory.CreateDirectory(Path.Combine(scratch.FullName, "tmp")).FullName;
        await using var intake = IntakeProcess.Start(settings);
        await intake.WaitUntilHealthyAsync(TimeSpan.FromSeconds(60));

        var kit = await site.CreateChannelAsync();
        await using var survivor = await site.OpenAsync("/zh/submit", on: intake);
        var page = survivor.Page;
        await page.Locator($"input[name=channel][value='{kit.Channel}']").CheckAsync();
        foreach (var field in new[] { "#what", "#where", "#relationship", "#witnesses", "#narrative" })
        {
            await page.FillAsync(field, $"{field} {marker} 标记");
        }
        await page.SetInputFilesAsync("#files", new[]
        {
            new FilePayload { Name = $"{marker}.txt", MimeType = "text/plain", Buffer = Encoding.UTF8.GetBytes($"attachment {marker}\n") },
        });
        await page.WaitForFunctionAsync("() => document.querySelectorAll('[data-file-note]').length === 1");
        await page.ClickAsync("form[data-submit-form] button[type=submit]");
        await page.Locator("[data-receipt]").WaitForAsync(new LocatorWaitForOptions { State = WaitForSelectorState.Visible, Timeout = 60_000 });

        await AssertMarkerAbsentAsync(marker, kit.Channel, rabbit, vhost, capture, intake, scratch.FullName);
        Directory.Delete(scratch.FullName, recursive: true);
    }

    /// <summary>
    /// The same proof for the no-JavaScript path, where the server seals her words in memory: a marker in every field,
    /// in an attachment larger than ASP.NET's 64 KiB in-memory form threshold (and its name), and in a follow-up
    /// message and file, never reaches the dump, RabbitMQ, the logs, or any file, the temporary folders included
    /// (TMPDIR and ASPNETCORE_TEMP point into the scratch folder that is scanned).
    /// </summary>
    [Fact]
    public async Task Without_javascript_a_marker_in_every_field_and_file_appears_nowhere_the_server_writes()
    {
        var marker = $"MRK{Guid.NewGuid():N}";
        var capture = $"marker-capture-{Guid.NewGuid():N}";
        using var rabbit = TestVirtualHost.ManagementClient();
        var vhost = Uri.EscapeDataString(site.Fixture.VirtualHost.Name);
        (await rabbit.PutAsJsonAsync($"api/exchanges/{vhost}/{Uri.EscapeDataString(TestimonyExchange)}", new { type = "fanout", durable = true })).EnsureSuccessStatusCode();
        (await rabbit.PutAsJsonAsync($"api/queues/{vhost}/{capture}", new { durable = false, auto_delete = false })).EnsureSuccessStatusCode();
        (await rabbit.PostAsJsonAsync($"api/bindings/{vhost}/e/{Uri.EscapeDataString(TestimonyExchange)}/q/{capture}", new { })).EnsureSuccessStatusCode();

        var scratch = Directory.CreateTempSubdirectory("intake-marker-nojs-");
        var temp = Directory.CreateDirectory(Path.Combine(scratch.FullName, "tmp")).FullName;
        var settings = site.Fixture.Settings();
        settings["HOME"] = Directory.CreateDirectory(Path.Combine(scratch.FullName, "home")).FullName;
        settings["TMPDIR"] = temp;
        settings["ASPNETCORE_TEMP"] = temp;
        await using var intake = IntakeProcess.Start(settings);
        await intake.WaitUntilHealthyAsync(TimeSpan.FromSeconds(60));

        // A file spilled by a form reader is deleted when the request ends, so scanning afterwards could miss it:
        // watch the temporary folder while she sends.
        var created = new System.Collections.Concurrent.ConcurrentBag<string>();
        using var watcher = new FileSystemWatcher(temp) { IncludeSubdirectories = true, EnableRaisingEvents = true };
        watcher.Created += (_, e) => created.Add(e.FullPath);
        watcher.Changed += (_, e) => created.Add(e.FullPath);

        var kit = await site.CreateChannelAsync();
        await using var survivor = await site.OpenAsync("/zh/submit", javaScript: false, on: intake);
        var page = survivor.Page;
        await page.Locator($"input[name=channel][value='{kit.Channel}']").CheckAsync();
        foreach (var field in new[] { "#what", "#where", "#relationship", "#witnesses", "#narrative" })
        {
            await page.FillAsync(field, $"{field} {marker} 标记");
        }
        // 300 KB: far over the 64 KiB above which ASP.NET's form reader would spill a file to disk.
        var large = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat($"attachment {marker}\n", 6_000)));
        await page.SetInputFilesAsync("#files", new[]
        {
            new FilePayload { Name = $"{marker}.txt", MimeType = "text/plain", Buffer = large },
        });
        await page.ClickAsync("form[data-submit-form] button[type=submit]");
        var receipt = (await page.Locator("[data-nojs-receipt]").TextContentAsync(new() { Timeout = 60_000 }))!;

        await page.GotoAsync("/zh/return");
        await page.FillAsync("#receipt", receipt);
        await page.ClickAsync("form[data-lookup-form] button[type=submit]");
        await page.Locator("[data-nojs-case]").WaitForAsync();
        await page.FillAsync("#nojs-followup-message", $"follow-up {marker}");
        await page.SetInputFilesAsync("#nojs-followup-files", new[]
        {
            new FilePayload { Name = $"later-{marker}.txt", MimeType = "text/plain", Buffer = large },
        });
        await page.ClickAsync("[data-nojs-followup-form] button[type=submit]");
        await page.Locator("[data-nojs-followup-done]").WaitForAsync(new() { Timeout = 60_000 });
        Assert.Empty(created);

        await AssertMarkerAbsentAsync(marker, kit.Channel, rabbit, vhost, capture, intake, scratch.FullName);
        Directory.Delete(scratch.FullName, recursive: true);
    }

    private async Task AssertMarkerAbsentAsync(string marker, string channel, HttpClient rabbit, string vhost, string capture, IntakeProcess intake, string scratch)
    {
        var forms = Forms(marker);

        // PostgreSQL: everything the database holds, as a backup or a seizure would have it.
        var dump = await site.Fixture.Database.DumpAsync();
        Assert.Contains("ledger_wrapped_keys", dump, StringComparison.Ordinal);
        AssertAbsent(forms, dump, "the PostgreSQL dump");

        // RabbitMQ: the announcement of the new testimony, and whatever else was published.
        var messages = await rabbit.PostAsJsonAsync($"api/queues/{vhost}/{capture}/get", new { count = 100, ackmode = "ack_requeue_false", encoding = "auto" });
        messages.EnsureSuccessStatusCode();
        var payloads = JsonDocument.Parse(await messages.Content.ReadAsStringAsync()).RootElement.EnumerateArray()
            .Select(m => m.GetProperty("payload").GetString()!).ToList();
        Assert.Contains(payloads, p => p.Contains("TestimonySubmitted", StringComparison.Ordinal) && p.Contains(channel, StringComparison.Ordinal));
        AssertAbsent(forms, string.Join("\n", payloads), "a RabbitMQ message");
        await rabbit.DeleteAsync($"api/queues/{vhost}/{capture}");

        // Logs: everything the process wrote to its console, until it stopped.
        await intake.StopAsync();
        Assert.Contains("Application started", intake.Output, StringComparison.Ordinal);
        AssertAbsent(forms, intake.Output, "the service's log output");

        // Files: anything written since the service started, in its home, its temporary folder
        // and its content root.
        var written = FilesWrittenSince(intake.StartedAtUtc, scratch).ToList();
        foreach (var file in written)
        {
            if (await ReadRegularFileAsync(file) is { } bytes)
            {
                AssertAbsent(forms, Encoding.Latin1.GetString(bytes), file);
            }
        }
    }

    // The marker as it could appear if something leaked it: as text, as UTF-16, as hex.
    private static string[] Forms(string marker) =>
    [
        marker,
        Encoding.Latin1.GetString(Encoding.Unicode.GetBytes(marker)),
        Convert.ToHexStringLower(Encoding.UTF8.GetBytes(marker)),
        Convert.ToHexString(Encoding.UTF8.GetBytes(marker)),
    ];

    private static void AssertAbsent(string[] forms, string haystack, string where)
    {
        foreach (var form in forms)
        {
            Assert.False(haystack.Contains(form, StringComparison.Ordinal), $"the marker appeared in {where}");
        }
    }

    private static IEnumerable<string> FilesWrittenSince(DateTime since, string scratch)
    {
        var roots = new[] { scratch, IntakeProcess.RepositoryRoot("src/Intake.Web") };
        foreach (var root in roots.Where(Directory.Exists))
        {
            foreach (var file in SafeEnumerate(root))
            {
                var info = new FileInfo(file);
                if (info.LastWriteTimeUtc >= since && info.Length < 64 * 1024 * 1024
                    && !file.Contains("/node_modules/", StringComparison.Ordinal) && !file.Contains("/obj/", StringComparison.Ordinal))
                {
                    yield return file;
                }
            }
        }
    }

    // Sockets and pipes in /tmp are not files anyone wrote content to.
    private static async Task<byte[]?> ReadRegularFileAsync(string path)
    {
        try
        {
            return await File.ReadAllBytesAsync(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static IEnumerable<string> SafeEnumerate(string root)
    {
        try
        {
            return Directory.EnumerateFiles(root, "*", new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true, AttributesToSkip = FileAttributes.ReparsePoint }).ToList();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }
}
