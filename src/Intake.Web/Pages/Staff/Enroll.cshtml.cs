using System.ComponentModel.DataAnnotations;
using Intake.Storage.Accounts;
using Intake.Web.Accounts;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;

namespace Intake.Web.Pages.Staff;

/// <summary>
/// Accepting an invitation: name, e-mail and password. The invitation is used up in the same
/// transaction that creates the account (a second use, even at the same moment, finds it taken);
/// she is then signed in with her password only, which opens nothing but two-factor enrolment.
/// </summary>
public sealed class EnrollModel(AccountsDbContext db, UserManager<StaffUser> users, StaffSignIn staffSignIn, TimeProvider time,
    IStringLocalizer<StaffText> text, ILogger<EnrollModel> logger) : PageModel
{
    [BindProperty] public string? DisplayName { get; set; }
    [BindProperty] public string? Email { get; set; }
    [BindProperty] public string? Password { get; set; }
    [BindProperty] public string? Confirm { get; set; }
    public string? Refusal { get; private set; }
    public string? Role { get; private set; }
    public List<string> Errors { get; } = [];

    public async Task<IActionResult> OnGetAsync(string token)
    {
        await FindAsync(token);
        return Result();
    }

    public async Task<IActionResult> OnPostAsync(string token)
    {
        var invitation = await FindAsync(token);
        if (invitation is null)
        {
            return Result();
        }
        DisplayName = DisplayName?.Trim();
        Email = Email?.Trim();
        if (string.IsNullOrEmpty(DisplayName) || DisplayName.Length > 100)
        {
            Errors.Add(text["Enroll_NameMissing"]);
        }
        if (string.IsNullOrEmpty(Email) || Email.Length > 256 || !new EmailAddressAttribute().IsValid(Email))
        {
            Errors.Add(text["Enroll_EmailInvalid"]);
        }
        if ((Password ?? "").Length < AccountsOptions.MinimumPasswordLength)
        {
            Errors.Add(text["Enroll_PasswordShort", AccountsOptions.MinimumPasswordLength]);
        }
        else if (Password != Confirm)
        {
            Errors.Add(text["Enroll_PasswordMismatch"]);
        }
        if (Errors.Count > 0)
        {
            return Page();
        }

        var now = time.GetUtcNow();
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        var user = new StaffUser
        {
            Id = Guid.CreateVersion7(),
            UserName = Email,
            Email = Email,
            DisplayName = DisplayName!,
            InvitedBy = invitation.InvitedBy,
            Status = StaffStatus.PendingEnrollment,
        };
        await using (var transaction = await db.Database.BeginTransactionAsync())
        {
            var taken = await db.Invitations
                .Where(i => i.Id == invitation.Id && i.AcceptedBy == null && i.ExpiresAt > now)
                .ExecuteUpdateAsync(set => set.SetProperty(i => i.AcceptedBy, user.Id).SetProperty(i => i.AcceptedOn, today));
            if (taken != 1)
            {
                Refusal = text["Enroll_Used"];
                return Page();
            }
            var created = await users.CreateAsync(user, Password!);
            if (!created.Succeeded)
            {
                Errors.AddRange(created.Errors.Select(e => e.Code is "DuplicateEmail" or "DuplicateUserName"
                    ? text["Enroll_EmailTaken"].Value
                    : e.Code.StartsWith("Password", StringComparison.Ordinal) ? text["Enroll_PasswordShort", AccountsOptions.MinimumPasswordLength].Value
                    : text["Enroll_Invalid"].Value).Distinct());
                return Page(); // the transaction rolls back: the invitation stays open
            }
            var role = await users.AddToRoleAsync(user, invitation.Role);
            if (!role.Succeeded)
            {
                throw new InvalidOperationException($"The role {invitation.Role} is missing: run `intake migrate`.");
            }
            await transaction.CommitAsync();
        }
        logger.LogInformation("Invitation {InvitationId} accepted by new staff account {UserId} ({Role})", invitation.Id, user.Id, invitation.Role);
        await staffSignIn.SignInAsync(user, multiFactor: false);
        return Redirect(StaffLanguage.Link(HttpContext, "/staff/enroll/two-factor"));
    }

    private IActionResult Result()
    {
        var page = Page();
        if (Refusal is not null)
        {
            page.StatusCode = StatusCodes.Status410Gone;
        }
        return page;
    }

    private async Task<StaffInvitation?> FindAsync(string token)
    {
        var hash = InvitationToken.HashOf(token);
        var invitation = hash is null ? null : await db.Invitations.AsNoTracking().FirstOrDefaultAsync(i => i.TokenHash == hash);
        if (invitation is null)
        {
            Refusal = text["Enroll_Unknown"];
        }
        else if (invitation.AcceptedBy is not null)
        {
            Refusal = text["Enroll_Used"];
        }
        else if (invitation.ExpiresAt <= time.GetUtcNow())
        {
            Refusal = text["Enroll_Expired"];
        }
        else
        {
            Role = text["Role_" + invitation.Role];
            return invitation;
        }
        logger.LogInformation("An invitation link was refused: {Reason}", invitation is null ? "unknown" : invitation.AcceptedBy is not null ? "used" : "expired");
        return null;
    }
}
