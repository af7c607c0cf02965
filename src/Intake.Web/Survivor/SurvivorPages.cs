namespace Intake.Web.Survivor;

/// <summary>
/// The survivor pages (Pages/Survivor): /zh/… and /en/…, their text from Resources/SurvivorText*.resx,
/// the culture taken from the URL only (no cookie, no header except for the bare "/").
/// </summary>
public static class SurvivorPages
{
    public static IHostApplicationBuilder AddIntakeSurvivorPages(this IHostApplicationBuilder builder)
    {
        builder.Services.AddLocalization(options => options.ResourcesPath = "Resources");
        builder.Services.Configure<RouteOptions>(options => options.ConstraintMap[SurvivorLanguageConstraint.Name] = typeof(SurvivorLanguageConstraint));
        builder.Services.AddSingleton<SubresourceIntegrity>();
        builder.Services.AddScoped<Submissions.ServerSealing>();
        return builder;
    }

    /// <summary>Sets the culture from the {lang} route value, and sends "/" to /zh/ or /en/.</summary>
    public static WebApplication UseIntakeSurvivorPages(this WebApplication app)
    {
        // WebApplication routes before the first middleware it is given, so the route value is known here.
        app.Use(static (context, next) =>
        {
            if (SurvivorLanguage.FromCode(context.GetRouteValue(SurvivorLanguage.RouteKey) as string) is { } language)
            {
                System.Globalization.CultureInfo.CurrentCulture = language.Culture;
                System.Globalization.CultureInfo.CurrentUICulture = language.Culture;
            }
            return next(context);
        });
        app.MapGet("/", static (HttpRequest request) =>
            TypedResults.Redirect($"/{SurvivorLanguage.FromAcceptLanguage(request).Code}/")).ExcludeFromDescription();
        return app;
    }
}
