using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace Intake.Web.Survivor;

/// <summary>
/// Subresource Integrity values (sha384) for Intake's own bundle and stylesheet, computed from the files in the web
/// root the first time a page asks and cached for the life of the process. A script or stylesheet changed on disk or
/// on the way (a cache, a proxy) after that is refused by the browser.
/// </summary>
public sealed class SubresourceIntegrity(IWebHostEnvironment environment)
{
    private readonly ConcurrentDictionary<string, string> _hashes = new(StringComparer.Ordinal);

    /// <summary>"sha384-…" for a path under wwwroot, such as "js/survivor.js".</summary>
    public string For(string webPath) => _hashes.GetOrAdd(webPath, Compute);

    private string Compute(string webPath)
    {
        var file = environment.WebRootFileProvider.GetFileInfo(webPath);
        if (!file.Exists)
        {
            throw new FileNotFoundException($"wwwroot/{webPath} is missing: `dotnet build` of Intake.Web builds the browser bundles.", webPath);
        }
        using var stream = file.CreateReadStream();
        return "sha384-" + Convert.ToBase64String(SHA384.HashData(stream));
    }
}
