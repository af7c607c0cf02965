using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Intake.Core.Crypto;
using Intake.Core.Ledger;
using Microsoft.Playwright;
using Npgsql;

namespace Intake.Web.Tests.Survivor;

/// <summary>
/// Tor Browser "Safest" (no JavaScript), end to end: the form is posted as it is, the server seals it in memory to
/// the channel's keys, she gets her receipt and proof, comes back with the receipt, adds a follow-up and withdraws.
/// What is stored opens with the advocates' private keys exactly like a browser-sealed case.
/// </summary>
[Collection(WebCollection.Name)]
public sealed class NoScriptFlowTests(SurvivorSite site) : IClassFixture<SurvivorSite>
{
    [Theory]
    [InlineData("zh")]
    [InlineData("en")]
    public async Task Without_javascript_she_submits_gets_her_receipt_and_proof_adds_a_follow_up_and_withdraws(string lang)
    {
        var kit = await site.CreateChannelAsync(advocates: 2);
        await site.SetQuestionsAsync(kit.Channel, ("Which department?", "哪个部门？"), ("Did you report it before?", "您之前报告过吗？"));
        var marker = $"nojs-{Guid.NewGuid():N}";
        var narrative = $"{marker} 那天晚上他把门锁上了。\nI did not agree.\n\nIt happened twice.";
        var attachment = RandomNumberGenerator.GetBytes(200_000); // over ASP.NET's 64 KiB in-memory form threshold
        var cookies = new List<string>();
        var documents = new List<(string CacheControl, string Policy)>();

        await using var survivor = await site.OpenAsync($"/{lang}/submit", javaScript: false);
        var page = survivor.Page;
        page.Response += (_, response) =>
        {
            if (response.Headers.TryGetValue("set-cookie", out var cookie))
            {
                cookies.Add(cookie);
            }
            if (response.Request.ResourceType == "document")
            {
                documents.Add((response.Headers.GetValueOrDefault("cache-control", ""), response.Headers.GetValueOrDefault("content-security-policy", "")));
            }
        };
        Assert.True(await page.Locator("[data-nojs-trust]").IsVisibleAsync());
        Assert.Equal(SurvivorSite.Text(lang, "Submit_NoJs"), await page.Locator("[data-nojs-trust]").TextContentAsync());
        Assert.True(await page.Locator("#files-as-is").IsVisibleAsync());

        await page.Locator($"input[name=channel][value='{kit.Channel}']").CheckAsync();
        await page.FillAsync($"#q-{kit.Channel}-1", "Sales, 3rd floor");
        Assert.Equal(lang == "zh" ? "哪个部门？" : "Which department?", await page.Locator($"label[for='q-{kit.Channel}-1']").TextContentAsync());
        await page.FillAsync("#what", $"  He cornered me after the meeting. {marker}  ");
        await page.Locator("input[name=when][value=year]").CheckAsync();
        await page.FillAsync("#where", "Beijing, at work");
        await page.FillAsync("#relationship", "My manager; he decides my contract.");
        await page.FillAsync("#witnesses", "Nobody saw it.");
        await page.Locator("input[name=wants][value=talk]").CheckAsync();
        await page.Locator("input[name=wants][value=legal]").CheckAsync();
        await page.FillAsync("#narrative", narrative);
        await page.Locator("input[name=keep][value='90']").CheckAsync();
        await page.SetInputFilesAsync("#files", new[]
        {
            new FilePayload { Name = "聊天记录.bin", MimeType = "application/octet-stream", Buffer = attachment },
        });
        await page.ClickAsync("form[data-submit-form] button[type=submit]");
        var receiptElement = page.Locator("[data-nojs-receipt]");
        await receiptElement.WaitForAsync(new LocatorWaitForOptions { Timeout = 60_000 });

        // The receipt, once, with the advice on keeping it; never in the address.
        var receiptText = (await receiptElement.TextContentAsync())!;
        Assert.Matches("^([0-9A-Z]{4}-){6}[0-9A-Z]$", receiptText);
        Assert.True(SurvivorReceipt.TryParse(receiptText, out var receipt, out _));
        Assert.DoesNotContain(receiptText, page.Url, StringComparison.Ordinal);
        var done = (await page.Locator("[data-nojs-done]").TextContentAsync())!;
        Assert.Contains(SurvivorSite.Text(lang, "Submit_ReceiptOnce"), done, StringComparison.Ordinal);
        Assert.Contains(SurvivorSite.Text(lang, "Submit_ReceiptAdvice3"), done, StringComparison.Ordinal);
        var entry = long.Parse(Regex.Match((await page.Locator("[data-nojs-ledger]").TextContentAsync())!, @"\d+").Value, System.Globalization.CultureInfo.InvariantCulture);

        // Stored exactly as a browser would have sealed it: every advocate opens the same content key.
        using var secrets = ReceiptSecrets.Derive(receipt!);
        var stored = (await StoredCase.FindAsync(site.Fixture.Database.Superuser, secrets.LookupId))!;
        Assert.Equal(90, await StoredCase.KeepDaysAsync(site.Fixture.Database.Superuser, secrets.LookupId)); // the period she chose
        var header = stored.Envelope.Header;
        Assert.Equal(kit.Channel, header.ChannelId);
        Assert.Equal(new[] { StreamPurpose.Body, StreamPurpose.Attachment }, header.Streams.Select(s => s.Purpose));
        var contentKey = EnvelopeOpener.OpenContentKey(stored.Envelope, kit.Advocates[0].PrivateKey);
        Assert.Equal(contentKey, EnvelopeOpener.OpenContentKey(stored.Envelope, kit.Advocates[1].PrivateKey));
        var headerHash = header.ComputeHash();
        var body = JsonDocument.Parse(await stored.OpenStreamAsync(contentKey, headerHash, header.Streams[0])).RootElement;
        Assert.Equal(1, body.GetProperty("v").GetInt32());
        var answers = body.GetProperty("answers");
        Assert.Equal($"He cornered me after the meeting. {marker}", answers.GetProperty("what").GetString());
        Assert.Equal("year", answers.GetProperty("when").GetString());
        Assert.Equal("Beijing, at work", answers.GetProperty("where").GetString());
        Assert.Equal("My manager; he decides my contract.", answers.GetProperty("relationship").GetString());
        Assert.Equal("Nobody saw it.", answers.GetProperty("witnesses").GetString());
        var extra = body.GetProperty("extra").EnumerateArray().Select(e => (e.GetProperty("question").GetString(), e.GetProperty("answer").GetString())).ToList();
        Assert.Equal(new (string?, string?)[] { (lang == "zh" ? "哪个部门？" : "Which department?", "Sales, 3rd floor"), (lang == "zh" ? "您之前报告过吗？" : "Did you report it before?", "") }, extra);
        Assert.Equal(new[] { "talk", "legal" }, answers.GetProperty("wants").EnumerateArray().Select(w => w.GetString()!));
        Assert.Equal(narrative, body.GetProperty("narrative").GetString());
        var listed = Assert.Single(body.GetProperty("attachments").EnumerateArray());
        Assert.Equal("聊天记录.bin", listed.GetProperty("name").GetString());
        Assert.Equal("application/octet-stream", listed.GetProperty("type").GetString());
        Assert.Equal(attachment, await stored.OpenStreamAsync(contentKey, headerHash, header.Streams[1]));
        // Her vault opens with her receipt to the same content key (what a return visit with JavaScript relies on).
        var vault = await VaultAsync(stored.CaseId);
        Assert.Equal(contentKey, ReceiptVault.Open(secrets.VaultKey, vault).ContentKey);

        // Her proof of submission: a plain form post, a file the existing verifier accepts.
        var download = await page.RunAndWaitForDownloadAsync(() => page.ClickAsync("[data-nojs-proof-form] button"));
        var proof = await File.ReadAllTextAsync((await download.PathAsync())!);
        Assert.EndsWith(".json", download.SuggestedFilename, StringComparison.Ordinal);
        var verified = ProofBundleVerifier.Verify(proof, SigningKey());
        Assert.True(verified.Ok, verified.Problem);
        Assert.True(verified.KeyTrusted);
        Assert.Equal(entry, verified.LeafIndex);
        Assert.Equal(LedgerEntryKind.Submission, verified.Kind);
        Assert.DoesNotContain(marker, proof, StringComparison.Ordinal);
        Assert.DoesNotContain(receiptText, proof, StringComparison.Ordinal);

        // Coming back, with the code typed another way.
        await page.GotoAsync($"/{lang}/return");
        Assert.True(await page.Locator("[data-nojs-trust]").IsVisibleAsync());
        await page.FillAsync("#receipt", receiptText.ToLowerInvariant().Replace('-', ' '));
        await page.ClickAsync("form[data-lookup-form] button[type=submit]");
        await page.Locator("[data-nojs-case]").WaitForAsync(new LocatorWaitForOptions { Timeout = 30_000 });
        Assert.Equal(SurvivorSite.Text(lang, "Js_Status_new"), await page.Locator("[data-nojs-case-status]").TextContentAsync());
        Assert.Matches(@"^\d{4}-\d{2}-\d{2}$", await page.Locator("[data-nojs-case-opened]").TextContentAsync());
        Assert.Equal(SurvivorSite.Text(lang, "NoScript_RepliesNeedJs"), await page.Locator("[data-nojs-replies]").TextContentAsync());
        Assert.DoesNotContain(receiptText, page.Url, StringComparison.Ordinal);

        // The proof again, from the case page.
        var again = await page.RunAndWaitForDownloadAsync(() => page.ClickAsync("[data-nojs-proof]"));
        Assert.True(ProofBundleVerifier.Verify(await File.ReadAllTextAsync((await again.PathAsync())!), SigningKey()).Ok);

        // A follow-up with a file: sealed by the server under the case content key and the submission's header hash.
        var followUpText = $"One more thing. {marker}\nHe wrote to me again.";
        var followUpFile = Encoding.UTF8.GetBytes($"screenshot text {marker}");
        await page.FillAsync("#nojs-followup-message", followUpText);
        await page.SetInputFilesAsync("#nojs-followup-files", new[] { new FilePayload { Name = "later.txt", MimeType = "text/plain", Buffer = followUpFile } });
        await page.ClickAsync("[data-nojs-followup-form] button[type=submit]");
        await page.Locator("[data-nojs-followup-done]").WaitForAsync(new LocatorWaitForOptions { Timeout = 30_000 });
        Assert.Equal(SurvivorSite.Text(lang, "Js_FollowUpCount", 2), await page.Locator("[data-nojs-followup-count]").TextContentAsync());
        var followUps = await stored.FollowUpHeadersAsync();
        Assert.Equal(2, followUps.Count);
        var opened = new List<byte[]>();
        foreach (var followUp in followUps)
        {
            opened.Add(await stored.OpenStreamAsync(contentKey, headerHash, followUp));
        }
        var message = opened.Select(o => TryJson(o)).Single(j => j is not null)!.Value;
        Assert.Equal(followUpText, message.GetProperty("message").GetString());
        Assert.Equal("later.txt", Assert.Single(message.GetProperty("attachments").EnumerateArray()).GetProperty("name").GetString());
        Assert.Contains(opened, o => o.AsSpan().SequenceEqual(followUpFile));

        // Withdrawal asks first; "No" keeps everything.
        await page.ClickAsync("[data-nojs-withdraw]");
        await page.Locator("[data-nojs-withdraw-confirm]").WaitForAsync();
        await page.ClickAsync("[data-nojs-withdraw-no]");
        await page.Locator("[data-nojs-case]").WaitForAsync();
        Assert.NotNull(await StoredCase.FindAsync(site.Fixture.Database.Superuser, secrets.LookupId));
        await page.ClickAsync("[data-nojs-withdraw]");
        await page.ClickAsync("[data-nojs-withdraw-yes]");
        var withdrawn = page.Locator("[data-nojs-withdrawn]");
        await withdrawn.WaitForAsync(new LocatorWaitForOptions { Timeout = 30_000 });
        Assert.Contains(SurvivorSite.Text(lang, "Return_WithdrawnTitle"), await withdrawn.TextContentAsync(), StringComparison.Ordinal);
        Assert.Null(await StoredCase.FindAsync(site.Fixture.Database.Superuser, secrets.LookupId));
        Assert.DoesNotContain(receiptText, await page.ContentAsync(), StringComparison.Ordinal);

        // Every page of the way (receipt, case, confirmation, withdrawn) is never stored and may post only here.
        Assert.True(documents.Count >= 6);
        Assert.All(documents, d => Assert.Equal("no-store", d.CacheControl));
        Assert.All(documents, d => Assert.Contains("form-action 'self'", d.Policy, StringComparison.Ordinal));
        Assert.Empty(cookies);
        Assert.Empty(survivor.Errors);
    }

