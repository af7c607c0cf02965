using System.Threading.RateLimiting;
using Intake.Core.Crypto;
using Intake.Storage.Cases;
using Intake.Storage.Ledger;
using Intake.Web.Ledger;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Intake.Web.Cases;

/// <summary>Cases (lookup, follow-ups, proof, withdrawal) and the rate limits that guard the survivor API.</summary>
public static class CaseExtensions
{
    public static IHostApplicationBuilder AddIntakeCases(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<RateLimitOptions>()
            .Bind(builder.Configuration.GetSection(RateLimitOptions.Section))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton<LookupThrottle>();
        builder.Services.AddSingleton(sp => new CaseStore(
            sp.GetRequiredService<NpgsqlDataSource>(),
            sp.GetRequiredService<UploadStore>(),
            sp.GetRequiredService<LedgerWriter>(),
            sp.GetRequiredService<LedgerPurger>(),
            sp.GetRequiredKeyedService<NpgsqlDataSource>(LedgerExtensions.PurgerDataSource),
            sp.GetRequiredService<Intake.Storage.Retention.LegalHoldStore>()));
        builder.Services.AddSingleton(sp => new ProofBundleBuilder(
            sp.GetRequiredService<NpgsqlDataSource>(),
            sp.GetRequiredService<LedgerCheckpointer>(),
            sp.GetRequiredService<IOptions<LedgerOptions>>().Value.Origin,
            sp.GetRequiredService<NoteSigner>().ExportSubjectPublicKeyInfo()));

        builder.Services.AddRateLimiter(_ => { });
        builder.Services.AddOptions<RateLimiterOptions>().Configure<IOptions<RateLimitOptions>>((options, configured) =>
        {
            var limits = configured.Value;
            options.GlobalLimiter = PartitionedRateLimiter.CreateChained(
                PartitionedRateLimiter.Create<HttpContext, string>(_ => RateLimitPartition.GetTokenBucketLimiter("service", _ => new TokenBucketRateLimiterOptions
                {
                    TokenLimit = limits.GlobalPerSecond,
                    TokensPerPeriod = limits.GlobalPerSecond,
                    ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                    QueueLimit = 0,
                })),
                // The connection, not the address: Intake never looks at who is asking.
                PartitionedRateLimiter.Create<HttpContext, string>(context => RateLimitPartition.GetFixedWindowLimiter(context.Connection.Id ?? "", _ => new FixedWindowRateLimiterOptions
                {
                    PermitLimit = limits.PerConnectionPerMinute,
                    Window = TimeSpan.FromMinutes(1),
                    QueueLimit = 0,
                })));
            options.OnRejected = async (rejected, cancellationToken) =>
            {
                rejected.HttpContext.Response.StatusCode = StatusCodes.Status429TooManyRequests;
                rejected.HttpContext.Response.Headers.RetryAfter = "60";
                await rejected.HttpContext.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
                {
                    HttpContext = rejected.HttpContext,
                    ProblemDetails = new ProblemDetails
                    {
                        Status = StatusCodes.Status429TooManyRequests,
                        Title = "Too many requests",
                        Detail = "Intake is busy. Wait a minute and try again; nothing you already sent is lost.",
                    },
                });
            };
        });
        return builder;
    }
}
