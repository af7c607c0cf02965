using Intake.Core.Crypto;
using Intake.Core.Ledger;
using Microsoft.Extensions.Configuration;
using Npgsql;

namespace Intake.Cli.Commands;

/// <summary>A setting is missing or unusable: the command stops with exit code 2 and names it.</summary>
internal sealed class SettingException(string message) : Exception(message);

/// <summary>The ledger settings shared by <c>intake ledger</c> commands, read and checked with messages that name them.</summary>
internal static class LedgerSettings
{
    public const string DefaultOrigin = "intake";

    public static string Require(IConfiguration configuration, string name) =>
        configuration[name] is { } value && !string.IsNullOrWhiteSpace(value)
            ? value
            : throw new SettingException($"{name} is not set (environment variable {EnvironmentName(name)})");

    public static string EnvironmentName(string name) => name.Replace(":", "__", StringComparison.Ordinal);

    /// <summary>Ledger:Origin, also the checkpoint key's name.</summary>
    public static string Origin(IConfiguration configuration) =>
        configuration["Ledger:Origin"] is { } origin && !string.IsNullOrWhiteSpace(origin) ? origin : DefaultOrigin;

    public static NpgsqlDataSource AppDatabase(IConfiguration configuration) => Database(configuration, "Database:App");

    /// <summary>The data source of one Database setting (Database:App, Database:Purger), or a <see cref="SettingException"/> naming it.</summary>
    public static NpgsqlDataSource Database(IConfiguration configuration, string setting)
    {
        var connectionString = Require(configuration, setting);
        try
        {
            return NpgsqlDataSource.Create(connectionString);
        }
        catch (ArgumentException ex)
        {
            throw new SettingException($"{setting} is not a valid connection string: {ex.Message}");
        }
    }

    /// <summary>
    /// The trusted checkpoint key (SPKI DER): Ledger:PublicKeyFile, or else the public half of
    /// Ledger:SigningKeyFile. Never taken from the database.
    /// </summary>
    public static byte[] TrustedPublicKey(IConfiguration configuration)
    {
        var setting = configuration["Ledger:PublicKeyFile"] is { Length: > 0 } ? "Ledger:PublicKeyFile"
            : configuration["Ledger:SigningKeyFile"] is { Length: > 0 } ? "Ledger:SigningKeyFile"
            : throw new SettingException("Ledger:PublicKeyFile is not set (environment variable Ledger__PublicKeyFile), nor is Ledger:SigningKeyFile: the checkpoint key is needed to verify the log");
        return ReadPublicKey(configuration[setting]!, setting);
    }

    /// <summary>A P-256 public key from a PEM file (public key, or private key whose public half is used).</summary>
    public static byte[] ReadPublicKey(string path, string what)
    {
        try
        {
            return ProofBundleKeys.PublicKeyFromPem(ReadText(path, what));
        }
        catch (FormatException ex)
        {
            throw new SettingException($"{what} ({path}): {ex.Message}");
        }
    }

    public static NoteVerifierKey TrustedVerifierKey(IConfiguration configuration)
    {
        var origin = Origin(configuration);
        var spki = TrustedPublicKey(configuration);
        try
        {
            return ProofBundleKeys.VerifierKey(origin, spki);
        }
        catch (FormatException ex)
        {
            throw new SettingException($"Ledger:Origin \"{origin}\" cannot name the checkpoint key: {ex.Message}");
        }
    }

    public static NoteSigner Signer(IConfiguration configuration)
    {
        var path = Require(configuration, "Ledger:SigningKeyFile");
        var origin = Origin(configuration);
        try
        {
            return ProofBundleKeys.SignerFromPem(origin, ReadText(path, "Ledger:SigningKeyFile"));
        }
        catch (FormatException ex)
        {
            throw new SettingException($"Ledger:SigningKeyFile ({path}): {ex.Message}");
        }
        catch (ArgumentException ex)
        {
            throw new SettingException($"Ledger:Origin \"{origin}\" cannot name the checkpoint key: {ex.Message}");
        }
    }

    public static string ReadText(string path, string what)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new SettingException($"cannot read {what} ({path}): {ex.Message}");
        }
    }
}
