using BenchmarkDotNet.Running;
using Intake.Benchmarks.Load;

namespace Intake.Benchmarks;

/// <summary>
/// Entry point. Pick benchmarks with BenchmarkDotNet's filter, e.g.
/// <c>dotnet run -c Release --project tests/Intake.Benchmarks -- --filter '*'</c> for everything,
/// <c>--filter '*ContentStream*'</c> for the stream seal/open classes or <c>--list flat</c> to see the names.
/// Five load modes are not BenchmarkDotNet (they measure throughput under load and memory, not one call):
/// <c>-- ledger</c> (<see cref="LedgerLoad"/>), <c>-- intake</c> (<see cref="IntakeLoad"/>, survivor submissions end
/// to end against the Release build of Intake.Web), <c>-- routing</c> (<see cref="RoutingLoad"/>, commit to assignment
/// under intake load, with RabbitMQ's raw rate as the baseline), <c>-- purge</c> (<see cref="PurgeLoad"/>, the retention
/// job purging many due cases and the survivor intake p99 while it runs) and <c>-- browser</c> (<see cref="BrowserLoad"/>); docs/benchmarks.md
/// has the commands and the settings they read.
/// </summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        try
        {
            switch (args.FirstOrDefault())
            {
                case "ledger":
                    return await LedgerLoad.RunAsync(args[1..]);
                case "intake":
                    return await IntakeLoad.RunAsync(args[1..]);
                case "browser":
                    return await BrowserLoad.RunAsync(args[1..]);
                case "routing":
                    return await RoutingLoad.RunAsync(args[1..]);
                case "purge":
                    return await PurgeLoad.RunAsync(args[1..]);
                default:
                    BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
                    return 0;
            }
        }
        catch (LoadSetupException ex)
        {
            await Console.Error.WriteLineAsync(ex.Message);
            return 2;
        }
    }
}
