using Intake.Storage.Accounts;
using Intake.Storage.Ledger;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Intake.Web.Accounts;

/// <summary>
/// Staff accounts: ASP.NET Core Identity on EF Core (schema "accounts"), invitation-only
/// enrolment, mandatory TOTP, session cookies that are __Host-, Secure, HttpOnly, SameSite=Strict
/// and session-only, and the <see cref="StaffPolicies"/>. Survivor pages never see a cookie from
/// this: nothing here writes one outside /staff.
/// </summary>
public static class AccountsExtensions
{
    public const string SessionCookie = "__Host-intake-staff";
    public const string TwoFactorCookie = "__Host-intake-2fa";
    public const string AntiforgeryCookie = "__Host-intake-af";

    public static IHostApplicationBuilder AddIntakeAccounts(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<AccountsOptions>()
            .Bind(builder.Configuration.GetSection(AccountsOptions.Section))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        // EF Core logs every command at Information; the SQL carries no secrets, but staff requests
        // leave no such trail either.
        builder.Logging.AddFilter("Microsoft.EntityFrameworkCore", LogLevel.Warning);

        services.AddDbContext<AccountsDbContext>((sp, options) => options.UseNpgsql(sp.GetRequiredService<NpgsqlDataSource>()));
        services.AddHttpContextAccessor();
        services.AddIdentityCore<StaffUser>()
            .AddRoles<IdentityRole<Guid>>()
            .AddEntityFrameworkStores<AccountsDbContext>()
            .AddSignInManager()
            .AddTokenProvider<ReplayRefusingAuthenticatorProvider>(TokenOptions.DefaultAuthenticatorProvider);
        services.AddOptions<IdentityOptions>().Configure<IOptions<AccountsOptions>>((identity, accounts) => ApplyPolicy(identity, accounts.Value));
        services.AddScoped<TotpVerifier>();
        services.AddScoped<StaffSignIn>();
        services.AddScoped(sp => new StaffAdministration(sp.GetRequiredService<LedgerWriter>(), sp.GetRequiredService<TimeProvider>()));

        services.AddAuthentication(IdentityConstants.ApplicationScheme).AddIdentityCookies();
        services.AddOptions<Microsoft.AspNetCore.Authentication.Cookies.CookieAuthenticationOptions>(IdentityConstants.ApplicationScheme)
            .Configure<IOptions<AccountsOptions>>((cookie, accounts) =>
            {
                StrictCookie(cookie.Cookie, SessionCookie);
                cookie.ExpireTimeSpan = accounts.Value.IdleTimeout;
                cookie.SlidingExpiration = true;
                cookie.LoginPath = "/staff/sign-in";
                cookie.LogoutPath = "/staff/sign-out";
                cookie.AccessDeniedPath = "/staff/denied";
                cookie.ReturnUrlParameter = "returnUrl";
                // The workspace API answers with a status, never a redirect to a page.
                cookie.Events.OnRedirectToLogin = context => ApiStatusOrRedirect(context, StatusCodes.Status401Unauthorized);
                cookie.Events.OnRedirectToAccessDenied = context => ApiStatusOrRedirect(context, StatusCodes.Status403Forbidden);
            });
        services.Configure<Microsoft.AspNetCore.Authentication.Cookies.CookieAuthenticationOptions>(IdentityConstants.TwoFactorUserIdScheme, cookie =>
        {
            StrictCookie(cookie.Cookie, TwoFactorCookie);
            cookie.ExpireTimeSpan = TimeSpan.FromMinutes(5);
        });
        services.AddAntiforgery(options =>
        {
            StrictCookie(options.Cookie, AntiforgeryCookie);
            // Antiforgery refuses SecurePolicy=Always on a request that is not HTTPS, and behind a TLS
            // proxy or an onion service Kestrel sees plain HTTP. The Secure attribute is added to this
            // cookie on the way out instead (SecureAntiforgeryCookie).
            options.Cookie.SecurePolicy = CookieSecurePolicy.None;
            options.SuppressXFrameOptionsHeader = true; // SecurityHeaders sends DENY on every response
        });

        services.AddAuthorization(StaffPolicies.Add);
        services.AddSingleton<IAuthorizationHandler, StaffRequirementsHandler>();
        services.AddSingleton<IAuthorizationMiddlewareResultHandler, ReauthenticationRedirect>();
        services.Configure<Microsoft.AspNetCore.Mvc.RazorPages.RazorPagesOptions>(options =>
        {
            options.Conventions.AuthorizeFolder("/Staff", StaffPolicies.Staff);
            // The doors: she is not (fully) signed in yet on these, and each checks what it needs.
            foreach (var page in new[] { "/Staff/SignIn", "/Staff/SignInCode", "/Staff/Enroll", "/Staff/EnrollTwoFactor", "/Staff/Denied", "/Staff/SignOut" })
            {
                options.Conventions.AllowAnonymousToPage(page);
            }
        });
        return builder;
    }

