using Intake.Storage.Ledger;
using Intake.Storage.Retention;
using Intake.Web.Hosting;
using Microsoft.Extensions.Options;

namespace Intake.Web.Retention;

/// <summary>Retention policies, legal holds and, on worker processes, the scheduled retention job (docs/retention.md).</summary>
public static class RetentionExtensions
{
    public static IHostApplicationBuilder AddIntakeRetention(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<RetentionStore>();
        builder.Services.AddSingleton<RetentionDashboard>();
        builder.Services.AddSingleton<LegalHoldStore>();
        builder.Services.AddOptions<RetentionOptions>()
            .Bind(builder.Configuration.GetSection(RetentionOptions.Section))
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<RetentionOptions>, RetentionOptionsValidator>();
        if (HostRoles.RunsBackgroundWork(builder.Configuration))
        {
            builder.Services.AddSingleton(sp => new RetentionPurger(
                sp.GetRequiredService<Npgsql.NpgsqlDataSource>(),
                sp.GetRequiredService<LedgerPurger>(),
                sp.GetRequiredKeyedService<Npgsql.NpgsqlDataSource>(Ledger.LedgerExtensions.PurgerDataSource),
                sp.GetRequiredService<LegalHoldStore>(),
                sp.GetRequiredService<Intake.Storage.Routing.StaffNotifications>(),
                sp.GetRequiredService<TimeProvider>()));
            builder.Services.AddHostedService<RetentionScheduler>();
        }
        return builder;
    }
}
