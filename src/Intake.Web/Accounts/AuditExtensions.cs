using Intake.Storage.Audit;
using Npgsql;

namespace Intake.Web.Accounts;

/// <summary>The audit view's store: read-only, over the app role's data source (SELECT on the ledger is all it needs).</summary>
public static class AuditExtensions
{
    public static IHostApplicationBuilder AddIntakeAudit(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton(sp => new AuditLog(sp.GetRequiredService<NpgsqlDataSource>()));
        builder.Services.AddSingleton(sp => new AuditExport(sp.GetRequiredService<NpgsqlDataSource>(), sp.GetRequiredService<TimeProvider>()));
        return builder;
    }
}
