using BenchmarkDotNet.Running;

namespace Intake.Benchmarks;

/// <summary>
/// Entry point. Pick benchmarks with BenchmarkDotNet's filter, e.g.
/// <c>dotnet run -c Release --project tests/Intake.Benchmarks -- --filter '*'</c> for everything,
/// <c>--filter '*ContentStream*'</c> for the stream seal/open classes or <c>--list flat</c> to see the names.
/// </summary>
public static class Program
{
    public static void Main(string[] args) =>
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}
