using System.Text;
using System.Text.Json;
using Intake.Core.Crypto;
using Microsoft.Playwright;

namespace Intake.Web.Tests.Survivor;

/// <summary>
/// The whole survivor path in a real browser: she fills the form, attaches a GPS-tagged photo and a text file, the
/// page tells her what it removed, encrypts, uploads and shows the receipt; then the advocates' keys, in .NET, open
/// exactly what she wrote, and the stored photo carries no Exif or GPS bytes.
/// </summary>
[Collection(WebCollection.Name)]
public sealed class SubmitPageTests(SurvivorSite site) : IClassFixture<SurvivorSite>
{
    [Theory]
    [InlineData("zh")]
    [InlineData("en")]
    public async Task A_testimony_with_a_photo_and_a_text_file_is_cleaned_encrypted_and_opens_only_for_the_advocates(string lang)
    {
        var kit = await site.CreateChannelAsync();
        await site.SetQuestionsAsync(kit.Channel, ("Which department?", "哪个部门？"), ("Did you report it before?", "您之前报告过吗？"));
        await using var survivor = await site.OpenAsync($"/{lang}/submit");
        var page = survivor.Page;
        var marker = $"marker-{Guid.NewGuid():N}";
        var narrative = $"{marker} 那天晚上他把门锁上了。I did not agree.";
        var notes = $"chat export\n{marker}\n";

        await page.Locator($"input[name=channel][value='{kit.Channel}']").CheckAsync();
        await page.FillAsync($"#q-{kit.Channel}-1", "Sales, 3rd floor");
        Assert.Equal(lang == "zh" ? "哪个部门？" : "Which department?", await page.Locator($"label[for='q-{kit.Channel}-1']").TextContentAsync());
        await page.FillAsync("#what", "He cornered me after the meeting.");
        await page.Locator("input[name=when][value=year]").CheckAsync();
        await page.FillAsync("#where", "Beijing, at work");
        await page.FillAsync("#relationship", "My manager; he decides my contract.");
        await page.FillAsync("#witnesses", "Nobody saw it.");
        await page.Locator("input[name=wants][value=talk]").CheckAsync();
        await page.Locator("input[name=wants][value=legal]").CheckAsync();
        await page.FillAsync("#narrative", narrative);
        await page.Locator("input[name=keep][value='30']").CheckAsync();
        await page.SetInputFilesAsync("#files", new[]
        {
            new FilePayload { Name = "photo.jpg", MimeType = "image/jpeg", Buffer = TestImages.JpegWithGps() },
            new FilePayload { Name = "notes.txt", MimeType = "text/plain", Buffer = Encoding.UTF8.GetBytes(notes) },
        });
        await page.WaitForFunctionAsync("() => document.querySelectorAll('[data-file-note]').length === 2");

        var photoNote = await page.Locator("[data-file-note]").Nth(0).TextContentAsync();
        Assert.StartsWith("photo.jpg", photoNote, StringComparison.Ordinal);
        Assert.Contains(SurvivorSite.Text(lang, "Js_Meta_location"), photoNote, StringComparison.Ordinal);
        Assert.Contains(SurvivorSite.Text(lang, "Js_Meta_camera"), photoNote, StringComparison.Ordinal);
        Assert.Equal(SurvivorSite.Text(lang, "Js_FileOther", "notes.txt"), await page.Locator("[data-file-note]").Nth(1).TextContentAsync());

        await page.ClickAsync("form[data-submit-form] button[type=submit]");
        var receiptElement = page.Locator("[data-receipt]");
        await receiptElement.WaitForAsync(new LocatorWaitForOptions { State = WaitForSelectorState.Visible, Timeout = 60_000 });

        var receiptText = (await receiptElement.TextContentAsync())!;
        Assert.Matches("^([0-9A-Z]{4}-){6}[0-9A-Z]$", receiptText);
        Assert.True(SurvivorReceipt.TryParse(receiptText, out var receipt, out _));
        var entry = long.Parse(System.Text.RegularExpressions.Regex.Match((await page.Locator("[data-ledger]").TextContentAsync())!, @"\d+").Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(await page.Locator("[data-proof]").IsVisibleAsync());
        Assert.False(await page.Locator("form[data-submit-form]").IsVisibleAsync());
        Assert.Empty(survivor.Errors);

        // The advocates open it, in .NET, from what the database holds.
        using var secrets = ReceiptSecrets.Derive(receipt!);
        var stored = await StoredCase.FindAsync(site.Fixture.Database.Superuser, secrets.LookupId);
        Assert.NotNull(stored);
        Assert.Equal(30, await StoredCase.KeepDaysAsync(site.Fixture.Database.Superuser, secrets.LookupId)); // the period she chose
        var headerHash = stored.Envelope.Header.ComputeHash();
        var contentKey = EnvelopeOpener.OpenContentKey(stored.Envelope, kit.Advocates[0].PrivateKey);
        Assert.Equal(contentKey, EnvelopeOpener.OpenContentKey(stored.Envelope, kit.Advocates[1].PrivateKey));
        var streams = stored.Envelope.Header.Streams;
        Assert.Equal(3, streams.Count);

        var body = JsonDocument.Parse(await stored.OpenStreamAsync(contentKey, headerHash, streams[0])).RootElement;
        Assert.Equal(1, body.GetProperty("v").GetInt32());
        Assert.Equal(narrative, body.GetProperty("narrative").GetString());
        var answers = body.GetProperty("answers");
        Assert.Equal("He cornered me after the meeting.", answers.GetProperty("what").GetString());
        Assert.Equal("year", answers.GetProperty("when").GetString());
        Assert.Equal("Beijing, at work", answers.GetProperty("where").GetString());
        Assert.Equal("My manager; he decides my contract.", answers.GetProperty("relationship").GetString());
        Assert.Equal("Nobody saw it.", answers.GetProperty("witnesses").GetString());
        var extra = body.GetProperty("extra").EnumerateArray().Select(e => (e.GetProperty("question").GetString(), e.GetProperty("answer").GetString())).ToList();
        Assert.Equal(new (string?, string?)[] { (lang == "zh" ? "哪个部门？" : "Which department?", "Sales, 3rd floor"), (lang == "zh" ? "您之前报告过吗？" : "Did you report it before?", "") }, extra);
        Assert.Equal(["talk", "legal"], answers.GetProperty("wants").EnumerateArray().Select(w => w.GetString()));
        Assert.Equal(["photo.jpg", "notes.txt"], body.GetProperty("attachments").EnumerateArray().Select(a => a.GetProperty("name").GetString()));

        var photo = await stored.OpenStreamAsync(contentKey, headerHash, streams[1]);
        Assert.Equal([0xFF, 0xD8], photo[..2]);
        Assert.Equal(-1, photo.AsSpan().IndexOf("Exif\0\0"u8));
        Assert.Equal(-1, photo.AsSpan().IndexOf(Encoding.ASCII.GetBytes(TestImages.ExifMarker)));
        Assert.Equal(-1, photo.AsSpan().IndexOf(TestImages.LatitudeBytes));
        Assert.Equal(notes, Encoding.UTF8.GetString(await stored.OpenStreamAsync(contentKey, headerHash, streams[2])));

        // Her proof of submission, saved as a file in the browser: it names the entry, never her words or code.
        var download = await page.RunAndWaitForDownloadAsync(() => page.ClickAsync("[data-proof]"));
        var proof = await File.ReadAllTextAsync((await download.PathAsync())!);
        var bundle = JsonDocument.Parse(proof).RootElement;
        Assert.EndsWith(".json", download.SuggestedFilename, StringComparison.Ordinal);
        Assert.Equal("intake-proof-v1", bundle.GetProperty("format").GetString());
        Assert.Equal(entry, bundle.GetProperty("leafIndex").GetInt64());
        Assert.DoesNotContain(marker, proof, StringComparison.Ordinal);
        Assert.DoesNotContain(receiptText, proof, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("zh")]
    [InlineData("en")]
    public async Task A_part_whose_answer_is_lost_is_not_lost_the_upload_resumes_from_its_status(string lang)
    {
        var kit = await site.CreateChannelAsync(advocates: 1);
        await using var survivor = await site.OpenAsync($"/{lang}/submit");
        var page = survivor.Page;
        var dropped = 0;
        var statusChecks = 0;
        // The first part reaches the server, but the connection drops before the answer gets back.
        await page.RouteAsync("**/api/uploads/*/parts/*", async route =>
        {
            if (Interlocked.Increment(ref dropped) == 1)
            {
                await route.FetchAsync();
                await route.AbortAsync("connectionreset");
                return;
            }
            await route.ContinueAsync();
        });
        page.Request += (_, request) => statusChecks += request.Method == "GET" && request.Url.Contains("/api/uploads/", StringComparison.Ordinal) ? 1 : 0;
        var narrative = new string('x', 1_500_000); // two parts

        await page.Locator($"input[name=channel][value='{kit.Channel}']").CheckAsync();
        await page.FillAsync("#narrative", narrative);
        await page.ClickAsync("form[data-submit-form] button[type=submit]");
        var receiptElement = page.Locator("[data-receipt]");
        await receiptElement.WaitForAsync(new LocatorWaitForOptions { State = WaitForSelectorState.Visible, Timeout = 60_000 });

        Assert.True(statusChecks >= 1);
        Assert.True(SurvivorReceipt.TryParse(await receiptElement.TextContentAsync(), out var receipt, out _));
        using var secrets = ReceiptSecrets.Derive(receipt!);
        var stored = (await StoredCase.FindAsync(site.Fixture.Database.Superuser, secrets.LookupId))!;
        var contentKey = EnvelopeOpener.OpenContentKey(stored.Envelope, kit.Advocates[0].PrivateKey);
        var body = JsonDocument.Parse(await stored.OpenStreamAsync(contentKey, stored.Envelope.Header.ComputeHash(), stored.Envelope.Header.Streams[0])).RootElement;
        Assert.Equal(narrative, body.GetProperty("narrative").GetString());
    }

    [Theory]
    [InlineData("zh")]
    [InlineData("en")]
    public async Task A_busy_or_failing_server_is_tried_again_503_then_429_and_nothing_is_lost_or_stored_twice(string lang)
    {
        var kit = await site.CreateChannelAsync(advocates: 1);
        await using var survivor = await site.OpenAsync($"/{lang}/submit");
        var page = survivor.Page;
        var answered = new List<int>();
        var stages = new List<string>();
        // The first two attempts at a part are refused without reaching Intake: a proxy's 503, then a 429 with Retry-After.
        await page.RouteAsync("**/api/uploads/*/parts/*", async route =>
        {
            var attempt = answered.Count;
            if (attempt < 2)
            {
                var status = attempt == 0 ? 503 : 429;
                answered.Add(status);
                await route.FulfillAsync(new RouteFulfillOptions
                {
                    Status = status,
                    ContentType = "application/problem+json",
                    Headers = new Dictionary<string, string> { ["Retry-After"] = "1" },
                    Body = $"{{\"status\":{status}}}",
                });
                return;
            }
            answered.Add(0);
            await route.ContinueAsync();
        });
        await page.ExposeFunctionAsync("intakeTestStage", (string text) => stages.Add(text));
        await page.EvaluateAsync("""
            () => new MutationObserver(() => window.intakeTestStage(document.querySelector('[data-stage]')?.textContent ?? ''))
                .observe(document.querySelector('[data-stage]'), { childList: true, characterData: true, subtree: true })
            """);
        var narrative = $"retry-{Guid.NewGuid():N} {new string('y', 2_000)}";

        await page.Locator($"input[name=channel][value='{kit.Channel}']").CheckAsync();
        await page.FillAsync("#narrative", narrative);
        await page.ClickAsync("form[data-submit-form] button[type=submit]");
        var receiptElement = page.Locator("[data-receipt]");
        await receiptElement.WaitForAsync(new LocatorWaitForOptions { State = WaitForSelectorState.Visible, Timeout = 90_000 });

        Assert.Equal(new[] { 503, 429 }, answered.Take(2));
        Assert.Contains(SurvivorSite.Text(lang, "Js_StageRetry"), stages);
        Assert.True(SurvivorReceipt.TryParse(await receiptElement.TextContentAsync(), out var receipt, out _));
        using var secrets = ReceiptSecrets.Derive(receipt!);
        var stored = (await StoredCase.FindAsync(site.Fixture.Database.Superuser, secrets.LookupId))!;
        var contentKey = EnvelopeOpener.OpenContentKey(stored.Envelope, kit.Advocates[0].PrivateKey);
        var body = JsonDocument.Parse(await stored.OpenStreamAsync(contentKey, stored.Envelope.Header.ComputeHash(), stored.Envelope.Header.Streams[0])).RootElement;
        Assert.Equal(narrative, body.GetProperty("narrative").GetString());
        // The browser reports the two refused requests in its console; nothing else went wrong in the page.
        Assert.All(survivor.Errors, e => Assert.Contains("Failed to load resource", e, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("zh")]
    [InlineData("en")]
    public async Task Sending_without_a_channel_or_anything_written_is_refused_in_the_page(string lang)
    {
        await site.CreateChannelAsync(advocates: 1);
        await using var survivor = await site.OpenAsync($"/{lang}/submit");
        var page = survivor.Page;
        var requests = new List<string>();
        page.Request += (_, request) => requests.Add(request.Url);
        await page.WaitForSelectorAsync("input[name=channel]", new PageWaitForSelectorOptions { State = WaitForSelectorState.Attached });

        await page.ClickAsync("form[data-submit-form] button[type=submit]");
        var error = page.Locator("[data-form-error]");
        await error.WaitForAsync();

        // Whether a single open channel was preselected decides which of the two reasons comes first.
        var text = await error.TextContentAsync();
        Assert.Contains(text, new[] { SurvivorSite.Text(lang, "Js_ErrorChannel"), SurvivorSite.Text(lang, "Js_ErrorEmpty") });
        Assert.DoesNotContain(requests, url => url.Contains("/api/uploads", StringComparison.Ordinal) || url.Contains("/submissions", StringComparison.Ordinal));
    }
}
