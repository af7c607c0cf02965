using Microsoft.Extensions.Options;
using Quartz;

namespace Intake.Web.Retention;

/// <summary>Settings of the "Retention" section: when the retention job runs and how (docs/retention.md §5).</summary>
public sealed class RetentionOptions
{
    public const string Section = "Retention";

    /// <summary>Runs the retention job on worker processes (default true). Turn off only in tests that drive it by hand.</summary>
    public bool JobEnabled { get; set; } = true;

    /// <summary>A Quartz cron expression, in UTC (default: every hour at minute 17).</summary>
    public string Schedule { get; set; } = "0 17 * * * ?";

    /// <summary>Cases purged together (default 100): their tombstones are committed together and their rows deleted in one statement.</summary>
    public int BatchSize { get; set; } = 100;

    /// <summary>A rest between batches (default 50 ms), so that survivors' submissions are not kept waiting behind a long purge.</summary>
    public TimeSpan BatchPause { get; set; } = TimeSpan.FromMilliseconds(50);

    /// <summary>The assigned advocate is reminded this many days before a purge (default 14; 0 turns reminders off).</summary>
    public int ReminderDays { get; set; } = 14;

    /// <summary>A worker that stops checking in for this long is taken for dead by the others, which recover its job (default 20 seconds).</summary>
    public TimeSpan ClusterCheckinInterval { get; set; } = TimeSpan.FromSeconds(20);
}

internal sealed class RetentionOptionsValidator : IValidateOptions<RetentionOptions>
{
    public ValidateOptionsResult Validate(string? name, RetentionOptions options)
    {
        var failures = new List<string>();
        if (!CronExpression.IsValidExpression(options.Schedule))
        {
            failures.Add("Retention:Schedule must be a Quartz cron expression, e.g. '0 17 * * * ?' (every hour at minute 17).");
        }
        if (options.BatchSize is < 1 or > 10_000)
        {
            failures.Add("Retention:BatchSize must be between 1 and 10000.");
        }
        if (options.BatchPause < TimeSpan.Zero || options.BatchPause > TimeSpan.FromSeconds(10))
        {
            failures.Add("Retention:BatchPause must be between 00:00:00 and 00:00:10.");
        }
        if (options.ReminderDays is < 0 or > 365)
        {
            failures.Add("Retention:ReminderDays must be between 0 and 365.");
        }
        if (options.ClusterCheckinInterval < TimeSpan.FromSeconds(1) || options.ClusterCheckinInterval > TimeSpan.FromMinutes(10))
        {
            failures.Add("Retention:ClusterCheckinInterval must be between 00:00:01 and 00:10:00.");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
