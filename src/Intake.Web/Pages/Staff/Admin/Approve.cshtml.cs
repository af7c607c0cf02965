using Intake.Storage.Accounts;
using Intake.Web.Accounts;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Options;

namespace Intake.Web.Pages.Staff.Admin;

/// <summary>
/// Approving an enrolled account: admins only, after a recent sign-in (password and TOTP within
/// five minutes), and (by default) not the admin who invited her.
/// </summary>
[Authorize(Policy = StaffPolicies.Admin)]
[Authorize(Policy = StaffPolicies.RecentSignIn)]
public sealed class ApproveModel(AccountsDbContext db, StaffAdministration administration, UserManager<StaffUser> users,
    IOptions<AccountsOptions> options, IStringLocalizer<StaffText> text) : PageModel
{
    public StaffUser? Target { get; private set; }
    public string? Role { get; private set; }
    public string? InvitedBy { get; private set; }
    public string? Error { get; private set; }

    public async Task<IActionResult> OnGetAsync(Guid id) => await LoadAsync(id) ? Page() : NotFound();

    public async Task<IActionResult> OnPostAsync(Guid id)
    {
        try
        {
            await administration.ApproveAsync(Guid.Parse(users.GetUserId(User)!), id, options.Value.AdminsPerApproval);
            return Redirect(StaffLanguage.Link(HttpContext, "/staff/admin/people?done=approved"));
        }
        catch (AccountActionRefusedException refused)
        {
            Error = text["Refused_" + refused.Refusal];
            await LoadAsync(id);
            var page = Page();
            page.StatusCode = StatusCodes.Status409Conflict;
            return page;
        }
    }

    private async Task<bool> LoadAsync(Guid id)
    {
        Target = await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Id == id);
        if (Target is null)
        {
            return false;
        }
        Role = string.Join(", ", (await users.GetRolesAsync(Target)).Select(r => text["Role_" + r].Value));
        InvitedBy = Target.InvitedBy is { } inviter ? (await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Id == inviter))?.DisplayName : null;
        return true;
    }
}
