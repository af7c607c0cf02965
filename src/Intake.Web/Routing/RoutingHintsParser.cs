using System.Text.Json;
using Intake.Core.Contracts;

namespace Intake.Web.Routing;

/// <summary>
/// Parses the optional <c>"routing"</c> member of a submission request strictly:
/// <c>{"language": "zh"|"en", "region": "&lt;id&gt;", "exclude": ["&lt;organisation id&gt;", ...]}</c>, every member optional.
/// Only the shape is checked here; whether the ids exist is checked against the lists before the case is stored.
/// </summary>
internal static class RoutingHintsParser
{
    private static readonly string[] Members = ["language", "region", "exclude"];

    public static RoutingHints? Parse(JsonElement element, Action<string, string> fail)
    {
        if (element.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        if (element.ValueKind != JsonValueKind.Object)
        {
            fail("routing", "Routing choices are a JSON object: {\"language\": \"zh\", \"region\": \"<id>\", \"exclude\": [\"<id>\"]}.");
            return null;
        }
        var ok = true;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var member in element.EnumerateObject())
        {
            if (!Members.Contains(member.Name, StringComparer.Ordinal) || !seen.Add(member.Name))
            {
                fail("routing", $"Unexpected or repeated member '{(member.Name.Length > 40 ? member.Name[..40] : member.Name)}'.");
                ok = false;
            }
        }
        string? language = null;
        if (element.TryGetProperty("language", out var lang) && lang.ValueKind != JsonValueKind.Null)
        {
            language = lang.ValueKind == JsonValueKind.String ? lang.GetString() : null;
            if (language is null || !RoutingHints.Languages.Contains(language))
            {
                fail("routing.language", "The language is \"zh\" or \"en\".");
                ok = false;
            }
        }
        string? region = null;
        if (element.TryGetProperty("region", out var reg) && reg.ValueKind != JsonValueKind.Null)
        {
            region = reg.ValueKind == JsonValueKind.String ? reg.GetString() : null;
            if (!RoutingHints.IsValidListId(region))
            {
                fail("routing.region", "A region id from GET /api/routing/regions.");
                ok = false;
            }
        }
        var exclude = new List<string>();
        if (element.TryGetProperty("exclude", out var list) && list.ValueKind != JsonValueKind.Null)
        {
            if (list.ValueKind != JsonValueKind.Array || list.GetArrayLength() > RoutingHints.MaxExclusions)
            {
                fail("routing.exclude", $"A list of at most {RoutingHints.MaxExclusions} organisation ids from GET /api/routing/organisations.");
                ok = false;
            }
            else
            {
                var index = 0;
                foreach (var item in list.EnumerateArray())
                {
                    var id = item.ValueKind == JsonValueKind.String ? item.GetString() : null;
                    if (!RoutingHints.IsValidListId(id) || exclude.Contains(id!, StringComparer.Ordinal))
                    {
                        fail($"routing.exclude[{index}]", "An organisation id from GET /api/routing/organisations, each at most once.");
                        ok = false;
                    }
                    else
                    {
                        exclude.Add(id!);
                    }
                    index++;
                }
            }
        }
        return ok ? new RoutingHints(language, region, exclude) : null;
    }
}
