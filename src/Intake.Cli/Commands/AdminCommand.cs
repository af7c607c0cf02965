using System.CommandLine;
using System.Globalization;
using Intake.Storage.Accounts;
using Intake.Storage.Ledger;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;

namespace Intake.Cli.Commands;

/// <summary>
/// <c>intake admin bootstrap</c>: the only way to the first admin. It prints a single-use
/// invitation link once (only its hash is stored) and refuses when an admin already exists, so
/// whoever can run it later on a live system gains nothing. The invitation is a ledger entry.
/// </summary>
public static class AdminCommand
{
    public static Command Create(IConfiguration configuration, CliConsole console)
    {
        var command = new Command("admin", "Staff accounts from the command line.");
        command.Subcommands.Add(Bootstrap(configuration, console));
        return command;
    }

    private static Command Bootstrap(IConfiguration configuration, CliConsole console)
    {
        var baseUrl = new Option<string>("--base-url")
        {
            Description = "Where staff reach Intake; the link starts with it.",
            DefaultValueFactory = _ => "http://127.0.0.1:8080",
        };
        var expires = new Option<string>("--expires")
        {
            Description = "How long the link works: e.g. 72h, 30m, 2d.",
            DefaultValueFactory = _ => "72h",
        };
        var command = new Command("bootstrap", "Print a one-time invitation link for the first admin.") { baseUrl, expires };
        command.SetAction(async (parse, cancellationToken) =>
        {
            if (!Uri.TryCreate(parse.GetValue(baseUrl), UriKind.Absolute, out var site) || site.Scheme is not ("http" or "https"))
            {
                await console.Error.WriteLineAsync("intake admin bootstrap: --base-url must be an absolute http or https URL.");
                return 2;
            }
            if (ParseLifetime(parse.GetValue(expires)) is not { } lifetime)
            {
                await console.Error.WriteLineAsync("intake admin bootstrap: --expires must be a duration between 5m and 30d, e.g. 72h.");
                return 2;
            }
            return await LedgerCommand.RunAsync(console, "admin bootstrap", async () =>
            {
                await using var dataSource = LedgerSettings.AppDatabase(configuration);
                await using var writer = new LedgerWriter(dataSource, TimeProvider.System, NullLogger<LedgerWriter>.Instance);
                try
                {
                    var invitation = await new StaffAdministration(writer, TimeProvider.System).BootstrapAsync(lifetime, cancellationToken);
                    await console.Out.WriteLineAsync("Invitation for the first admin (works once; shown only now):");
                    await console.Out.WriteLineAsync($"{site.GetLeftPart(UriPartial.Authority)}/staff/enroll/{invitation.Token}");
                    await console.Out.WriteLineAsync(
                        $"It expires {invitation.ExpiresAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)} UTC (ledger entry {invitation.LedgerSequence}).");
                    return 0;
                }
                catch (AccountActionRefusedException refused)
                {
                    await console.Error.WriteLineAsync($"intake admin bootstrap: refused. {refused.Message}");
                    return 1;
                }
            });
        });
        return command;
    }

    internal static TimeSpan? ParseLifetime(string? text)
    {
        if (string.IsNullOrWhiteSpace(text) || text.Length < 2)
        {
            return null;
        }
        if (!double.TryParse(text[..^1], NumberStyles.Float, CultureInfo.InvariantCulture, out var amount))
        {
            return null;
        }
        TimeSpan? lifetime = char.ToLowerInvariant(text[^1]) switch
        {
            'm' => TimeSpan.FromMinutes(amount),
            'h' => TimeSpan.FromHours(amount),
            'd' => TimeSpan.FromDays(amount),
            _ => null,
        };
        return lifetime >= TimeSpan.FromMinutes(5) && lifetime <= TimeSpan.FromDays(30) ? lifetime : null;
    }
}
