using Intake.Core.Crypto;
using Intake.Storage.Ledger;
using Intake.Web.Hosting;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Intake.Web.Ledger;

/// <summary>The ledger in the host: one writer per process, the purger role's data source, checkpoints.</summary>
public static class LedgerExtensions
{
    public const string PurgerDataSource = "purger";

    public static IHostApplicationBuilder AddIntakeLedger(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<LedgerOptions>()
            .Bind(builder.Configuration.GetSection(LedgerOptions.Section))
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<LedgerOptions>, LedgerOptionsValidator>();
        builder.Services.AddSingleton(TimeProvider.System);

        builder.Services.AddKeyedSingleton(PurgerDataSource, (sp, _) =>
        {
            var options = sp.GetRequiredService<IOptions<DatabaseOptions>>().Value;
            var dataSource = new NpgsqlDataSourceBuilder(options.Purger) { Name = "intake-purger" };
            dataSource.UseLoggerFactory(sp.GetRequiredService<ILoggerFactory>());
            return dataSource.Build();
        });
        builder.Services.AddSingleton(sp => new LedgerWriter(
            sp.GetRequiredService<NpgsqlDataSource>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<LedgerWriter>>()));
        builder.Services.AddSingleton(sp => new LedgerReader(sp.GetRequiredService<NpgsqlDataSource>()));
        builder.Services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<LedgerOptions>>().Value;
            return new NoteSigner(options.Origin, LedgerOptionsValidator.LoadSigningKey(options.SigningKeyFile));
        });
        builder.Services.AddSingleton(sp => new LedgerCheckpointer(
            sp.GetRequiredService<NpgsqlDataSource>(),
            sp.GetRequiredService<NoteSigner>(),
            sp.GetRequiredService<IOptions<LedgerOptions>>().Value.Origin,
            sp.GetRequiredService<TimeProvider>()));
        builder.Services.AddSingleton(sp => new LedgerPurger(
            sp.GetRequiredService<LedgerWriter>(),
            sp.GetRequiredService<NpgsqlDataSource>(),
            sp.GetRequiredKeyedService<NpgsqlDataSource>(PurgerDataSource)));

        if (HostRoles.RunsBackgroundWork(builder.Configuration))
        {
            builder.Services.AddHostedService<CheckpointSchedule>();
        }
        return builder;
    }
}

/// <summary>
/// Signs a checkpoint every <see cref="LedgerOptions.CheckpointInterval"/> when the log has grown.
/// Several workers may run it: checkpoints are keyed by tree size, so a repeat is a no-op.
/// </summary>
internal sealed class CheckpointSchedule(
    LedgerCheckpointer checkpointer,
    LedgerReader reader,
    IOptions<LedgerOptions> options,
    ILogger<CheckpointSchedule> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.CheckpointInterval);
        do
        {
            try
            {
                var head = await reader.GetHeadAsync(stoppingToken);
                var latest = await reader.GetLatestCheckpointAsync(stoppingToken);
                if (latest is null || latest.TreeSize < head.TreeSize)
                {
                    var checkpoint = await checkpointer.CheckpointAsync(stoppingToken);
                    logger.LogInformation("Signed ledger checkpoint at tree size {TreeSize}", checkpoint.TreeSize);
                }
            }
            catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
            {
                // The next tick tries again; /healthz reports the database meanwhile.
                logger.LogWarning("Could not sign a ledger checkpoint: {Reason}", ex.Message);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
