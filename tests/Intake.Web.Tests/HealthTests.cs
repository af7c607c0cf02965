using System.Net;
using System.Text.Json;
using Intake.Testing;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Intake.Web.Tests;

[Collection(WebCollection.Name)]
public sealed class HealthTests(WebFixture fixture)
{
    internal static async Task<(HttpStatusCode Status, JsonElement Body)> WaitForHealthAsync(
        HttpClient client, HttpStatusCode expected, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var response = await client.GetAsync("/healthz");
            var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
            if (response.StatusCode == expected || DateTime.UtcNow > deadline)
            {
                return (response.StatusCode, body);
            }
            await Task.Delay(250);
        }
    }

    private static string State(JsonElement body, string service) =>
        body.GetProperty("services").GetProperty(service).GetProperty("status").GetString()!;

    [Fact]
    public async Task Healthz_is_200_with_both_services_up()
    {
        await using var factory = fixture.Factory();
        using var client = factory.CreateClient();

        var (status, body) = await WaitForHealthAsync(client, HttpStatusCode.OK, TimeSpan.FromSeconds(30));

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("up", body.GetProperty("status").GetString());
        Assert.Equal("up", State(body, "postgres"));
        Assert.Equal("up", State(body, "rabbitmq"));
        Assert.Equal(2, body.GetProperty("services").EnumerateObject().Count());
    }

    [Fact]
    public async Task Healthz_is_503_and_names_PostgreSQL_when_the_database_is_cut_off()
    {
        await using var proxy = new TcpProxy(TestServices.PgHost, TestServices.PgPort);
        var settings = fixture.Settings(postgresPort: proxy.Port);
        settings["Database:App"] += ";Pooling=false";
        await using var factory = fixture.Factory(settings);
        using var client = factory.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await WaitForHealthAsync(client, HttpStatusCode.OK, TimeSpan.FromSeconds(30))).Status);

        proxy.Cut();
        var (status, body) = await WaitForHealthAsync(client, HttpStatusCode.ServiceUnavailable, TimeSpan.FromSeconds(30));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Equal("down", body.GetProperty("status").GetString());
        Assert.Equal("down", State(body, "postgres"));
        Assert.Equal("up", State(body, "rabbitmq"));

        proxy.Restore();
        Assert.Equal(HttpStatusCode.OK, (await WaitForHealthAsync(client, HttpStatusCode.OK, TimeSpan.FromSeconds(30))).Status);
    }

    [Fact]
    public async Task Healthz_is_503_and_names_RabbitMQ_when_the_broker_is_cut_off()
    {
        await using var proxy = new TcpProxy(TestServices.RabbitHost, TestServices.RabbitPort);
        await using var factory = fixture.Factory(fixture.Settings(rabbitPort: proxy.Port));
        using var client = factory.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await WaitForHealthAsync(client, HttpStatusCode.OK, TimeSpan.FromSeconds(30))).Status);

        proxy.Cut();
        var (status, body) = await WaitForHealthAsync(client, HttpStatusCode.ServiceUnavailable, TimeSpan.FromSeconds(60));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Equal("down", State(body, "rabbitmq"));
        Assert.Equal("up", State(body, "postgres"));

        proxy.Restore();
        Assert.Equal(HttpStatusCode.OK, (await WaitForHealthAsync(client, HttpStatusCode.OK, TimeSpan.FromSeconds(60))).Status);
    }

    [Fact]
    public async Task Healthz_is_never_cached()
    {
        await using var factory = fixture.Factory();
        using var client = factory.CreateClient();

        var response = await client.GetAsync("/healthz");

        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
    }
}