    [Theory]
    [InlineData("zh")]
    [InlineData("en")]
    public async Task A_wrong_or_mistyped_receipt_is_refused_kindly_and_the_code_is_kept_in_the_field(string lang)
    {
        await using var survivor = await site.OpenAsync($"/{lang}/return", javaScript: false);
        var page = survivor.Page;

        var unknown = SurvivorReceipt.Generate().ToString();
        await page.FillAsync("#receipt", unknown);
        var response = await page.RunAndWaitForResponseAsync(() => page.ClickAsync("form[data-lookup-form] button[type=submit]"), r => r.Request.Method == "POST");
        Assert.Equal(404, response.Status);
        Assert.Equal(SurvivorSite.Text(lang, "Js_ReceiptNotFound"), await page.Locator("[data-lookup-error]").TextContentAsync());
        Assert.True(await page.Locator("[data-lookup-error]").IsVisibleAsync());
        Assert.Equal(unknown, await page.InputValueAsync("#receipt"));
        Assert.Equal("true", await page.GetAttributeAsync("#receipt", "aria-invalid"));
        Assert.DoesNotContain(unknown, page.Url, StringComparison.Ordinal);

        var typo = unknown[..^1] + (unknown[^1] == '0' ? '1' : '0');
        await page.FillAsync("#receipt", typo);
        await page.ClickAsync("form[data-lookup-form] button[type=submit]");
        await page.Locator("[data-lookup-error]", new() { HasTextString = SurvivorSite.Text(lang, "Js_ReceiptTypo") }).WaitForAsync();
        Assert.Equal(typo, await page.InputValueAsync("#receipt"));
    }

