using Microsoft.Extensions.Options;

namespace Intake.Web.Routing;

/// <summary>Settings of the "Routing" section (docs/routing.md).</summary>
public sealed class RoutingOptions
{
    public const string Section = "Routing";

    /// <summary>A stored case with no assignee and not waiting is announced again after this long (default 2 minutes).</summary>
    public TimeSpan ReconcileAfter { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>How often the reconciler looks (default 30 seconds).</summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>An assignment not opened within this time is ended and the case goes to someone else (default 48 hours; compared to the hour).</summary>
    public TimeSpan NotOpenedWithin { get; set; } = TimeSpan.FromHours(48);

    /// <summary>At most this many cases of each kind per sweep.</summary>
    public int SweepBatch { get; set; } = 500;

    /// <summary>Runs the reconciler on worker processes (default true). Turn off only in tests that drive it by hand.</summary>
    public bool ReconcilerEnabled { get; set; } = true;

    public SmtpSettings Smtp { get; set; } = new();
}

/// <summary>Optional e-mail for notices ("Routing:Smtp"). Without a host, notices stay in the workspace only.</summary>
public sealed class SmtpSettings
{
    public string? Host { get; set; }
    public int Port { get; set; } = 25;
    public string? From { get; set; }
    public bool EnableSsl { get; set; } = true;
    public string? Username { get; set; }
    public string? Password { get; set; }
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(15);

    public bool Enabled => !string.IsNullOrWhiteSpace(Host);
}

internal sealed class RoutingOptionsValidator : IValidateOptions<RoutingOptions>
{
    public ValidateOptionsResult Validate(string? name, RoutingOptions options)
    {
        var failures = new List<string>();
        if (options.ReconcileAfter < TimeSpan.FromSeconds(1) || options.ReconcileAfter > TimeSpan.FromDays(1))
        {
            failures.Add("Routing:ReconcileAfter must be between 00:00:01 and 1.00:00:00.");
        }
        if (options.SweepInterval < TimeSpan.FromMilliseconds(100) || options.SweepInterval > TimeSpan.FromHours(1))
        {
            failures.Add("Routing:SweepInterval must be between 00:00:00.1 and 01:00:00.");
        }
        if (options.NotOpenedWithin < TimeSpan.FromHours(1) || options.NotOpenedWithin > TimeSpan.FromDays(60))
        {
            failures.Add("Routing:NotOpenedWithin must be between 01:00:00 and 60.00:00:00 (times are kept to the hour).");
        }
        if (options.SweepBatch is < 1 or > 100_000)
        {
            failures.Add("Routing:SweepBatch must be between 1 and 100000.");
        }
        var smtp = options.Smtp;
        if (smtp.Enabled)
        {
            if (smtp.Port is < 1 or > 65535)
            {
                failures.Add("Routing:Smtp:Port must be between 1 and 65535.");
            }
            if (string.IsNullOrWhiteSpace(smtp.From) || !System.Net.Mail.MailAddress.TryCreate(smtp.From, out _))
            {
                failures.Add("Routing:Smtp:From must be an e-mail address when Routing:Smtp:Host is set.");
            }
            if (string.IsNullOrEmpty(smtp.Username) != string.IsNullOrEmpty(smtp.Password))
            {
                failures.Add("Routing:Smtp:Username and Routing:Smtp:Password are set together or not at all.");
            }
            if (smtp.Timeout < TimeSpan.FromSeconds(1) || smtp.Timeout > TimeSpan.FromMinutes(5))
            {
                failures.Add("Routing:Smtp:Timeout must be between 00:00:01 and 00:05:00.");
            }
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
