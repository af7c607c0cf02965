using Intake.Testing;
using Microsoft.Playwright;

namespace Intake.Web.Tests;

/// <summary>Debian's Chromium driven by Playwright; never a downloaded browser.</summary>
public static class Browser
{
    // A name that resolves to loopback but is not "localhost": not a secure context.
    public const string InsecureHost = "intake.test";

    public static async Task<(IPlaywright Playwright, IBrowser Browser)> LaunchAsync()
    {
        var executable = TestServices.Setting("INTAKE_TEST_CHROMIUM");
        if (!File.Exists(executable))
        {
            throw new InvalidOperationException($"Chromium is not installed at {executable}. Run the tests with {TestServices.TestCommand}, which installs it.");
        }
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = executable,
            Headless = true,
            Args =
            [
                "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-first-run", $"--host-resolver-rules=MAP {InsecureHost} 127.0.0.1",
            ],
        });
        return (playwright, browser);
    }
}
