namespace Intake.Core.Contracts;

/// <summary>
/// How a survivor asked for her case to be routed, as ids only: the page language ("zh" or "en"),
/// a region id and organisation ids from the lists admins keep. Nothing she typed.
/// </summary>
public sealed record RoutingHints(string? Language = null, string? Region = null, IReadOnlyList<string>? ExcludedOrganisations = null)
{
    public static readonly IReadOnlyList<string> Languages = ["zh", "en"];

    /// <summary>At most this many organisations may be excluded from one case.</summary>
    public const int MaxExclusions = 20;

    public IReadOnlyList<string> Exclusions => ExcludedOrganisations ?? [];

    public bool IsEmpty => Language is null && Region is null && Exclusions.Count == 0;

    /// <summary>Region and organisation ids: lowercase letters, digits and inner hyphens, 1 to 32 characters (like channel ids).</summary>
    public static bool IsValidListId(string? id) =>
        id is { Length: >= 1 and <= 32 }
        && id.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-')
        && id[0] != '-' && id[^1] != '-';
}
