using System.Text.Json;
using Intake.Core.Contracts;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;

namespace Intake.Web.Tests;

[Collection(WebCollection.Name)]
public sealed class MessagingTests(WebFixture fixture)
{
    [Fact]
    public async Task A_probe_makes_the_round_trip_through_RabbitMQ_on_a_quorum_queue()
    {
        // A virtual host of its own: hosts of other tests, still shutting down, must not take the probe.
        await using var vhost = await Intake.Testing.TestVirtualHost.CreateAsync("messaging");
        var settings = fixture.Settings();
        settings["RabbitMq:VirtualHost"] = vhost.Name;
        await using var factory = fixture.Factory(settings);
        using var client = factory.CreateClient(); // starts the host and its bus
        await HealthTests.WaitForHealthAsync(client, System.Net.HttpStatusCode.OK, TimeSpan.FromSeconds(30));
        var bus = factory.Services.GetRequiredService<IBus>();
        var probe = new BusProbe(Guid.NewGuid());

        var answer = await bus.CreateRequestClient<BusProbe>(RequestTimeout.After(s: 30)).GetResponse<BusProbeAnswered>(probe);

        Assert.Equal(probe.ProbeId, answer.Message.ProbeId);
        var queue = JsonDocument.Parse(await vhost.GetJsonAsync("api/queues/{vhost}/bus-probe")).RootElement;
        Assert.Equal("quorum", queue.GetProperty("type").GetString());
        Assert.True(queue.GetProperty("durable").GetBoolean());
        Assert.True(await AnyChannelInConfirmModeAsync(vhost), "no channel of Intake's connection uses publisher confirms");
    }

    // The management API's channel list lags behind by its statistics interval (5 s by default).
    private static async Task<bool> AnyChannelInConfirmModeAsync(Intake.Testing.TestVirtualHost vhost)
    {
        for (var attempt = 0; attempt < 30; attempt++)
        {
            var channels = JsonDocument.Parse(await vhost.GetJsonAsync("api/vhosts/{vhost}/channels")).RootElement;
            if (channels.EnumerateArray().Any(c => c.TryGetProperty("confirm", out var confirm) && confirm.GetBoolean()))
            {
                return true;
            }
            await Task.Delay(500);
        }
        return false;
    }
}
