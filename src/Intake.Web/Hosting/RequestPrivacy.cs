namespace Intake.Web.Hosting;

/// <summary>
/// Forgets who is asking before any of Intake's code runs: the client address and port, the
/// user agent and every proxy header that could carry an address. What is never in memory
/// cannot be logged, stored or handed over by a later bug.
/// </summary>
public static class RequestPrivacy
{
    // Headers that name or fingerprint the client. Intake sits behind Tor or a reverse proxy
    // that it does not trust to have removed them.
    internal static readonly string[] IdentifyingHeaders =
    [
        "User-Agent", "X-Forwarded-For", "X-Real-IP", "Forwarded", "True-Client-IP", "CF-Connecting-IP",
        "X-Client-IP", "X-Cluster-Client-IP", "Fastly-Client-IP", "Via", "From", "Sec-CH-UA",
        "Sec-CH-UA-Mobile", "Sec-CH-UA-Platform", "Sec-CH-UA-Platform-Version", "Sec-CH-UA-Full-Version-List",
        "Sec-CH-UA-Model", "Sec-CH-UA-Arch", "Sec-CH-UA-Bitness",
    ];

    public static IApplicationBuilder UseIntakeRequestPrivacy(this IApplicationBuilder app) =>
        app.Use(static (context, next) =>
        {
            context.Connection.RemoteIpAddress = null;
            context.Connection.RemotePort = 0;
            foreach (var header in IdentifyingHeaders)
            {
                context.Request.Headers.Remove(header);
            }
            return next(context);
        });
}
