using System.Net;
using System.Text;
using System.Text.Json;
using Intake.Core.Crypto;
using Intake.Web.Tests.Submissions;
using Microsoft.Playwright;

namespace Intake.Web.Tests.Survivor;

/// <summary>
/// Coming back with a receipt (docs/intake-api.md, "Coming back with a receipt"): a typo is caught before any
/// request; the right code shows the case; a follow-up is sealed under the case key; withdrawal asks first, then
/// removes the case and says so calmly.
/// </summary>
[Collection(WebCollection.Name)]
public sealed class ReturnPageTests(SurvivorSite site) : IClassFixture<SurvivorSite>
{
    private async Task<(SubmissionKit Kit, SubmissionKit.Sealed Case)> SubmitAsync()
    {
        var kit = await site.CreateChannelAsync(advocates: 1);
        var sealedCase = await kit.SealAsync("{\"v\":1,\"answers\":{},\"narrative\":\"for the return test\",\"attachments\":[]}");
        using var client = site.CreateClient();
        var uploads = new List<Guid> { await SubmissionKit.UploadAsync(client, sealedCase.Streams[0]) };
        var response = await kit.SubmitAsync(client, SubmissionKit.RequestJson(sealedCase, uploads, pow: await SubmissionKit.ProofOfWorkAsync(client)));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (kit, sealedCase);
    }

    // Another spelling of the same code, as she might type it: small letters, spaces for dashes.
    private static string Retyped(SurvivorReceipt receipt) => receipt.ToString().ToLowerInvariant().Replace('-', ' ');

    [Theory]
    [InlineData("zh")]
    [InlineData("en")]
    public async Task A_typo_in_the_receipt_is_caught_before_any_request(string lang)
    {
        var (_, sealedCase) = await SubmitAsync();
        await using var survivor = await site.OpenAsync($"/{lang}/return");
        var page = survivor.Page;
        var lookups = 0;
        page.Request += (_, request) => lookups += request.Url.Contains("/api/cases/", StringComparison.Ordinal) ? 1 : 0;
        var code = sealedCase.Receipt.ToString();
        var typo = code[..^1] + (code[^1] == '0' ? '1' : '0');

        await page.FillAsync("#receipt", typo);
        await page.ClickAsync("form[data-lookup-form] button[type=submit]");
        var error = page.Locator("[data-lookup-error]");
        await error.WaitForAsync();

        Assert.Equal(SurvivorSite.Text(lang, "Js_ReceiptTypo"), await error.TextContentAsync());
        Assert.Equal("true", await page.GetAttributeAsync("#receipt", "aria-invalid"));
        Assert.Equal(0, lookups);
    }

