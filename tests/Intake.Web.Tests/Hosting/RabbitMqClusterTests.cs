using System.Net;
using Intake.Testing;

namespace Intake.Web.Tests.Hosting;

/// <summary>
/// RabbitMq:Host may list a cluster's nodes. Two proxies on two loopback addresses, same port,
/// stand for two nodes of one cluster in front of the test broker; cutting a proxy is that node
/// going away.
/// </summary>
[Collection(WebCollection.Name)]
public sealed class RabbitMqClusterTests(WebFixture fixture)
{
    [Fact]
    public async Task Intake_starts_on_the_node_that_answers_and_moves_to_another_when_its_node_goes_away()
    {
        var (first, second) = await TcpProxy.TwoNodesAsync(TestServices.RabbitHost, TestServices.RabbitPort);
        await using var _ = first;
        await using var __ = second;
        var settings = fixture.Settings(rabbitPort: first.Port);
        settings["RabbitMq:Host"] = "127.0.0.2, 127.0.0.3";

        // The first node is down from the start: start-up and the bus use the second. It takes the TCP
        // connection and drops it, so the start-up check must go on to the next node after a failed
        // handshake, not only after a refused connect.
        first.Cut();
        await using var factory = fixture.Factory(settings);
        using var client = factory.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await HealthTests.WaitForHealthAsync(client, HttpStatusCode.OK, TimeSpan.FromSeconds(60))).Status);
        Assert.True(second.OpenConnections > 0);
        Assert.Equal(0, first.OpenConnections);

        // The first comes back and the second goes away: Intake reconnects through the first.
        first.Restore();
        second.Cut();
        Assert.True(await HealthyThroughAsync(client, first, TimeSpan.FromSeconds(90)),
            "Intake did not reconnect through the remaining node");
        Assert.Equal(0, second.OpenConnections);

        // Both gone: /healthz says so.
        first.Cut();
        Assert.Equal(HttpStatusCode.ServiceUnavailable,
            (await HealthTests.WaitForHealthAsync(client, HttpStatusCode.ServiceUnavailable, TimeSpan.FromSeconds(60))).Status);
    }

    private static async Task<bool> HealthyThroughAsync(HttpClient client, TcpProxy node, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (node.OpenConnections > 0 && (await client.GetAsync("/healthz")).StatusCode == HttpStatusCode.OK)
            {
                return true;
            }
            await Task.Delay(250);
        }
        return false;
    }
}