    [Fact]
    public async Task Wrong_receipts_are_throttled_like_the_api()
    {
        var settings = site.Fixture.Settings();
        settings["RateLimits:FailedLookupsPerConnection"] = "3";
        await using var intake = IntakeProcess.Start(settings);
        await intake.WaitUntilHealthyAsync(TimeSpan.FromSeconds(60));
        using var client = new HttpClient { BaseAddress = intake.BaseAddress };

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 5; i++)
        {
            using var form = new MultipartFormDataContent { { new StringContent(SurvivorReceipt.Generate().ToString()), "receipt" } };
            var response = await client.PostAsync("/en/return", form);
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                Assert.Contains(WebUtility.HtmlEncode(SurvivorSite.Text("en", "NoScript_ReceiptTooManyTries")), await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            }
        }
        Assert.Equal(new[] { HttpStatusCode.NotFound, HttpStatusCode.NotFound, HttpStatusCode.NotFound, HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests }, statuses);
    }

    [Theory]
    [InlineData("zh")]
    [InlineData("en")]
    public async Task An_empty_form_is_refused_in_her_language_and_nothing_is_stored(string lang)
    {
        var kit = await site.CreateChannelAsync(advocates: 1);
        var before = await CountAsync();
        await using var survivor = await site.OpenAsync($"/{lang}/submit", javaScript: false);
        var page = survivor.Page;

        // No channel chosen (two are open by now), nothing written.
        await page.FillAsync("#where", "only this");
        await page.ClickAsync("form[data-submit-form] button[type=submit]");
        await page.Locator("[data-form-error]").WaitForAsync();
        Assert.Equal(SurvivorSite.Text(lang, "Js_ErrorChannel"), await page.Locator("[data-form-error]").TextContentAsync());
        Assert.Equal("only this", await page.InputValueAsync("#where"));

        await page.Locator($"input[name=channel][value='{kit.Channel}']").CheckAsync();
        await page.ClickAsync("form[data-submit-form] button[type=submit]");
        await page.Locator("[data-form-error]", new() { HasTextString = SurvivorSite.Text(lang, "Js_ErrorEmpty") }).WaitForAsync();
        Assert.True(await page.Locator($"input[name=channel][value='{kit.Channel}']").IsCheckedAsync());
        Assert.Equal("only this", await page.InputValueAsync("#where"));
        Assert.Equal(before, await CountAsync());
    }

    [Theory]
    [InlineData("45")]
    [InlineData("0")]
    [InlineData("ninety")]
    public async Task A_period_not_offered_is_refused_kindly_with_her_words_kept_and_nothing_stored(string keep)
    {
        var kit = await site.CreateChannelAsync(advocates: 1);
        var before = await CountAsync();
        using var client = site.CreateClient();
        using var form = new MultipartFormDataContent
        {
            { new StringContent(kit.Channel), "channel" },
            { new StringContent("what happened to me"), "narrative" },
            { new StringContent(keep), "keep" },
        };
        var response = await client.PostAsync("/en/submit", form);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains(WebUtility.HtmlEncode(SurvivorSite.Text("en", "NoScript_ErrorKeep")), html, StringComparison.Ordinal);
        Assert.Contains("what happened to me", html, StringComparison.Ordinal);
        Assert.Equal(before, await CountAsync());
    }

    [Fact]
    public async Task An_unknown_channel_is_refused_and_nothing_is_stored()
    {
        var before = await CountAsync();
        using var client = site.CreateClient();
        using var form = new MultipartFormDataContent
        {
            { new StringContent("no-such-channel"), "channel" },
            { new StringContent("what happened"), "narrative" },
        };
        var response = await client.PostAsync("/en/submit", form);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains(WebUtility.HtmlEncode(SurvivorSite.Text("en", "Js_ErrorChannelGone")), html, StringComparison.Ordinal);
        Assert.Contains("what happened", html, StringComparison.Ordinal);
        Assert.False(response.Headers.Contains("Set-Cookie"));
        Assert.Equal(before, await CountAsync());
    }

    [Theory]
    [InlineData("zh")]
    [InlineData("en")]
    public async Task Oversize_attachments_and_too_many_files_are_refused_with_her_words_kept_and_nothing_stored(string lang)
    {
        var settings = site.Fixture.Settings();
        settings["Submissions:MaxTotalBytes"] = "1400000"; // 1 MiB of attachments
        await using var intake = IntakeProcess.Start(settings);
        await intake.WaitUntilHealthyAsync(TimeSpan.FromSeconds(60));
        var kit = await site.CreateChannelAsync(advocates: 1);
        var before = await CountAsync();
        await using var survivor = await site.OpenAsync($"/{lang}/submit", javaScript: false, on: intake);
        var page = survivor.Page;

        await page.Locator($"input[name=channel][value='{kit.Channel}']").CheckAsync();
        await page.FillAsync("#narrative", "what I wrote\nstays");
        await page.SetInputFilesAsync("#files", new[] { new FilePayload { Name = "big.bin", MimeType = "application/octet-stream", Buffer = new byte[1_600_000] } });
        await page.ClickAsync("form[data-submit-form] button[type=submit]");
        await page.Locator("[data-form-error]").WaitForAsync(new LocatorWaitForOptions { Timeout = 30_000 });
        Assert.Equal(SurvivorSite.Text(lang, "Js_ErrorTooLarge", "1 MiB"), await page.Locator("[data-form-error]").TextContentAsync());
        Assert.Equal("what I wrote\nstays", await page.InputValueAsync("#narrative"));
        Assert.Equal("", await page.InputValueAsync("#files"));
        Assert.True(await page.Locator($"input[name=channel][value='{kit.Channel}']").IsCheckedAsync());

        await page.SetInputFilesAsync("#files", Enumerable.Range(0, 17).Select(i => new FilePayload { Name = $"f{i}.txt", MimeType = "text/plain", Buffer = [1, 2, 3] }).ToArray());
        await page.ClickAsync("form[data-submit-form] button[type=submit]");
        await page.Locator("[data-form-error]", new() { HasTextString = SurvivorSite.Text(lang, "Js_ErrorTooMany", 16) }).WaitForAsync(new LocatorWaitForOptions { Timeout = 30_000 });
        Assert.Equal("what I wrote\nstays", await page.InputValueAsync("#narrative"));
        Assert.Equal(before, await CountAsync());
    }

    [Fact]
    public async Task A_form_that_is_not_well_formed_multipart_is_refused_kindly()
    {
        var before = await CountAsync();
        using var client = site.CreateClient();
        var content = new StringContent("--other\r\nContent-Disposition: form-data; name=\"narrative\"\r\n\r\ntext\r\n--other--\r\n");
        content.Headers.ContentType = MediaTypeHeaderValue.Parse("multipart/form-data; boundary=expected");
        var response = await client.PostAsync("/en/submit", content);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(WebUtility.HtmlEncode(SurvivorSite.Text("en", "NoScript_ErrorMalformed")), await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(before, await CountAsync());
    }

    private static JsonElement? TryJson(byte[] bytes)
    {
        try
        {
            return JsonDocument.Parse(bytes).RootElement;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private byte[] SigningKey()
    {
        using var key = ECDsa.Create();
        key.ImportFromPem(File.ReadAllText(site.Fixture.SigningKeyFile));
        return key.ExportSubjectPublicKeyInfo();
    }

    private async Task<byte[]> VaultAsync(Guid caseId)
    {
        await using var source = NpgsqlDataSource.Create(site.Fixture.Database.Superuser);
        await using var command = source.CreateCommand("SELECT vault FROM intake.case_vaults WHERE case_id = @id");
        command.Parameters.AddWithValue("id", caseId);
        return (byte[])(await command.ExecuteScalarAsync())!;
    }

    // Cases, uploads and ledger entries: a refused form adds none of them.
    private async Task<(long Cases, long Uploads, long Entries)> CountAsync()
    {
        await using var source = NpgsqlDataSource.Create(site.Fixture.Database.Superuser);
        await using var command = source.CreateCommand(
            "SELECT (SELECT count(*) FROM intake.cases), (SELECT count(*) FROM intake.uploads), (SELECT count(*) FROM intake.ledger_entries WHERE kind = @kind)");
        command.Parameters.AddWithValue("kind", (short)LedgerEntryKind.Submission);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2));
    }
}
