using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.Extensions.Localization;

namespace Intake.Web.Survivor;

/// <summary>
/// The strings the browser code shows (progress, errors), taken from the same resource files as the page: every
/// resource named "Js_…", as one JSON object for &lt;script type="application/json" id="text"&gt;.
/// </summary>
public static class ClientText
{
    public const string Prefix = "Js_";

    // The default encoder escapes <, > and &, so the JSON cannot close the <script> element it sits in.
    private static readonly JsonSerializerOptions Options = new() { Encoder = JavaScriptEncoder.Default };

    public static string Json(IStringLocalizer localizer)
    {
        var strings = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var entry in localizer.GetAllStrings(includeParentCultures: true))
        {
            if (entry.Name.StartsWith(Prefix, StringComparison.Ordinal))
            {
                strings.TryAdd(entry.Name, entry.Value);
            }
        }
        return JsonSerializer.Serialize(strings, Options);
    }
}
