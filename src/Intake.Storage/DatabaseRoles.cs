namespace Intake.Storage;

/// <summary>The three PostgreSQL roles of the trust model. Migrations grant rights to these names.</summary>
public static class DatabaseRoles
{
    /// <summary>Owns the schema and runs migrations (DDL). Never used by the running service.</summary>
    public const string Migrator = "intake_migrator";

    /// <summary>The service's everyday role: it cannot UPDATE or DELETE ledger rows.</summary>
    public const string App = "intake_app";

    /// <summary>The only role that may redact ledger payloads, through the purge function.</summary>
    public const string Purger = "intake_purger";
}
