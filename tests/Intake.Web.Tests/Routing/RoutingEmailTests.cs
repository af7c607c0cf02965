using System.Net;
using Intake.Web.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Intake.Web.Tests.Routing;

[Collection(WebCollection.Name)]
public sealed class RoutingEmailTests(WebFixture fixture)
{
    [Fact]
    public async Task The_assigned_advocate_gets_an_email_that_names_no_case_no_channel_and_no_content()
    {
        await using var kit = await RoutingWebKit.CreateAsync("routing_email");
        await using var sink = new SmtpSink();
        var advocate = await kit.AdvocateAsync(email: "advocate@example.org");
        var settings = kit.Settings(fixture);
        settings["Routing:Smtp:Host"] = "127.0.0.1";
        settings["Routing:Smtp:Port"] = sink.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        settings["Routing:Smtp:From"] = "intake@example.org";
        settings["Routing:Smtp:EnableSsl"] = "false";
        await using var factory = fixture.Factory(settings);
        using var client = factory.CreateClient();
        var marker = $"MARKER-{Guid.NewGuid():N}";

        Assert.Equal(HttpStatusCode.Created, (await kit.SubmitAsync(client, $"testimony {marker}", """{"language":"zh"}""")).StatusCode);

        await RoutingWebKit.EventuallyAsync(() => Task.FromResult(sink.Messages.Count >= 1), TimeSpan.FromSeconds(60),
            () => Task.FromResult("no e-mail reached the SMTP sink"));
        var mail = Assert.Single(sink.Messages);
        Assert.Contains("advocate@example.org", mail.To[0], StringComparison.Ordinal);
        Assert.Equal(SmtpNoticeMailer.Subject, mail.Subject);
        Assert.Contains("You have a new case in Intake. Sign in to read it.", mail.Body, StringComparison.Ordinal);
        Assert.Contains("请登录阅读", mail.Body, StringComparison.Ordinal);
        await using var command = kit.App.CreateCommand("SELECT id FROM intake.cases");
        var caseId = (Guid)(await command.ExecuteScalarAsync())!;
        foreach (var text in new[] { mail.Raw, mail.Subject, mail.Body })
        {
            foreach (var secret in new[] { caseId.ToString("D"), caseId.ToString("N"), kit.Channel, "Help desk", "求助", marker, advocate.ToString("D") })
            {
                Assert.DoesNotContain(secret, text, StringComparison.OrdinalIgnoreCase);
            }
        }
        await RoutingWebKit.EventuallyAsync(async () =>
                await kit.ScalarAsync("SELECT count(*) FROM intake.staff_notifications WHERE recipient = @a AND emailed", ("a", advocate)) == 1,
            TimeSpan.FromSeconds(30), () => Task.FromResult("the notice was not marked as e-mailed"));
    }

    [Theory]
    [InlineData("Routing:ReconcileAfter", "00:00:00", "Routing:ReconcileAfter")]
    [InlineData("Routing:NotOpenedWithin", "00:10:00", "Routing:NotOpenedWithin")]
    [InlineData("Routing:Smtp:Host", "127.0.0.1", "Routing:Smtp:From")]
    public async Task Invalid_routing_settings_stop_the_start_with_a_message_naming_the_setting(string key, string value, string named)
    {
        var settings = fixture.Settings();
        settings[key] = value;
        await using var factory = fixture.Factory(settings);

        var failure = Assert.ThrowsAny<Exception>(() => factory.Services.GetRequiredService<IOptions<RoutingOptions>>().Value);

        Assert.Contains(named, failure.Message, StringComparison.Ordinal);
    }
}
