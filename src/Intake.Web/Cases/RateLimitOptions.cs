using System.ComponentModel.DataAnnotations;

namespace Intake.Web.Cases;

/// <summary>Settings of the "RateLimits" section. Limits count requests, never who sent them:
/// partitions are the whole service and the TCP connection, not an address.</summary>
public sealed class RateLimitOptions
{
    public const string Section = "RateLimits";

    [Range(1, 1_000_000, ErrorMessage = "RateLimits:GlobalPerSecond must be between 1 and 1,000,000.")]
    public int GlobalPerSecond { get; set; } = 500;

    [Range(1, 1_000_000, ErrorMessage = "RateLimits:PerConnectionPerMinute must be between 1 and 1,000,000.")]
    public int PerConnectionPerMinute { get; set; } = 600;

    /// <summary>Wrong receipts allowed per connection in ten minutes before lookups answer 429.</summary>
    [Range(1, 100_000, ErrorMessage = "RateLimits:FailedLookupsPerConnection must be between 1 and 100,000.")]
    public int FailedLookupsPerConnection { get; set; } = 10;

    /// <summary>Wrong receipts allowed across the whole service per minute.</summary>
    [Range(1, 1_000_000, ErrorMessage = "RateLimits:FailedLookupsPerMinute must be between 1 and 1,000,000.")]
    public int FailedLookupsPerMinute { get; set; } = 300;
}
