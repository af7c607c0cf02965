using System.Globalization;
using System.Resources;

namespace Intake.Core.Routing;

/// <summary>Staff-facing text of routing (rule explanations, waiting reasons) from RoutingText.resx and RoutingText.zh-Hans.resx.</summary>
public static class RoutingText
{
    private static readonly ResourceManager Resources = new("Intake.Core.Routing.RoutingText", typeof(RoutingText).Assembly);
    private static readonly CultureInfo English = CultureInfo.InvariantCulture;
    private static readonly CultureInfo Chinese = CultureInfo.GetCultureInfo("zh-Hans");

    public static string Get(string key, string language = "en") =>
        Resources.GetString(key, language == "zh" ? Chinese : English) ?? key;
}
