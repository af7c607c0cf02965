using Intake.Storage;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Intake.Web.Hosting;

/// <summary>Composition of the host: logging, options, the database and start-up checks.</summary>
public static class HostingExtensions
{
    /// <summary>
    /// Structured JSON console logs without scopes: ASP.NET's request scope carries the path and
    /// connection id, and survivor requests must leave no such trace.
    /// </summary>
    public static IHostApplicationBuilder AddIntakeLogging(this IHostApplicationBuilder builder)
    {
        builder.Logging.ClearProviders();
        builder.Logging.AddJsonConsole(options =>
        {
            options.IncludeScopes = false;
            // No timestamps from the service: survivor-related times must stay coarse, and the
            // operator's log collector stamps lines anyway.
            options.TimestampFormat = null;
        });
        return builder;
    }

    public static IHostApplicationBuilder AddIntakeHost(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<IntakeHostOptions>()
            .Bind(builder.Configuration.GetSection(IntakeHostOptions.Section))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddProblemDetails();
        builder.Services.AddSingleton<StartupChecks>();
        // Staff cookies and antiforgery tokens are protected with ASP.NET Core's data-protection
        // keys. One application name for every process and release: by default ASP.NET Core
        // isolates applications by content root, which differs between releases
        // (/opt/intake/releases/...) and would sign every advocate out at each upgrade.
        var dataProtection = builder.Services.AddDataProtection().SetApplicationName("Intake");
        if (builder.Configuration[$"{IntakeHostOptions.Section}:{nameof(IntakeHostOptions.DataProtectionKeys)}"] is { Length: > 0 } keys)
        {
            dataProtection.PersistKeysToFileSystem(new DirectoryInfo(keys));
        }
        // Say nothing about the server software to whoever asks.
        builder.Services.Configure<Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions>(options => options.AddServerHeader = false);
        return builder;
    }

    public static IHostApplicationBuilder AddIntakeDatabase(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<DatabaseOptions>()
            .Bind(builder.Configuration.GetSection(DatabaseOptions.Section))
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<DatabaseOptions>, DatabaseOptionsValidator>();
        builder.Services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<DatabaseOptions>>().Value;
            var dataSource = new NpgsqlDataSourceBuilder(options.App) { Name = "intake-app" };
            // The same few statements run for every submission; preparing them once per
            // connection spares PostgreSQL the planning (docs/benchmarks.md, survivor intake).
            if (dataSource.ConnectionStringBuilder.MaxAutoPrepare == 0)
            {
                dataSource.ConnectionStringBuilder.MaxAutoPrepare = 64;
                dataSource.ConnectionStringBuilder.AutoPrepareMinUsages = 2;
            }
            // Npgsql resets a pooled connection on every open with seven statements PostgreSQL parses each time (RESET
            // ALL, SET SESSION AUTHORIZATION DEFAULT, pg_advisory_unlock_all() and more): several per submission. Intake
            // leaves no session state behind (no SET, LISTEN, temporary tables or session-level locks: the routing
            // sweep's advisory lock is a transaction-level one), so the reset is skipped. An open transaction is
            // still rolled back when a connection returns to the pool.
            dataSource.ConnectionStringBuilder.NoResetOnClose = true;
            dataSource.UseLoggerFactory(sp.GetRequiredService<ILoggerFactory>());
            return dataSource.Build();
        });
        return builder;
    }

    /// <summary>
    /// Validates every setting and checks that PostgreSQL and RabbitMQ answer, before anything
    /// else resolves them. A failure is one log line that names the setting, and the caller
    /// exits with code 1 instead of printing a stack trace or retrying in the background.
    /// </summary>
    public static async Task<bool> PassesStartupChecksAsync(this WebApplication app)
    {
        try
        {
            _ = app.Services.GetRequiredService<IOptions<IntakeHostOptions>>().Value;
            _ = app.Services.GetRequiredService<IOptions<DatabaseOptions>>().Value;
            _ = app.Services.GetRequiredService<IOptions<RabbitMqOptions>>().Value;
            _ = app.Services.GetRequiredService<IOptions<Ledger.LedgerOptions>>().Value;
            _ = app.Services.GetRequiredService<IOptions<Submissions.SubmissionOptions>>().Value;
            _ = app.Services.GetRequiredService<IOptions<Cases.RateLimitOptions>>().Value;
            await app.Services.GetRequiredService<StartupChecks>().RunAsync(app.Lifetime.ApplicationStopping);
            return true;
        }
        catch (OptionsValidationException ex)
        {
            app.Logger.LogCritical("Intake cannot start: invalid setting: {Reason}", string.Join(" ", ex.Failures));
        }
        catch (InvalidOperationException ex) when (ex.Message.StartsWith("Failed to convert configuration value", StringComparison.Ordinal))
        {
            // The configuration binder's own message names the key, e.g. 'Intake:Role'.
            app.Logger.LogCritical("Intake cannot start: invalid setting: {Reason}", ex.Message);
        }
        catch (StartupCheckException ex)
        {
            app.Logger.LogCritical("Intake cannot start: {Reason}", ex.Message);
        }
        return false;
    }

    internal static int CurrentSchemaVersion => Migration.LatestVersion;
}
