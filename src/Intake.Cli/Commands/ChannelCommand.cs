using System.CommandLine;
using Intake.Core.Crypto;
using Intake.Storage.Cases;
using Intake.Storage.Ledger;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;

namespace Intake.Cli.Commands;

/// <summary>
/// <c>intake channel</c>: creates channels and adds advocate keys to their directory, for an
/// operator setting Intake up before the admin console does this with approvals. Each change is a
/// ledger entry, exactly as when the console makes it.
/// </summary>
public static class ChannelCommand
{
    public static Command Create(IConfiguration configuration, CliConsole console)
    {
        var command = new Command("channel", "Create channels and add advocate public keys to them.");
        command.Subcommands.Add(Add(configuration, console));
        command.Subcommands.Add(AddKey(configuration, console));
        command.Subcommands.Add(List(configuration, console));
        return command;
    }

    private static Command Add(IConfiguration configuration, CliConsole console)
    {
        var id = new Argument<string>("id") { Description = "Channel id: lowercase letters, digits and inner hyphens, e.g. campus." };
        var nameEn = new Option<string>("--name-en") { Description = "The channel's name in English.", Required = true };
        var nameZh = new Option<string>("--name-zh") { Description = "The channel's name in Simplified Chinese.", Required = true };
        var command = new Command("add", "Create a channel.") { id, nameEn, nameZh };
        command.SetAction((parse, cancellationToken) => WithDirectoryAsync(configuration, console, "channel add", async directory =>
        {
            var entry = await directory.AddChannelAsync(
                new Channel(parse.GetValue(id)!, parse.GetValue(nameEn)!, parse.GetValue(nameZh)!), "operator", cancellationToken);
            await console.Out.WriteLineAsync($"created channel {parse.GetValue(id)} (ledger entry {entry.Sequence})");
            return 0;
        }));
        return command;
    }

    private static Command AddKey(IConfiguration configuration, CliConsole console)
    {
        var id = new Argument<string>("id") { Description = "The channel." };
        var key = new Option<string>("--public-key") { Description = "The advocate's P-256 public key: base64url of the 65-byte uncompressed point.", Required = true };
        var command = new Command("add-key", "Add an advocate's public key to a channel's key directory.") { id, key };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var publicKey = Base64UrlStrict.TryDecode(parse.GetValue(key));
            if (publicKey is null)
            {
                await console.Error.WriteLineAsync("intake channel add-key: --public-key is not base64url.");
                return 2;
            }
            return await WithDirectoryAsync(configuration, console, "channel add-key", async directory =>
            {
                var entry = await directory.AddKeyAsync(parse.GetValue(id)!, publicKey, "operator", cancellationToken);
                await console.Out.WriteLineAsync($"added key {RecipientKeys.Fingerprint(publicKey)} to {parse.GetValue(id)} (ledger entry {entry.Sequence})");
                return 0;
            });
        });
        return command;
    }

    private static Command List(IConfiguration configuration, CliConsole console)
    {
        var command = new Command("list", "List open channels and the fingerprints of their current keys.");
        command.SetAction((_, cancellationToken) => WithDirectoryAsync(configuration, console, "channel list", async directory =>
        {
            foreach (var channel in await directory.ListActiveAsync(cancellationToken))
            {
                await console.Out.WriteLineAsync($"{channel.Id}\t{channel.NameEn}\t{channel.NameZh}");
                foreach (var key in await directory.CurrentKeysAsync(channel.Id, cancellationToken) ?? [])
                {
                    await console.Out.WriteLineAsync($"  {RecipientKeys.Fingerprint(key.PublicKey)}");
                }
            }
            return 0;
        }));
        return command;
    }

    // The directory on the app role's database, with a ledger writer of its own; a refused change
    // is one line and exit code 1.
    private static Task<int> WithDirectoryAsync(IConfiguration configuration, CliConsole console, string name, Func<ChannelDirectory, Task<int>> body) =>
        LedgerCommand.RunAsync(console, name, async () =>
        {
            await using var dataSource = LedgerSettings.AppDatabase(configuration);
            await using var writer = new LedgerWriter(dataSource, TimeProvider.System, NullLogger<LedgerWriter>.Instance);
            try
            {
                return await body(new ChannelDirectory(dataSource, writer));
            }
            catch (LedgerAppendException ex)
            {
                await console.Error.WriteLineAsync($"intake {name}: {ex.Message}");
                return 1;
            }
        });
}
