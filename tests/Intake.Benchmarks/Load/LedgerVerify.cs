using System.Diagnostics;
using System.Security.Cryptography;
using Intake.Core.Crypto;
using Intake.Storage.Ledger;
using Npgsql;

namespace Intake.Benchmarks.Load;

/// <summary>Full verify of the benchmark log with the product's <see cref="LedgerVerifier"/>.</summary>
internal static class LedgerVerify
{
    public static async Task RunAsync(NpgsqlDataSource app, LedgerHead head)
    {
        // The benchmark log has no checkpoints, so the trusted key is never used; the verifier still needs one.
        using var key = new NoteVerifierKey("intake-benchmark", ECDsa.Create(ECCurve.NamedCurves.nistP256));
        var verifier = new LedgerVerifier(app, key);
        var timer = Stopwatch.StartNew();
        var result = await verifier.VerifyAsync();
        timer.Stop();
        Console.WriteLine($"full verify (LedgerVerifier.VerifyAsync) of {head.TreeSize:N0} entries: {timer.Elapsed.TotalSeconds:F1} s "
            + $"({result.EntriesChecked / timer.Elapsed.TotalSeconds:F0} entries/s), {result.EntriesChecked:N0} checked, "
            + (result.Ok ? "ok" : $"PROBLEM: {result.Problem}"));
    }
}
