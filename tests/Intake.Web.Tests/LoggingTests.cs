using System.Net;
using System.Net.Sockets;
using System.Text.Json;

namespace Intake.Web.Tests;

/// <summary>Logs are structured JSON and never carry who asked: no client address, no user agent.</summary>
[Collection(WebCollection.Name)]
public sealed class LoggingTests(WebFixture fixture)
{
    // Connections come from this loopback address, so its absence from the logs means something.
    private static readonly IPAddress ClientAddress = IPAddress.Parse("127.0.0.77");

    private static HttpClient ClientFrom(IPAddress source, Uri baseAddress)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (context, cancellationToken) =>
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                socket.Bind(new IPEndPoint(source, 0));
                await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            },
        };
        return new HttpClient(handler) { BaseAddress = baseAddress };
    }

    [Theory]
    [InlineData("Information")]
    [InlineData("Trace")]
    public async Task Request_logs_never_contain_the_client_address_or_user_agent(string level)
    {
        var marker = $"ua-marker-{Guid.NewGuid():N}";
        var forwarded = "198.51.100.23";
        var settings = fixture.Settings();
        settings["Logging:LogLevel:Default"] = level;
        settings["Logging:LogLevel:Microsoft.AspNetCore"] = level;
        await using var intake = IntakeProcess.Start(settings);
        await intake.WaitUntilHealthyAsync(TimeSpan.FromSeconds(60));
        using var client = ClientFrom(ClientAddress, intake.BaseAddress);
        client.DefaultRequestHeaders.UserAgent.ParseAdd(marker);
        client.DefaultRequestHeaders.Add("X-Forwarded-For", forwarded);
        client.DefaultRequestHeaders.Add("X-Real-IP", forwarded);

        foreach (var path in new[] { "healthz", "no-such-page", "js/intake.js", "healthz?x=1" })
        {
            await client.GetAsync(path);
        }
        await client.PostAsync("healthz", new StringContent("{}"));
        await intake.StopAsync();

        var output = intake.Output;
        var lines = StartupTests.Lines(output).ToList(); // throws if any line is not JSON
        Assert.Contains(lines, l => l.GetProperty("Category").GetString() == "Microsoft.Hosting.Lifetime");
        if (level == "Trace")
        {
            // At Trace the framework logs each request: the test must see them to mean anything.
            Assert.Contains("no-such-page", output, StringComparison.Ordinal);
        }
        Assert.DoesNotContain(ClientAddress.ToString(), output, StringComparison.Ordinal);
        Assert.DoesNotContain(marker, output, StringComparison.Ordinal);
        Assert.DoesNotContain(forwarded, output, StringComparison.Ordinal);
        Assert.DoesNotContain("User-Agent", output, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Log_lines_carry_no_timestamp_and_responses_do_not_name_the_server()
    {
        await using var intake = IntakeProcess.Start(fixture.Settings());
        await intake.WaitUntilHealthyAsync(TimeSpan.FromSeconds(60));
        using var client = new HttpClient { BaseAddress = intake.BaseAddress };
        var response = await client.GetAsync("healthz");
        await intake.StopAsync();

        Assert.Empty(response.Headers.Server);

        var lines = StartupTests.Lines(intake.Output).ToList();

        Assert.NotEmpty(lines);
        Assert.All(lines, l => Assert.False(l.TryGetProperty("Timestamp", out _), l.ToString()));
    }
}
