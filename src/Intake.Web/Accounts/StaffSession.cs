using System.Security.Claims;
using Intake.Storage.Accounts;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Intake.Web.Accounts;

/// <summary>
/// On every staff request, the signed-in account is read again: a session whose security stamp
/// no longer matches (suspension, a new authenticator key) ends here, on her next request, not
/// after some revalidation interval. The account is kept for the authorization handler.
/// </summary>
internal static class StaffSession
{
    private static readonly object Key = new();

    public static StaffUser? Current(HttpContext context) => context.Items.TryGetValue(Key, out var user) ? user as StaffUser : null;

    public static async Task LoadAsync(HttpContext context, RequestDelegate next)
    {
        if (context.User.Identity is { IsAuthenticated: true } && Guid.TryParse(context.User.FindFirstValue(ClaimTypes.NameIdentifier), out var id))
        {
            var db = context.RequestServices.GetRequiredService<AccountsDbContext>();
            var stampClaim = context.RequestServices.GetRequiredService<IOptions<IdentityOptions>>().Value.ClaimsIdentity.SecurityStampClaimType;
            var user = await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Id == id, context.RequestAborted);
            if (user is null || user.SecurityStamp != context.User.FindFirstValue(stampClaim))
            {
                await context.SignOutAsync(IdentityConstants.ApplicationScheme);
                context.User = new ClaimsPrincipal(new ClaimsIdentity());
            }
            else
            {
                context.Items[Key] = user;
            }
        }
        await next(context);
    }
}
