namespace Intake.Web.Hosting;

/// <summary>
/// Headers on every response: the browser may load only Intake's own scripts and styles, run no
/// inline code, frame nothing and be framed by nothing, send no referrer, and keep nothing in its
/// cache (a shared phone must not hold her pages). Survivor pages, the API and the advocate
/// workspace share them: one policy, no page that forgot it.
/// </summary>
public static class SecurityHeaders
{
    public const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:; connect-src 'self'; " +
        "font-src 'none'; object-src 'none'; media-src 'self' blob:; worker-src 'self'; manifest-src 'none'; " +
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    public const string PermissionsPolicy =
        "accelerometer=(), ambient-light-sensor=(), autoplay=(), battery=(), bluetooth=(), camera=(), display-capture=(), " +
        "document-domain=(), encrypted-media=(), fullscreen=(), geolocation=(), gyroscope=(), hid=(), idle-detection=(), " +
        "interest-cohort=(), magnetometer=(), microphone=(), midi=(), payment=(), picture-in-picture=(), publickey-credentials-get=(self), " +
        "screen-wake-lock=(), serial=(), usb=(), web-share=(), xr-spatial-tracking=()";

    public static IApplicationBuilder UseIntakeSecurityHeaders(this IApplicationBuilder app) =>
        app.Use(static (context, next) =>
        {
            context.Response.OnStarting(static state =>
            {
                var headers = ((HttpContext)state).Response.Headers;
                headers.ContentSecurityPolicy = ContentSecurityPolicy;
                headers["Cross-Origin-Opener-Policy"] = "same-origin";
                headers["Cross-Origin-Embedder-Policy"] = "require-corp";
                headers["Cross-Origin-Resource-Policy"] = "same-origin";
                headers["Referrer-Policy"] = "no-referrer";
                headers["Permissions-Policy"] = PermissionsPolicy;
                headers.XContentTypeOptions = "nosniff";
                headers.XFrameOptions = "DENY";
                headers.CacheControl = "no-store";
                headers.Pragma = "no-cache";
                return Task.CompletedTask;
            }, context);
            return next(context);
        });
}
