using Intake.Storage.Retention;
using Microsoft.Extensions.Options;
using Quartz;

namespace Intake.Web.Retention;

/// <summary>
/// The retention job, run by Quartz on one worker of the cluster at a time: expire lapsed holds,
/// purge what is due, remind advocates. Idempotent, so a run recovered after a crash (Quartz
/// re-fires a job whose node died) repeats nothing that was done.
/// </summary>
[DisallowConcurrentExecution]
public sealed class RetentionJob(RetentionPurger purger, IOptions<RetentionOptions> options, ILogger<RetentionJob> logger) : IJob
{
    public async Task Execute(IJobExecutionContext context)
    {
        var settings = options.Value;
        try
        {
            var run = await purger.RunAsync(new RetentionRunSettings(settings.BatchSize, settings.ReminderDays, settings.BatchPause), context.CancellationToken);
            if (run.Failed > 0)
            {
                logger.LogWarning("Retention run: {Purged} cases purged, {Failed} could not be purged and stay due, {HoldsExpired} holds expired, {Reminded} reminders",
                    run.Purged, run.Failed, run.HoldsExpired, run.Reminded);
            }
            else
            {
                logger.LogInformation("Retention run: {Purged} cases purged, {HoldsExpired} holds expired, {Reminded} reminders",
                    run.Purged, run.HoldsExpired, run.Reminded);
            }
        }
        catch (OperationCanceledException) when (context.CancellationToken.IsCancellationRequested)
        {
            logger.LogInformation("Retention run stopped by shutdown; the next run continues where it stopped");
        }
        catch (Exception e) when (e is Npgsql.NpgsqlException or Intake.Storage.Ledger.LedgerAppendException)
        {
            // Logged without the exception's text, which can carry a case id; the next run repeats the work.
            logger.LogError("Retention run failed ({Error}); the next run continues where it stopped", e.GetType().Name);
            throw new JobExecutionException(new InvalidOperationException(e.GetType().Name), refireImmediately: false);
        }
    }
}
