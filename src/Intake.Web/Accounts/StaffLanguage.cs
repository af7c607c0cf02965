using System.Globalization;

namespace Intake.Web.Accounts;

/// <summary>
/// Staff pages are English unless the query says <c>?lang=zh</c>; no cookie, no header. The
/// layout's links and forms carry the choice along.
/// </summary>
public static class StaffLanguage
{
    public const string Query = "lang";
    private static readonly CultureInfo English = CultureInfo.GetCultureInfo("en");
    private static readonly CultureInfo Chinese = CultureInfo.GetCultureInfo("zh-Hans");

    public static bool IsChinese(HttpContext context) => context.Request.Query[Query] == "zh";

    public static Task SetCultureAsync(HttpContext context, RequestDelegate next)
    {
        var culture = IsChinese(context) ? Chinese : English;
        CultureInfo.CurrentCulture = culture;
        CultureInfo.CurrentUICulture = culture;
        return next(context);
    }

    /// <summary>A staff path with the current language kept (English needs nothing).</summary>
    public static string Link(HttpContext context, string path) =>
        IsChinese(context) ? path + (path.Contains('?', StringComparison.Ordinal) ? "&" : "?") + Query + "=zh" : path;
}
