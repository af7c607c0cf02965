using System.CommandLine;
using Intake.Cli.Commands;
using Microsoft.Extensions.Configuration;

namespace Intake.Cli;

/// <summary>The root of the <c>intake</c> command. Settings come from environment variables
/// (<c>Database__Migrator</c>, <c>Database__App</c>, <c>RabbitMq__Host</c>, ...) or an
/// <c>intake.json</c> in the working directory, with the same names as the web host's.</summary>
public static class IntakeCommand
{
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, IConfiguration? configuration = null)
    {
        configuration ??= new ConfigurationBuilder()
            .AddJsonFile(Path.Combine(Directory.GetCurrentDirectory(), "intake.json"), optional: true)
            .AddEnvironmentVariables()
            .Build();
        var console = new CliConsole(output, error);

        var root = new RootCommand("Intake: command-line tools for operators.")
        {
            MigrateCommand.Create(configuration, console),
            DoctorCommand.Create(configuration, console),
            LedgerCommand.Create(configuration, console),
            AuditCommand.Create(configuration, console),
            ProofCommand.Create(console),
            ChannelCommand.Create(configuration, console),
            AdminCommand.Create(configuration, console),
            RetentionCommand.Create(configuration, console),
        };
        var parse = root.Parse(args);
        return await parse.InvokeAsync(new InvocationConfiguration { Output = output, Error = error });
    }
}

/// <summary>Where commands write: plain lines, no colour, so output can be read in scripts and logs.</summary>
public sealed record CliConsole(TextWriter Out, TextWriter Error);
