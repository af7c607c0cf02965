using System.Security.Cryptography;
using Microsoft.Extensions.Options;

namespace Intake.Web.Ledger;

/// <summary>Settings of the "Ledger" section.</summary>
public sealed class LedgerOptions
{
    public const string Section = "Ledger";

    /// <summary>The log's name in checkpoints and the checkpoint key's name, e.g. "intake.example.org/ledger".</summary>
    public string Origin { get; set; } = "intake";

    /// <summary>PKCS#8 PEM file with the ECDSA P-256 key that signs checkpoints.</summary>
    public string SigningKeyFile { get; set; } = "";

    /// <summary>How often a worker signs a checkpoint when the log has grown.</summary>
    public TimeSpan CheckpointInterval { get; set; } = TimeSpan.FromMinutes(10);
}

internal sealed class LedgerOptionsValidator : IValidateOptions<LedgerOptions>
{
    public ValidateOptionsResult Validate(string? name, LedgerOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.Origin) || options.Origin.Any(c => char.IsWhiteSpace(c) || char.IsControl(c) || c == '+'))
        {
            return ValidateOptionsResult.Fail("Ledger:Origin must be a non-empty name without spaces or '+'.");
        }
        if (options.CheckpointInterval < TimeSpan.FromSeconds(1))
        {
            return ValidateOptionsResult.Fail("Ledger:CheckpointInterval must be at least one second.");
        }
        if (string.IsNullOrWhiteSpace(options.SigningKeyFile))
        {
            return ValidateOptionsResult.Fail("Ledger:SigningKeyFile is empty: set it to a PKCS#8 PEM file with an ECDSA P-256 private key (openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256).");
        }
        try
        {
            using var key = LoadSigningKey(options.SigningKeyFile);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or CryptographicException or ArgumentException)
        {
            return ValidateOptionsResult.Fail($"Ledger:SigningKeyFile '{options.SigningKeyFile}' is not a readable ECDSA P-256 private key: {ex.Message}");
        }
        return ValidateOptionsResult.Success;
    }

    internal static ECDsa LoadSigningKey(string path)
    {
        var key = ECDsa.Create();
        try
        {
            key.ImportFromPem(File.ReadAllText(path));
            if (key.KeySize != 256 || key.ExportParameters(false).Curve.Oid.Value != ECCurve.NamedCurves.nistP256.Oid.Value)
            {
                throw new CryptographicException("the key is not on the P-256 curve");
            }
            return key;
        }
        catch
        {
            key.Dispose();
            throw;
        }
    }
}
