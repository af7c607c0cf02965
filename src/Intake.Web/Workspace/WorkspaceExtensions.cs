using Intake.Storage.Cases;
using Intake.Storage.Ledger;
using Intake.Storage.Workspace;
using Intake.Web.Ledger;
using Npgsql;

namespace Intake.Web.Workspace;

/// <summary>Advocates' keys and case workspace: stores, API and pages.</summary>
public static class WorkspaceExtensions
{
    public static IHostApplicationBuilder AddIntakeWorkspace(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton(sp => new AdvocateKeyStore(
            sp.GetRequiredService<NpgsqlDataSource>(),
            sp.GetRequiredService<LedgerWriter>(),
            sp.GetRequiredService<ChannelDirectory>(),
            sp.GetRequiredKeyedService<NpgsqlDataSource>(LedgerExtensions.PurgerDataSource)));
        builder.Services.AddSingleton<CaseWorkspaceStore>();
        return builder;
    }
}
