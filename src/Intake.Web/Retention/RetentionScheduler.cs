using System.Collections.Specialized;
using System.Globalization;
using System.Text.Json;
using Intake.Web.Hosting;
using Microsoft.Extensions.Options;
using Quartz;
using Quartz.Impl;
using Quartz.Spi;

namespace Intake.Web.Retention;

/// <summary>
/// Starts Quartz.NET on a worker process with its clustered job store in PostgreSQL (schema
/// <c>quartz</c>, migration 0012) and schedules the retention job. Every worker of the cluster runs
/// one of these; Quartz's row locks make each firing run on exactly one of them, and a worker that
/// stops checking in has its running job recovered by another.
/// </summary>
public sealed class RetentionScheduler(
    IServiceProvider services, IOptions<DatabaseOptions> database, IOptions<RetentionOptions> options, ILoggerFactory loggerFactory)
    : IHostedService
{
    /// <summary>The cluster's name in Quartz's tables: the same for every worker of one Intake.</summary>
    public const string SchedulerName = "intake";

    public static readonly JobKey JobKey = new("retention", "intake");
    public static readonly TriggerKey TriggerKey = new("retention", "intake");

    private IScheduler? _scheduler;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        if (!settings.JobEnabled)
        {
            return;
        }
        Quartz.Logging.LogContext.SetCurrentLogProvider(loggerFactory);
        var factory = new StdSchedulerFactory(Properties(database.Value.App, settings));
        _scheduler = await factory.GetScheduler(cancellationToken);
        if (_scheduler.IsStarted)
        {
            // Quartz keeps schedulers by name per process: a second host here would drive the first one's database.
            throw new InvalidOperationException("A retention scheduler already runs in this process; run one Intake host per process.");
        }
        _scheduler.JobFactory = new ServiceJobFactory(services);
        var job = JobBuilder.Create<RetentionJob>()
            .WithIdentity(JobKey)
            .WithDescription("Expire legal holds, purge due cases, remind advocates (docs/retention.md)")
            .StoreDurably()
            .RequestRecovery() // a run cut short by a dead worker is run again by another (the job is idempotent)
            .Build();
        var trigger = TriggerBuilder.Create()
            .WithIdentity(TriggerKey)
            .ForJob(job)
            .WithCronSchedule(settings.Schedule, cron => cron.InTimeZone(TimeZoneInfo.Utc).WithMisfireHandlingInstructionFireAndProceed())
            .Build();
        // Every worker states the same schedule; replacing under Quartz's lock makes the last one stated the one kept.
        await _scheduler.ScheduleJob(job, [trigger], replace: true, cancellationToken);
        await _scheduler.Start(cancellationToken);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_scheduler is { } scheduler)
        {
            // A running job sees its cancellation token fire and stops between cases; whatever is left is due at the next run.
            await scheduler.Shutdown(waitForJobsToComplete: true, cancellationToken);
        }
    }

    internal static NameValueCollection Properties(string connectionString, RetentionOptions settings) => new()
    {
        ["quartz.scheduler.instanceName"] = SchedulerName,
        ["quartz.scheduler.instanceId"] = "AUTO",
        ["quartz.threadPool.maxConcurrency"] = "2",
        // Shutdown fires the running job's cancellation token (it stops between batches) instead of waiting for the whole run.
        ["quartz.scheduler.interruptJobsOnShutdownWithWait"] = "true",
        ["quartz.jobStore.type"] = "Quartz.Impl.AdoJobStore.JobStoreTX, Quartz",
        ["quartz.jobStore.driverDelegateType"] = "Quartz.Impl.AdoJobStore.PostgreSQLDelegate, Quartz",
        ["quartz.jobStore.tablePrefix"] = "quartz.qrtz_",
        ["quartz.jobStore.dataSource"] = "intake",
        ["quartz.jobStore.clustered"] = "true",
        ["quartz.jobStore.clusterCheckinInterval"] = ((long)settings.ClusterCheckinInterval.TotalMilliseconds).ToString(CultureInfo.InvariantCulture),
        ["quartz.jobStore.useProperties"] = "true",
        ["quartz.dataSource.intake.provider"] = "Npgsql",
        ["quartz.dataSource.intake.connectionString"] = connectionString,
        ["quartz.serializer.type"] = typeof(StringMapSerializer).AssemblyQualifiedName,
    };

    /// <summary>Jobs come from the host's services, so they get the same stores, clock and options as the rest of the process.</summary>
    private sealed class ServiceJobFactory(IServiceProvider services) : IJobFactory
    {
        public IJob NewJob(TriggerFiredBundle bundle, IScheduler scheduler) =>
            (IJob)ActivatorUtilities.CreateInstance(services, bundle.JobDetail.JobType);

        public void ReturnJob(IJob job)
        {
        }
    }
}

/// <summary>
/// Quartz's job data, stored as a JSON object of strings. Intake's jobs carry no data, and this
/// refuses anything but strings, so nothing but plain settings could ever be written to the job store.
/// </summary>
public sealed class StringMapSerializer : IObjectSerializer
{
    public void Initialize()
    {
    }

    public byte[] Serialize<T>(T obj) where T : class => obj switch
    {
        IDictionary<string, object> map => JsonSerializer.SerializeToUtf8Bytes(map.ToDictionary(e => e.Key, e => e.Value as string
            ?? throw new NotSupportedException($"Job data '{e.Key}' is not a string; Intake's job store keeps strings only."))),
        NameValueCollection values => JsonSerializer.SerializeToUtf8Bytes(values.AllKeys.OfType<string>().ToDictionary(k => k, k => values[k])),
        _ => throw new NotSupportedException($"Intake's job store does not store {typeof(T).Name}."),
    };

    public T DeSerialize<T>(byte[] data) where T : class
    {
        var values = JsonSerializer.Deserialize<Dictionary<string, string?>>(data) ?? [];
        if (typeof(T).IsAssignableFrom(typeof(JobDataMap)))
        {
            var map = new JobDataMap();
            foreach (var (key, value) in values)
            {
                map[key] = value!;
            }
            return (T)(object)map;
        }
        if (typeof(T).IsAssignableFrom(typeof(NameValueCollection)))
        {
            var collection = new NameValueCollection();
            foreach (var (key, value) in values)
            {
                collection[key] = value;
            }
            return (T)(object)collection;
        }
        throw new NotSupportedException($"Intake's job store does not read {typeof(T).Name}.");
    }
}
