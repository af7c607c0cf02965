using Microsoft.Extensions.Options;
using Npgsql;

namespace Intake.Web.Hosting;

/// <summary>Settings of the "Database" section: connection strings, one per database role.</summary>
public sealed class DatabaseOptions
{
    public const string Section = "Database";

    /// <summary>The app role's connection string (no UPDATE or DELETE on ledger tables).</summary>
    public string App { get; set; } = "";

    /// <summary>The purger role's connection string: the only role that may crypto-shred.</summary>
    public string Purger { get; set; } = "";
}

internal sealed class DatabaseOptionsValidator : IValidateOptions<DatabaseOptions>
{
    public ValidateOptionsResult Validate(string? name, DatabaseOptions options) =>
        Check("Database:App", options.App, "intake_app") ?? Check("Database:Purger", options.Purger, "intake_purger") ?? ValidateOptionsResult.Success;

    private static ValidateOptionsResult? Check(string setting, string value, string role)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return ValidateOptionsResult.Fail($"{setting} is empty: set it to the {role} role's PostgreSQL connection string.");
        }
        try
        {
            var parsed = new NpgsqlConnectionStringBuilder(value);
            return string.IsNullOrWhiteSpace(parsed.Host) ? ValidateOptionsResult.Fail($"{setting} has no Host.") : null;
        }
        catch (ArgumentException ex)
        {
            return ValidateOptionsResult.Fail($"{setting} is not a valid PostgreSQL connection string: {ex.Message}");
        }
    }
}
