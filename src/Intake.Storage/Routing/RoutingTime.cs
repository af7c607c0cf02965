namespace Intake.Storage.Routing;

/// <summary>Times tied to a survivor's case are kept to the hour (docs/threat-model.md).</summary>
public static class RoutingTime
{
    public static DateTimeOffset Hour(DateTimeOffset time)
    {
        var utc = time.ToUniversalTime();
        return new DateTimeOffset(utc.Year, utc.Month, utc.Day, utc.Hour, 0, 0, TimeSpan.Zero);
    }

    public static DateTimeOffset CurrentHour(TimeProvider time) => Hour(time.GetUtcNow());
}
