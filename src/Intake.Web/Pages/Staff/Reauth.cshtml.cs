using Intake.Storage.Accounts;
using Intake.Web.Accounts;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;

namespace Intake.Web.Pages.Staff;

/// <summary>
/// Re-authentication before a sensitive action (policy RecentSignIn): password and a fresh
/// second factor again, then back to the page that asked. Failures count towards the lockout.
/// </summary>
public sealed class ReauthModel(SignInManager<StaffUser> signIn, UserManager<StaffUser> users, StaffSignIn staffSignIn,
    IStringLocalizer<StaffText> text) : PageModel
{
    [BindProperty] public string? Password { get; set; }
    [BindProperty] public string? Code { get; set; }
    public string? Error { get; private set; }

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync(string? returnUrl)
    {
        var user = await users.GetUserAsync(User);
        if (user is null)
        {
            return Redirect(StaffLanguage.Link(HttpContext, "/staff/sign-in"));
        }
        var password = await signIn.CheckPasswordSignInAsync(user, Password ?? "", lockoutOnFailure: true);
        if (password.IsLockedOut)
        {
            Error = text["SignIn_LockedOut"];
            return Page();
        }
        if (!password.Succeeded)
        {
            Error = text["Reauth_Wrong"];
            return Page();
        }
        switch (await staffSignIn.SecondFactorAsync(user, Code))
        {
            case SecondFactorResult.SignedIn:
                return Redirect(StaffUrls.IsLocal(returnUrl) ? returnUrl! : StaffLanguage.Link(HttpContext, "/staff"));
            case SecondFactorResult.LockedOut:
                Error = text["SignIn_LockedOut"];
                break;
            case SecondFactorResult.AlreadyUsed:
                Error = text["Code_AlreadyUsed"];
                break;
            default:
                Error = text["Code_Wrong"];
                break;
        }
        return Page();
    }
}