    /// <summary>Authentication, the per-request account check for /staff and /api/staff, authorization and the staff language.</summary>
    public static WebApplication UseIntakeAccounts(this WebApplication app)
    {
        app.UseAuthentication();
        // The staff pages and the workspace API (/api/staff) both need the account read on each request.
        app.Use(static (context, next) => context.Request.Path.StartsWithSegments("/staff") || context.Request.Path.StartsWithSegments("/api/staff")
            ? StaffLanguage.SetCultureAsync(SecureAntiforgeryCookie(context), c => StaffSession.LoadAsync(c, next))
            : next(context));
        app.UseAuthorization();
        return app;
    }

    /// <summary>Intake's password, lockout and sign-in rules, for the host and for anything else that creates accounts.</summary>
    public static void ApplyPolicy(IdentityOptions identity, AccountsOptions accounts)
    {
        // Length is what makes a password strong; composition rules make people write them down (docs/accounts.md).
        identity.Password.RequiredLength = AccountsOptions.MinimumPasswordLength;
        identity.Password.RequireDigit = false;
        identity.Password.RequireLowercase = false;
        identity.Password.RequireUppercase = false;
        identity.Password.RequireNonAlphanumeric = false;
        identity.Password.RequiredUniqueChars = 1;
        identity.Lockout.AllowedForNewUsers = true;
        identity.Lockout.MaxFailedAccessAttempts = accounts.MaxFailedAttempts;
        identity.Lockout.DefaultLockoutTimeSpan = accounts.LockoutDuration;
        identity.User.RequireUniqueEmail = true;
        identity.SignIn.RequireConfirmedAccount = false;
        identity.Stores.SchemaVersion = IdentitySchemaVersions.Version2;
    }

    internal static bool IsApi(HttpContext context) => context.Request.Path.StartsWithSegments("/api");

    private static Task ApiStatusOrRedirect(Microsoft.AspNetCore.Authentication.RedirectContext<Microsoft.AspNetCore.Authentication.Cookies.CookieAuthenticationOptions> context, int status)
    {
        if (!IsApi(context.HttpContext))
        {
            context.Response.Redirect(context.RedirectUri);
            return Task.CompletedTask;
        }
        context.Response.StatusCode = status;
        return context.HttpContext.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context.HttpContext,
            ProblemDetails = { Status = status, Detail = status == StatusCodes.Status401Unauthorized
                ? "Sign in at /staff/sign-in with your password and code first."
                : "Your account may not use this. It needs the advocate role, an active account and two-factor sign-in." },
        }).AsTask();
    }

    private static HttpContext SecureAntiforgeryCookie(HttpContext context)
    {
        context.Response.OnStarting(static state =>
        {
            var headers = ((HttpContext)state).Response.Headers;
            var cookies = headers.SetCookie;
            if (cookies.Any(c => c is not null && c.StartsWith(AntiforgeryCookie + "=", StringComparison.Ordinal) && !c.Contains("; secure", StringComparison.OrdinalIgnoreCase)))
            {
                headers.SetCookie = cookies.Select(c => c is not null && c.StartsWith(AntiforgeryCookie + "=", StringComparison.Ordinal)
                    && !c.Contains("; secure", StringComparison.OrdinalIgnoreCase) ? c + "; secure" : c).ToArray();
            }
            return Task.CompletedTask;
        }, context);
        return context;
    }

    private static void StrictCookie(CookieBuilder cookie, string name)
    {
        cookie.Name = name;
        cookie.Path = "/";
        cookie.HttpOnly = true;
        cookie.SecurePolicy = CookieSecurePolicy.Always;
        cookie.SameSite = SameSiteMode.Strict;
        cookie.IsEssential = true;
        cookie.MaxAge = null;
    }
}

/// <summary>
/// A signed-in staff member who lacks only a recent sign-in is sent to /staff/reauth and back;
/// everything else takes the default path (sign-in page, or /staff/denied).
/// </summary>
internal sealed class ReauthenticationRedirect : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        if (authorizeResult.Forbidden && authorizeResult.AuthorizationFailure is { } failure
            && failure.FailedRequirements.Any() && failure.FailedRequirements.All(r => r is RecentSignInRequirement)
            && !AccountsExtensions.IsApi(context))
        {
            var back = context.Request.Path + context.Request.QueryString;
            context.Response.Redirect("/staff/reauth?returnUrl=" + Uri.EscapeDataString(back));
            return Task.CompletedTask;
        }
        return _default.HandleAsync(next, context, policy, authorizeResult);
    }
}