    [Theory]
    [InlineData("zh")]
    [InlineData("en")]
    public async Task With_her_receipt_she_reads_an_advocates_reply_decrypted_in_her_browser(string lang)
    {
        var (kit, sealedCase) = await SubmitAsync();
        using var secrets = ReceiptSecrets.Derive(sealedCase.Receipt);
        var stored = (await StoredCase.FindAsync(site.Fixture.Database.Superuser, secrets.LookupId))!;
        // What the advocate's browser does: a reply envelope to the survivor's reply key and the team, its body sealed.
        var message = lang == "zh" ? $"我们读了你的陈述。{Guid.NewGuid():N}" : $"We read your account. {Guid.NewGuid():N}";
        var content = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new { v = 1, message, attachments = Array.Empty<object>() }));
        var replyKey = EnvelopeSealer.GenerateContentKey();
        var header = StreamHeader.Create(StreamPurpose.Body, content.Length);
        var reply = EnvelopeSealer.Seal(EnvelopeKind.Reply, kit.Channel, sealedCase.HeaderHash, sealedCase.Envelope.Header.ReplyPublicKey,
            [sealedCase.Envelope.Header.ReplyPublicKey, kit.Advocates[0].PublicKey], [header], replyKey);
        using var sealedBody = new MemoryStream();
        await ContentStreamSealer.SealAsync(replyKey, reply.Header.ComputeHash(), header, new MemoryStream(content), content.Length, sealedBody);
        using (var client = site.CreateClient())
        {
            await site.RecordReplyAsync(stored.CaseId, reply, await SubmissionKit.UploadAsync(client, sealedBody.ToArray()));
        }

        await using var survivor = await site.OpenAsync($"/{lang}/return");
        var page = survivor.Page;
        await page.FillAsync("#receipt", Retyped(sealedCase.Receipt));
        await page.ClickAsync("form[data-lookup-form] button[type=submit]");
        var text = page.Locator("[data-reply] .reply-text");
        await text.WaitForAsync(new LocatorWaitForOptions { Timeout = 30_000 });
        await page.WaitForFunctionAsync("() => (document.querySelector('[data-reply] .reply-text')?.textContent ?? '') !== ''");

        Assert.Equal(message, await text.TextContentAsync());
        Assert.Equal(1, await page.Locator("[data-reply]").CountAsync());
        Assert.Empty(survivor.Errors);
    }

    [Theory]
    [InlineData("zh")]
    [InlineData("en")]
    public async Task With_her_receipt_she_sees_the_case_adds_a_follow_up_and_withdraws_after_confirming(string lang)
    {
        var (_, sealedCase) = await SubmitAsync();
        await using var survivor = await site.OpenAsync($"/{lang}/return");
        var page = survivor.Page;

        await page.FillAsync("#receipt", Retyped(sealedCase.Receipt));
        await page.ClickAsync("form[data-lookup-form] button[type=submit]");
        await page.Locator("[data-case]").WaitForAsync(new LocatorWaitForOptions { Timeout = 30_000 });

        Assert.Equal(SurvivorSite.Text(lang, "Js_Status_new"), await page.Locator("[data-case-status]").TextContentAsync());
        Assert.Matches(@"^\d{4}-\d{2}-\d{2}$", await page.Locator("[data-case-opened]").TextContentAsync());
        Assert.Equal(SurvivorSite.Text(lang, "Js_RepliesNone"), await page.Locator("[data-replies]").TextContentAsync());
        Assert.Equal("", await page.InputValueAsync("#receipt"));

        // A follow-up, sealed in the browser under the case content key and the submission's header hash.
        var marker = $"follow-up-{Guid.NewGuid():N}";
        await page.FillAsync("#followup-message", marker);
        await page.ClickAsync("form[data-followup-form] button[type=submit]");
        await page.Locator("[data-followup-status]", new() { HasTextString = SurvivorSite.Text(lang, "Js_FollowUpDone") }).WaitForAsync(new LocatorWaitForOptions { Timeout = 30_000 });
        using var secrets = ReceiptSecrets.Derive(sealedCase.Receipt);
        var stored = (await StoredCase.FindAsync(site.Fixture.Database.Superuser, secrets.LookupId))!;
        var followUp = Assert.Single(await stored.FollowUpHeadersAsync());
        var message = JsonDocument.Parse(await stored.OpenStreamAsync(sealedCase.ContentKey, sealedCase.HeaderHash, followUp)).RootElement;
        Assert.Equal(marker, message.GetProperty("message").GetString());

        // Withdrawal asks first; "No" keeps everything.
        await page.ClickAsync("[data-withdraw]");
        Assert.True(await page.Locator("[data-withdraw-confirm]").IsVisibleAsync());
        await page.ClickAsync("[data-withdraw-no]");
        Assert.False(await page.Locator("[data-withdraw-confirm]").IsVisibleAsync());
        Assert.NotNull(await StoredCase.FindAsync(site.Fixture.Database.Superuser, secrets.LookupId));

        await page.ClickAsync("[data-withdraw]");
        await page.ClickAsync("[data-withdraw-yes]");
        var withdrawn = page.Locator("[data-withdrawn]");
        await withdrawn.WaitForAsync(new LocatorWaitForOptions { Timeout = 30_000 });

        Assert.Contains(SurvivorSite.Text(lang, "Return_WithdrawnTitle"), await withdrawn.TextContentAsync(), StringComparison.Ordinal);
        Assert.False(await page.Locator("[data-case]").IsVisibleAsync());
        using var client = site.CreateClient();
        var lookup = await client.PostAsync("/api/cases/lookup", new StringContent(
            JsonSerializer.Serialize(new { lookupId = Base64UrlStrict.Encode(secrets.LookupId) }), Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.NotFound, lookup.StatusCode);
        Assert.Empty(survivor.Errors);
    }
}
