using System.Globalization;

namespace Intake.Web.Survivor;

/// <summary>
/// The two languages of the survivor pages. The language is the first URL segment (/zh/…, /en/…): no cookie
/// remembers it, and a link shared or bookmarked opens in the same language.
/// </summary>
public sealed record SurvivorLanguage(string Code, string CultureName, string ExitUrl)
{
    public static readonly SurvivorLanguage Chinese = new("zh", "zh-Hans", "https://www.baidu.com/s?wd=%E5%A4%A9%E6%B0%94");
    public static readonly SurvivorLanguage English = new("en", "en", "https://www.bing.com/search?q=weather");

    public const string RouteKey = "lang";

    public CultureInfo Culture => CultureInfo.GetCultureInfo(CultureName);

    /// <summary>The value of &lt;html lang&gt;.</summary>
    public string HtmlLang => CultureName;

    public SurvivorLanguage Other => this == Chinese ? English : Chinese;

    public static SurvivorLanguage? FromCode(string? code) => code switch
    {
        "zh" => Chinese,
        "en" => English,
        _ => null,
    };

    public static SurvivorLanguage FromRoute(HttpContext context) =>
        FromCode(context.GetRouteValue(RouteKey) as string) ?? Chinese;

    /// <summary>Chinese unless the browser prefers English to Chinese; only the bare "/" asks the header.</summary>
    public static SurvivorLanguage FromAcceptLanguage(HttpRequest request)
    {
        var preferred = request.GetTypedHeaders().AcceptLanguage
            .Where(l => l.Quality is null or > 0)
            .OrderByDescending(l => l.Quality ?? 1)
            .Select(l => l.Value.Value ?? "")
            .FirstOrDefault(l => l.StartsWith("zh", StringComparison.OrdinalIgnoreCase) || l.StartsWith("en", StringComparison.OrdinalIgnoreCase));
        return preferred is not null && preferred.StartsWith("en", StringComparison.OrdinalIgnoreCase) ? English : Chinese;
    }
}
