using Intake.Web.Hosting;

namespace Intake.Web.Tests;

/// <summary>Every kind of response carries the hardening headers, errors included.</summary>
[Collection(WebCollection.Name)]
public sealed class SecurityHeaderTests(WebFixture fixture)
{
    [Theory]
    [InlineData("GET", "/healthz")]
    [InlineData("GET", "/browser-check.html")]
    [InlineData("GET", "/js/intake.js")]
    [InlineData("GET", "/css/intake.css")]
    [InlineData("GET", "/api/channels")]
    [InlineData("GET", "/api/channels/no-such/keys")]
    [InlineData("GET", "/ledger/key")]
    [InlineData("GET", "/no-such-page")]
    [InlineData("POST", "/api/uploads")]
    [InlineData("POST", "/en/submit")]
    [InlineData("POST", "/zh/return")]
    [InlineData("POST", "/en/return?handler=proof")]
    [InlineData("POST", "/zh/return?handler=followup")]
    [InlineData("POST", "/en/return?handler=withdraw")]
    public async Task Responses_carry_the_hardening_headers(string method, string path)
    {
        await using var factory = fixture.Factory();
        using var client = factory.CreateClient();

        var response = await client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));

        string Header(string name) => string.Join(",", response.Headers.TryGetValues(name, out var v) ? v : response.Content.Headers.TryGetValues(name, out var c) ? c : []);
        Assert.Equal(SecurityHeaders.ContentSecurityPolicy, Header("Content-Security-Policy"));
        Assert.Contains("default-src 'none'", Header("Content-Security-Policy"), StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'none'", Header("Content-Security-Policy"), StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe", Header("Content-Security-Policy"), StringComparison.Ordinal);
        Assert.Equal("same-origin", Header("Cross-Origin-Opener-Policy"));
        Assert.Equal("require-corp", Header("Cross-Origin-Embedder-Policy"));
        Assert.Equal("same-origin", Header("Cross-Origin-Resource-Policy"));
        Assert.Equal("no-referrer", Header("Referrer-Policy"));
        Assert.Contains("camera=()", Header("Permissions-Policy"), StringComparison.Ordinal);
        Assert.Contains("microphone=()", Header("Permissions-Policy"), StringComparison.Ordinal);
        Assert.Contains("geolocation=()", Header("Permissions-Policy"), StringComparison.Ordinal);
        Assert.Equal("nosniff", Header("X-Content-Type-Options"));
        Assert.Equal("no-store", Header("Cache-Control"));
        Assert.False(response.Headers.Contains("Set-Cookie"));
    }
}
