extern alias cli;

using Microsoft.Extensions.Configuration;

namespace Intake.Testing;

/// <summary>Runs the <c>intake</c> command in this process, with the given settings in place of the environment.</summary>
public static class IntakeCli
{
    public static async Task<(int Exit, string Out, string Error)> RunAsync(IEnumerable<KeyValuePair<string, string?>> settings, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var exit = await cli::Intake.Cli.IntakeCommand.RunAsync(args, output, error, configuration);
        return (exit, output.ToString(), error.ToString());
    }
}
