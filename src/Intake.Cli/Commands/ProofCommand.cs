using System.CommandLine;
using System.Globalization;
using Intake.Core.Ledger;

namespace Intake.Cli.Commands;

/// <summary>
/// <c>intake proof verify FILE [--key PUBLIC.pem]</c>: checks a proof bundle offline, with no
/// settings and no connection to the service, and says what it proves. Exit 0 if it verifies,
/// 1 if it does not, 2 if a file cannot be read.
/// </summary>
public static class ProofCommand
{
    public static Command Create(CliConsole console)
    {
        var file = new Argument<FileInfo>("file") { Description = "The proof bundle (JSON) to check." };
        var key = new Option<FileInfo?>("--key")
        {
            Description = "The service's checkpoint public key (SPKI PEM, from GET /ledger/key or published out of band). Without it, the key inside the bundle is used and flagged as unverified.",
        };
        var verify = new Command("verify", "Check a proof bundle offline and print what it proves.") { file, key };
        verify.SetAction((parse, _) => LedgerCommand.RunAsync(console, "proof verify", async () =>
        {
            var path = parse.GetValue(file)!.FullName;
            var json = LedgerSettings.ReadText(path, "the proof bundle");
            byte[]? trusted = parse.GetValue(key) is { } keyFile ? LedgerSettings.ReadPublicKey(keyFile.FullName, "--key") : null;
            var result = ProofBundleVerifier.Verify(json, trusted);
            if (!result.Ok)
            {
                await console.Out.WriteLineAsync($"FAIL: {result.Problem}");
                return 1;
            }
            var lines = new List<FormattableString>
            {
                result.KeyTrusted
                    ? (FormattableString)$"ok: entry {result.LeafIndex} is in the log \"{result.Origin}\" of {result.TreeSize} entries, as signed on {result.CheckpointDate:yyyy-MM-dd}"
                    : (FormattableString)$"unverified key: the bundle is consistent, but its checkpoint was checked only with the key inside the bundle; it proves nothing until you compare the key's fingerprint with the service's published key (or pass --key)",
                $"  entry:        {result.LeafIndex}",
                $"  kind:         {result.Kind}",
                $"  day:          {result.Day:yyyy-MM-dd}",
                $"  payload hash: {(result.PayloadHash is null ? "(none)" : Convert.ToHexStringLower(result.PayloadHash))}",
                $"  leaf hash:    {Convert.ToBase64String(result.LeafHash!)}",
                $"  origin:       {result.Origin}",
                $"  checkpoint:   tree size {result.TreeSize}, {result.CheckpointDate:yyyy-MM-dd}",
                $"  key:          {(result.KeyTrusted ? "trusted (--key)" : "UNVERIFIED (embedded in the bundle)")}, fingerprint {result.KeyFingerprint}",
            };
            foreach (var line in lines)
            {
                await console.Out.WriteLineAsync(line.ToString(CultureInfo.InvariantCulture));
            }
            return 0;
        }));
        return new Command("proof", "Proof bundles of ledger entries.") { verify };
    }
}
