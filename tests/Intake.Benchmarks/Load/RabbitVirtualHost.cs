using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Intake.Benchmarks.Load;

/// <summary>
/// A RabbitMQ virtual host of the benchmark's own, made and deleted through the management API
/// (PUT /api/vhosts/{name}, PUT /api/permissions/{vhost}/{user}, DELETE /api/vhosts/{name}).
/// </summary>
public sealed class RabbitVirtualHost : IAsyncDisposable
{
    private readonly HttpClient _http;

    private RabbitVirtualHost(string name, HttpClient http)
    {
        Name = name;
        _http = http;
    }

    public string Name { get; }

    private string V => Uri.EscapeDataString(Name);

    public static async Task<RabbitVirtualHost> CreateAsync(RabbitSettings settings, string name)
    {
        var http = new HttpClient { BaseAddress = new Uri($"http://{settings.Host}:{settings.ManagementPort}/"), Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue(
            "Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{settings.User}:{settings.Password}")));
        var vhost = new RabbitVirtualHost(name, http);
        try
        {
            (await http.PutAsync($"api/vhosts/{vhost.V}", null)).EnsureSuccessStatusCode();
            (await http.PutAsync($"api/permissions/{vhost.V}/{Uri.EscapeDataString(settings.User)}",
                Json("""{"configure":".*","write":".*","read":".*"}"""))).EnsureSuccessStatusCode();
        }
        catch (HttpRequestException ex)
        {
            await vhost.DisposeAsync();
            throw new LoadSetupException($"The RabbitMQ management API at {http.BaseAddress} refused or is not reachable ({ex.Message}).");
        }
        Console.WriteLine($"Created RabbitMQ virtual host {name}.");
        return vhost;
    }

    /// <summary>The name of the first exchange in this virtual host whose name contains <paramref name="part"/>, or null.</summary>
    public async Task<string?> FindExchangeAsync(string part)
    {
        using var document = JsonDocument.Parse(await _http.GetStringAsync($"api/exchanges/{V}"));
        return document.RootElement.EnumerateArray()
            .Select(e => e.GetProperty("name").GetString())
            .FirstOrDefault(n => n is not null && n.Contains(part, StringComparison.Ordinal));
    }

    /// <summary>A durable quorum queue (like the product's consumer queues) bound to <paramref name="exchange"/>.</summary>
    public async Task BindQueueAsync(string queue, string exchange)
    {
        (await _http.PutAsync($"api/queues/{V}/{Uri.EscapeDataString(queue)}",
            Json("""{"durable":true,"auto_delete":false,"arguments":{"x-queue-type":"quorum"}}"""))).EnsureSuccessStatusCode();
        (await _http.PostAsync($"api/bindings/{V}/e/{Uri.EscapeDataString(exchange)}/q/{Uri.EscapeDataString(queue)}",
            Json("""{"routing_key":"","arguments":{}}"""))).EnsureSuccessStatusCode();
    }

    /// <summary>Messages in <paramref name="queue"/> as the management API reports them (its statistics lag by up to ~5 s).</summary>
    public async Task<long> QueueMessagesAsync(string queue)
    {
        using var document = JsonDocument.Parse(await _http.GetStringAsync($"api/queues/{V}/{Uri.EscapeDataString(queue)}"));
        return document.RootElement.TryGetProperty("messages", out var messages) && messages.ValueKind == JsonValueKind.Number ? messages.GetInt64() : -1;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            var response = await _http.DeleteAsync($"api/vhosts/{V}");
            if (response.StatusCode is HttpStatusCode.NoContent or HttpStatusCode.OK or HttpStatusCode.NotFound)
            {
                Console.WriteLine($"Deleted RabbitMQ virtual host {Name}.");
            }
            else
            {
                Console.WriteLine($"WARNING: deleting RabbitMQ virtual host {Name} answered {(int)response.StatusCode}; delete it by hand.");
            }
        }
        catch (HttpRequestException ex)
        {
            Console.WriteLine($"WARNING: could not delete RabbitMQ virtual host {Name} ({ex.Message}); delete it by hand.");
        }
        _http.Dispose();
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");
}
