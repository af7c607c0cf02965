using Microsoft.Extensions.Options;
using Npgsql;

namespace Intake.Web.Hosting;

/// <summary>Settings of the "Database" section: connection strings, one per database role.</summary>
public sealed class DatabaseOptions
{
    public const string Section = "Database";

    /// <summary>The app role's connection string (no UPDATE or DELETE on ledger tables).</summary>
    public string App { get; set; } = "";
}

internal sealed class DatabaseOptionsValidator : IValidateOptions<DatabaseOptions>
{
    public ValidateOptionsResult Validate(string? name, DatabaseOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.App))
        {
            return ValidateOptionsResult.Fail("Database:App is empty: set it to the intake_app role's PostgreSQL connection string.");
        }
        try
        {
            var parsed = new NpgsqlConnectionStringBuilder(options.App);
            if (string.IsNullOrWhiteSpace(parsed.Host))
            {
                return ValidateOptionsResult.Fail("Database:App has no Host.");
            }
        }
        catch (ArgumentException ex)
        {
            return ValidateOptionsResult.Fail($"Database:App is not a valid PostgreSQL connection string: {ex.Message}");
        }
        return ValidateOptionsResult.Success;
    }
}
