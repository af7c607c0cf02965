using System.CommandLine;
using System.Globalization;
using Intake.Storage.Audit;
using Microsoft.Extensions.Configuration;

namespace Intake.Cli.Commands;

/// <summary>
/// <c>intake audit verify --file PATH</c>: checks an audit export (JSON or CSV, from
/// /staff/admin/audit/export) against the ledger in the database of Database:App (docs/audit.md).
/// Exit codes: 0 the export matches, 1 it does not (the first problem is printed, naming rows,
/// sequence numbers and kinds only, never a metadata value), 2 a usage error, a setting missing, or
/// a file that cannot be read or is not an audit export.
/// </summary>
public static class AuditCommand
{
    public static Command Create(IConfiguration configuration, CliConsole console) =>
        new("audit", "Check an audit export against the ledger.")
        {
            CreateVerify(configuration, console),
        };

    private static Command CreateVerify(IConfiguration configuration, CliConsole console)
    {
        var file = ExportOption("The audit export to check (JSON or CSV, as downloaded from the audit page).");
        var command = new Command("verify", "Check that every row of an audit export matches the ledger and that none is missing or repeated.") { file };
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction((parse, cancellationToken) => LedgerCommand.RunAsync(console, "audit verify", async () =>
        {
            if (await ExportPathAsync(console, "audit verify", "--file PATH", parse, file, "the audit export to check") is not { } path)
            {
                return 2;
            }
            await using var dataSource = LedgerSettings.AppDatabase(configuration);
            if (await ReadExportAsync(console, "audit verify", path, stream => new AuditExportVerifier(dataSource).VerifyAsync(stream, cancellationToken))
                is not { } report)
            {
                return 2;
            }
            if (!report.Ok)
            {
                await console.Out.WriteLineAsync($"FAIL: {report.Problem!.Reason}");
                return 1;
            }
            await console.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"ok: {report.Rows} rows of the {report.Format.ToString().ToUpperInvariant()} export match the ledger at tree size {report.TreeSize}; none is missing, changed or repeated"));
            await console.Out.WriteLineAsync("This checks the export against this database; `intake ledger verify` checks the database against its signed checkpoints.");
            return 0;
        }));
        return command;
    }

    /// <summary>
    /// The --file option of a command that reads an export. Not Required and zero-or-one value: a
    /// missing path is answered by <see cref="ExportPathAsync"/> with exit code 2, rather than by the
    /// parser's generic error (exit code 1, which means "does not match").
    /// </summary>
    /// <remarks>The command sets TreatUnmatchedTokensAsErrors to false, for the same reason.</remarks>
    internal static Option<FileInfo?> ExportOption(string description) => new("--file")
    {
        Description = description,
        Arity = ArgumentArity.ZeroOrOne,
    };

    /// <summary>The export's path, or null after one line on standard error naming the surplus argument or the missing --file.</summary>
    internal static async Task<FileInfo?> ExportPathAsync(CliConsole console, string name, string usage, ParseResult parse, Option<FileInfo?> file, string what)
    {
        if (parse.UnmatchedTokens.Count > 0)
        {
            await console.Error.WriteLineAsync($"intake {name}: unexpected argument {parse.UnmatchedTokens[0]}; usage: intake {name} {usage}");
            return null;
        }
        var path = parse.GetValue(file);
        if (path is null)
        {
            await console.Error.WriteLineAsync($"intake {name}: --file PATH is required ({what})");
        }
        return path;
    }

    /// <summary>
    /// Opens an audit export and returns what <paramref name="read"/> makes of it; a file that cannot be
    /// read or is not an audit export is one line on standard error and null (the caller exits with 2).
    /// </summary>
    internal static async Task<T?> ReadExportAsync<T>(CliConsole console, string name, FileInfo path, Func<Stream, Task<T>> read)
        where T : class
    {
        FileStream stream;
        try
        {
            stream = File.OpenRead(path.FullName);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            await console.Error.WriteLineAsync($"intake {name}: cannot read the export ({path.FullName}): {ex.Message}");
            return null;
        }
        await using (stream)
        {
            try
            {
                return await read(stream);
            }
            catch (UnreadableExportException ex)
            {
                await console.Error.WriteLineAsync($"intake {name}: {path.FullName} is not an audit export: {ex.Message}");
                return null;
            }
            catch (ArgumentException)
            {
                // A pipe or a device, e.g. <(gpg --decrypt …): the reader goes back over the file.
                await console.Error.WriteLineAsync($"intake {name}: cannot read the export ({path.FullName}): it is not a regular file; decrypt it to a file first");
                return null;
            }
            catch (IOException ex)
            {
                await console.Error.WriteLineAsync($"intake {name}: cannot read the export ({path.FullName}): {ex.Message}");
                return null;
            }
        }
    }
}
