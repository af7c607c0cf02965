namespace Intake.Web.Survivor;

/// <summary>Route constraint "lang": only zh and en, so /fr/submit is a plain 404.</summary>
public sealed class SurvivorLanguageConstraint : IRouteConstraint
{
    public const string Name = "lang";

    public bool Match(HttpContext? httpContext, IRouter? route, string routeKey, RouteValueDictionary values, RouteDirection routeDirection) =>
        values.TryGetValue(routeKey, out var value) && SurvivorLanguage.FromCode(value as string) is not null;
}
