namespace Intake.Web.Accounts;

/// <summary>Where staff pages may send her back to: only our own /staff paths, never another site.</summary>
public static class StaffUrls
{
    public static bool IsLocal(string? url) =>
        url is { Length: > 0 } && url.StartsWith("/staff", StringComparison.Ordinal) && !url.StartsWith("//", StringComparison.Ordinal)
        && !url.Contains('\\', StringComparison.Ordinal) && !url.Contains("://", StringComparison.Ordinal);
}
