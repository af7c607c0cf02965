using Intake.Storage.Retention;

namespace Intake.Web.Retention;

/// <summary>Retention policies and legal holds: the stores the workspace and the admin console use.</summary>
public static class RetentionExtensions
{
    public static IHostApplicationBuilder AddIntakeRetention(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<RetentionStore>();
        builder.Services.AddSingleton<LegalHoldStore>();
        return builder;
    }
}
