using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace Intake.Web.Tests.Hosting;

/// <summary>
/// Staff cookies and antiforgery tokens must survive an upgrade (each release has its own folder,
/// so its own content root) and be accepted by every web process that shares the key folder.
/// </summary>
[Collection(WebCollection.Name)]
public sealed class DataProtectionTests(WebFixture fixture) : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("intake-dp-").FullName;

    [Fact]
    public async Task What_one_release_protects_another_release_sharing_the_keys_can_read()
    {
        var keys = Path.Combine(_root, "keys");
        await using var older = Release("releases/1", keys);
        await using var newer = Release("releases/2", keys);

        var cookie = Protector(older).Protect("staff session");

        Assert.Equal("staff session", Protector(newer).Unprotect(cookie));
        Assert.NotEmpty(Directory.GetFiles(keys, "key-*.xml"));
    }

    [Fact]
    public async Task Processes_with_different_key_folders_cannot_read_each_others_cookies()
    {
        await using var one = Release("releases/1", Path.Combine(_root, "keys-one"));
        await using var other = Release("releases/2", Path.Combine(_root, "keys-other"));

        var cookie = Protector(one).Protect("staff session");

        Assert.ThrowsAny<System.Security.Cryptography.CryptographicException>(() => Protector(other).Unprotect(cookie));
    }

    private Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactory<Program> Release(string folder, string keys)
    {
        var contentRoot = Directory.CreateDirectory(Path.Combine(_root, folder)).FullName;
        var settings = fixture.Settings();
        settings["Intake:DataProtectionKeys"] = keys;
        return fixture.Factory(settings).WithWebHostBuilder(builder => builder.UseContentRoot(contentRoot));
    }

    // The purpose string ASP.NET Core's cookie authentication uses for Identity's application cookie.
    private static IDataProtector Protector(Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactory<Program> release) =>
        release.Services.GetRequiredService<IDataProtectionProvider>()
            .CreateProtector("Microsoft.AspNetCore.Authentication.Cookies.CookieAuthenticationMiddleware", "Identity.Application", "v2");

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
