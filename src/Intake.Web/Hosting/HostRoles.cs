namespace Intake.Web.Hosting;

/// <summary>What the configured role runs, read leniently at composition time (an invalid role is
/// reported by the options validation at start).</summary>
internal static class HostRoles
{
    public static bool RunsBackgroundWork(IConfiguration configuration) =>
        !Enum.TryParse<HostRole>(configuration[$"{IntakeHostOptions.Section}:Role"], ignoreCase: true, out var role)
        || role != HostRole.Web;
}
