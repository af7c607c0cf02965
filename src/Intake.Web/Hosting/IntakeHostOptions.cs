using System.ComponentModel.DataAnnotations;

namespace Intake.Web.Hosting;

/// <summary>What this process does. One binary scales out by running more processes of each role.</summary>
public enum HostRole
{
    /// <summary>Pages, endpoints, consumers and jobs in one process: the default for small installs.</summary>
    All,

    /// <summary>Pages and endpoints only; publishes messages but consumes none.</summary>
    Web,

    /// <summary>Consumers and scheduled jobs only; serves only /healthz.</summary>
    Worker,
}

/// <summary>Settings of the "Intake" section.</summary>
public sealed class IntakeHostOptions
{
    public const string Section = "Intake";

    [EnumDataType(typeof(HostRole))]
    public HostRole Role { get; set; } = HostRole.All;

    /// <summary>
    /// The folder of the data-protection keys that protect staff cookies and antiforgery tokens,
    /// shared by every web process that serves the same site. Empty: ASP.NET Core's default,
    /// $HOME/.aspnet/DataProtection-Keys.
    /// </summary>
    public string? DataProtectionKeys { get; set; }
}
