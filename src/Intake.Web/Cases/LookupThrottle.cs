using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace Intake.Web.Cases;

/// <summary>
/// Counts wrong receipts, per connection and across the service, so guessing receipts costs
/// time on top of the 2^120 guesses it needs. A right receipt costs nothing.
/// </summary>
public sealed class LookupThrottle : IDisposable
{
    private readonly PartitionedRateLimiter<string> _perConnection;
    private readonly RateLimiter _global;

    public LookupThrottle(IOptions<RateLimitOptions> options)
    {
        var limits = options.Value;
        _perConnection = PartitionedRateLimiter.Create<string, string>(connection =>
            RateLimitPartition.GetFixedWindowLimiter(connection, _ => new FixedWindowRateLimiterOptions
            {
                PermitLimit = limits.FailedLookupsPerConnection,
                Window = TimeSpan.FromMinutes(10),
                QueueLimit = 0,
            }));
        _global = new FixedWindowRateLimiter(new FixedWindowRateLimiterOptions
        {
            PermitLimit = limits.FailedLookupsPerMinute,
            Window = TimeSpan.FromMinutes(1),
            QueueLimit = 0,
        });
    }

    /// <summary>False when this connection, or the service, has had too many wrong receipts lately.</summary>
    public bool MayTry(string connection) =>
        _perConnection.GetStatistics(connection)?.CurrentAvailablePermits is not 0
        && _global.GetStatistics()?.CurrentAvailablePermits is not 0;

    public void RecordFailure(string connection)
    {
        using var a = _perConnection.AttemptAcquire(connection);
        using var b = _global.AttemptAcquire();
    }

    public void Dispose()
    {
        _perConnection.Dispose();
        _global.Dispose();
    }
}
