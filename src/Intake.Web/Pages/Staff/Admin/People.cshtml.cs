using System.Globalization;
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

/// <summary>One row of the People list: who she is (as she gave it at enrolment), her role and who vetted her.</summary>
public sealed record Person(Guid Id, string Name, string Email, IReadOnlyList<string> Roles, StaffStatus Status, string? InvitedBy, string? ApprovedBy);

/// <summary>
/// People: admins invite (the link is shown once), suspend and reactivate here, and approve on
/// the approval page (which asks for a recent sign-in). Auditors see the list and change nothing.
/// Every change is an AdminAction ledger entry (<see cref="StaffAdministration"/>).
/// </summary>
[Authorize(Policy = StaffPolicies.AdminOrAuditor)]
public sealed class PeopleModel(AccountsDbContext db, StaffAdministration administration, IAuthorizationService authorization,
    UserManager<StaffUser> users, IOptions<AccountsOptions> options, IStringLocalizer<StaffText> text) : PageModel
{
    public IReadOnlyList<Person> People { get; private set; } = [];
    public bool CanChange { get; private set; }
    public Guid Me { get; private set; }
    public string? Message { get; private set; }
    public string? Error { get; private set; }
    public string? NewLink { get; private set; }
    public string? NewLinkExpires { get; private set; }

    public async Task OnGetAsync(string? done)
    {
        Message = done is "approved" ? text["People_Approved"].Value : null;
        await LoadAsync();
    }

    public Task<IActionResult> OnPostInviteAsync(string? role) => AsAdminAsync(async me =>
    {
        var invitation = await administration.InviteAsync(role ?? "", me, options.Value.InvitationLifetime);
        NewLink = $"{Request.Scheme}://{Request.Host}/staff/enroll/{invitation.Token}";
        NewLinkExpires = invitation.ExpiresAt.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);
        Message = text["People_Invited", text["Role_" + invitation.Role]];
    });

    public Task<IActionResult> OnPostSuspendAsync(Guid id) => AsAdminAsync(async me =>
    {
        await administration.SuspendAsync(me, id);
        Message = text["People_Suspended"];
    });

    public Task<IActionResult> OnPostReactivateAsync(Guid id) => AsAdminAsync(async me =>
    {
        await administration.ReactivateAsync(me, id);
        Message = text["People_Reactivated"];
    });

    private async Task<IActionResult> AsAdminAsync(Func<Guid, Task> action)
    {
        if (!(await authorization.AuthorizeAsync(User, StaffPolicies.Admin)).Succeeded)
        {
            return Forbid();
        }
        try
        {
            await action(Guid.Parse(users.GetUserId(User)!));
        }
        catch (AccountActionRefusedException refused)
        {
            Error = text["Refused_" + refused.Refusal];
        }
        await LoadAsync();
        return Page();
    }

    private async Task LoadAsync()
    {
        Me = Guid.Parse(users.GetUserId(User)!);
        CanChange = User.IsInRole(StaffRoles.Admin);
        var accounts = await db.Users.AsNoTracking().OrderBy(u => u.DisplayName).ToListAsync();
        var roles = await (from ur in db.UserRoles join r in db.Roles on ur.RoleId equals r.Id select new { ur.UserId, r.Name }).ToListAsync();
        var names = accounts.ToDictionary(u => u.Id, u => u.DisplayName);
        string? NameOf(Guid? id) => id is { } i ? names.GetValueOrDefault(i, i.ToString()) : null;
        People = accounts.Select(u => new Person(u.Id, u.DisplayName, u.Email ?? "",
            roles.Where(r => r.UserId == u.Id).Select(r => r.Name!).ToList(), u.Status, NameOf(u.InvitedBy), NameOf(u.ApprovedBy))).ToList();
    }
}
