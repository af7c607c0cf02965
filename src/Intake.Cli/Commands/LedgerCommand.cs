using System.CommandLine;
using System.Globalization;
using Intake.Storage.Ledger;
using Microsoft.Extensions.Configuration;
using Npgsql;

namespace Intake.Cli.Commands;

/// <summary>
/// <c>intake ledger verify|checkpoint|proof</c>: operator tools for the append-only ledger
/// (docs/ledger.md). Exit codes: 0 ok, 1 the ledger or database failed, 2 a setting is missing or unusable.
/// </summary>
public static class LedgerCommand
{
    public static Command Create(IConfiguration configuration, CliConsole console) =>
        new("ledger", "Verify the ledger, sign a checkpoint, or export an entry's proof bundle.")
        {
            CreateVerify(configuration, console),
            CreateCheckpoint(configuration, console),
            CreateProof(configuration, console),
        };

    private static Command CreateVerify(IConfiguration configuration, CliConsole console)
    {
        var checkpoint = new Option<FileInfo?>("--checkpoint")
        {
            Description = "A signed checkpoint saved earlier (note text): also check that the log still extends it.",
        };
        var command = new Command("verify", "Recompute the whole log from the database and report the first inconsistency.") { checkpoint };
        command.SetAction((parse, cancellationToken) => RunAsync(console, "ledger verify", async () =>
        {
            string? saved = parse.GetValue(checkpoint) is { } file ? LedgerSettings.ReadText(file.FullName, "the saved checkpoint") : null;
            using var key = LedgerSettings.TrustedVerifierKey(configuration);
            await using var dataSource = LedgerSettings.AppDatabase(configuration);
            var verifier = new LedgerVerifier(dataSource, key, LedgerSettings.Origin(configuration));
            var result = saved is null
                ? await verifier.VerifyAsync(cancellationToken)
                : await verifier.VerifyExtendsAsync(saved, cancellationToken);
            if (!result.Ok)
            {
                await console.Out.WriteLineAsync($"FAIL: {result.Problem!.Reason}");
                return 1;
            }
            var extends = saved is null ? "" : "; the log extends the saved checkpoint";
            await console.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"ok: {result.EntriesChecked} entries, {result.CheckpointsChecked} checkpoints verified{extends}"));
            await console.Out.WriteLineAsync($"root: {Convert.ToBase64String(result.RootHash)} (tree size {result.TreeSize})");
            return 0;
        }));
        return command;
    }

    private static Command CreateCheckpoint(IConfiguration configuration, CliConsole console)
    {
        var command = new Command("checkpoint", "Sign the current head of the log now and print the checkpoint note.");
        command.SetAction((_, cancellationToken) => RunAsync(console, "ledger checkpoint", async () =>
        {
            using var signer = LedgerSettings.Signer(configuration);
            await using var dataSource = LedgerSettings.AppDatabase(configuration);
            var stored = await new LedgerCheckpointer(dataSource, signer, LedgerSettings.Origin(configuration), TimeProvider.System)
                .CheckpointAsync(cancellationToken);
            await console.Out.WriteAsync(stored.Note);
            return 0;
        }));
        return command;
    }

    private static Command CreateProof(IConfiguration configuration, CliConsole console)
    {
        var seq = new Option<long>("--seq") { Description = "The entry's sequence number.", Required = true };
        var output = new Option<FileInfo?>("--out") { Description = "Write the bundle to this file (default: standard output)." };
        var command = new Command("proof", "Export an entry's proof bundle (leaf, inclusion proof, signed checkpoint), for `intake proof verify`.") { seq, output };
        command.SetAction((parse, cancellationToken) => RunAsync(console, "ledger proof", async () =>
        {
            var sequence = parse.GetValue(seq);
            using var signer = LedgerSettings.Signer(configuration);
            await using var dataSource = LedgerSettings.AppDatabase(configuration);
            var checkpointer = new LedgerCheckpointer(dataSource, signer, LedgerSettings.Origin(configuration), TimeProvider.System);
            Intake.Core.Ledger.ProofBundle bundle;
            try
            {
                bundle = await new ProofBundleBuilder(dataSource, checkpointer, signer.KeyName, signer.ExportSubjectPublicKeyInfo())
                    .BuildAsync(sequence, cancellationToken);
            }
            catch (ArgumentOutOfRangeException ex)
            {
                await console.Error.WriteLineAsync($"intake ledger proof: {FirstLine(ex.Message)}");
                return 1;
            }
            if (parse.GetValue(output) is { } file)
            {
                try
                {
                    await File.WriteAllTextAsync(file.FullName, bundle.ToJson(), cancellationToken);
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    await console.Error.WriteLineAsync($"intake ledger proof: cannot write {file.FullName}: {ex.Message}");
                    return 1;
                }
                await console.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"wrote the proof of entry {sequence} (checkpoint at tree size {bundle.TreeSize}) to {file.FullName}"));
            }
            else
            {
                await console.Out.WriteAsync(bundle.ToJson());
            }
            return 0;
        }));
        return command;
    }

    /// <summary>Runs a command body, turning setting and database failures into one line and an exit code.</summary>
    internal static async Task<int> RunAsync(CliConsole console, string name, Func<Task<int>> body)
    {
        try
        {
            return await body();
        }
        catch (SettingException ex)
        {
            await console.Error.WriteLineAsync($"intake {name}: {ex.Message}");
            return 2;
        }
        catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException or TimeoutException)
        {
            await console.Error.WriteLineAsync($"intake {name}: cannot use the database (setting Database:App): {FirstLine(ex.Message)}");
            return 1;
        }
    }

    // ArgumentOutOfRangeException appends "(Parameter ...)" and the value on further lines.
    private static string FirstLine(string message) => message.Split('\n')[0].Split(" (Parameter", 2)[0].Trim();
}
