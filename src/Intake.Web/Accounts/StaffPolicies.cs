using Intake.Storage.Accounts;
using Microsoft.AspNetCore.Authorization;

namespace Intake.Web.Accounts;

/// <summary>
/// The staff authorization policies, by name. Every one includes <see cref="Staff"/>: signed in,
/// two-factor completed, account active, session not revoked. Pages under Pages/Staff get
/// <see cref="Staff"/> by convention; a page asks for more with [Authorize(Policy = StaffPolicies.Admin)].
/// </summary>
public static class StaffPolicies
{
    public const string Staff = "Staff";
    public const string Advocate = "Advocate";
    public const string Admin = "Admin";
    public const string Auditor = "Auditor";
    public const string AdminOrAuditor = "AdminOrAuditor";

    /// <summary>Signed in or re-authenticated (password and TOTP) within the last 5 minutes (Accounts:RecentSignInWindow); otherwise she is sent to /staff/reauth and back.</summary>
    public const string RecentSignIn = "RecentSignIn";

    /// <summary>The amr claim value Identity sets after a second factor.</summary>
    public const string MultiFactor = "mfa";

    /// <summary>When she last proved both factors (Unix seconds), for <see cref="RecentSignIn"/>.</summary>
    public const string AuthTimeClaim = "intake:auth_time";

    internal static void Add(AuthorizationOptions options)
    {
        AuthorizationPolicyBuilder StaffBuilder() => new AuthorizationPolicyBuilder().RequireAuthenticatedUser().AddRequirements(new ActiveStaffRequirement());
        options.AddPolicy(Staff, StaffBuilder().Build());
        options.AddPolicy(Advocate, StaffBuilder().RequireRole(StaffRoles.Advocate).Build());
        options.AddPolicy(Admin, StaffBuilder().RequireRole(StaffRoles.Admin).Build());
        options.AddPolicy(Auditor, StaffBuilder().RequireRole(StaffRoles.Auditor).Build());
        options.AddPolicy(AdminOrAuditor, StaffBuilder().RequireRole(StaffRoles.Admin, StaffRoles.Auditor).Build());
        options.AddPolicy(RecentSignIn, StaffBuilder().AddRequirements(new RecentSignInRequirement()).Build());
    }
}

/// <summary>Signed in with two factors, and the account (checked on this request) is active.</summary>
public sealed class ActiveStaffRequirement : IAuthorizationRequirement;

/// <summary>Both factors proved within Accounts:RecentSignInWindow (5 minutes by default).</summary>
public sealed class RecentSignInRequirement : IAuthorizationRequirement;

internal sealed class StaffRequirementsHandler(IHttpContextAccessor http, TimeProvider time, Microsoft.Extensions.Options.IOptions<AccountsOptions> options) : IAuthorizationHandler
{
    public Task HandleAsync(AuthorizationHandlerContext context)
    {
        var user = http.HttpContext is { } c ? StaffSession.Current(c) : null;
        var multiFactor = context.User.HasClaim("amr", StaffPolicies.MultiFactor);
        foreach (var requirement in context.PendingRequirements.ToList())
        {
            switch (requirement)
            {
                case ActiveStaffRequirement when user is { Status: StaffStatus.Active } && multiFactor:
                    context.Succeed(requirement);
                    break;
                case RecentSignInRequirement when multiFactor && IsRecent(context.User):
                    context.Succeed(requirement);
                    break;
            }
        }
        return Task.CompletedTask;
    }

    private bool IsRecent(System.Security.Claims.ClaimsPrincipal user) =>
        long.TryParse(user.FindFirst(StaffPolicies.AuthTimeClaim)?.Value, out var seconds)
        && time.GetUtcNow() - DateTimeOffset.FromUnixTimeSeconds(seconds) <= options.Value.RecentSignInWindow;
}
