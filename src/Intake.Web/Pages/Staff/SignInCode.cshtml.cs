using Intake.Storage.Accounts;
using Intake.Web.Accounts;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;

namespace Intake.Web.Pages.Staff;

/// <summary>Second step of sign-in: a TOTP code (each accepted once) or a recovery code.</summary>
public sealed class SignInCodeModel(SignInManager<StaffUser> signIn, StaffSignIn staffSignIn, IStringLocalizer<StaffText> text) : PageModel
{
    [BindProperty] public string? Code { get; set; }
    public string? Error { get; private set; }

    public async Task<IActionResult> OnGetAsync() =>
        await signIn.GetTwoFactorAuthenticationUserAsync() is null ? Redirect(StaffLanguage.Link(HttpContext, "/staff/sign-in")) : Page();

    public async Task<IActionResult> OnPostAsync(string? returnUrl)
    {
        var user = await signIn.GetTwoFactorAuthenticationUserAsync();
        switch (await staffSignIn.SecondFactorAsync(user, Code))
        {
            case SecondFactorResult.SignedIn:
                return Redirect(user!.Status == StaffStatus.Active
                    ? (StaffUrls.IsLocal(returnUrl) ? returnUrl! : StaffLanguage.Link(HttpContext, "/staff"))
                    : StaffLanguage.Link(HttpContext, "/staff/denied"));
            case SecondFactorResult.Expired:
                return Redirect(StaffLanguage.Link(HttpContext, "/staff/sign-in"));
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
