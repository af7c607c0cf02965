using Intake.Storage.Accounts;
using Intake.Web.Accounts;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;

namespace Intake.Web.Pages.Staff;

/// <summary>First step of sign-in: the password (Identity counts failures and locks the account).</summary>
public sealed class SignInModel(SignInManager<StaffUser> signIn, UserManager<StaffUser> users, IStringLocalizer<StaffText> text) : PageModel
{
    [BindProperty] public string? Email { get; set; }
    [BindProperty] public string? Password { get; set; }
    public string? Error { get; private set; }

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync(string? returnUrl)
    {
        var user = string.IsNullOrWhiteSpace(Email) ? null : await users.FindByEmailAsync(Email.Trim());
        if (user is null || string.IsNullOrEmpty(Password))
        {
            Error = text["SignIn_Wrong"];
            return Page();
        }
        var result = await signIn.PasswordSignInAsync(user, Password, isPersistent: false, lockoutOnFailure: true);
        if (result.IsLockedOut)
        {
            Error = text["SignIn_LockedOut"];
            return Page();
        }
        if (result.RequiresTwoFactor)
        {
            var next = "/staff/sign-in/code" + (StaffUrls.IsLocal(returnUrl) ? "?returnUrl=" + Uri.EscapeDataString(returnUrl!) : "");
            return Redirect(StaffLanguage.Link(HttpContext, next));
        }
        if (result.Succeeded)
        {
            // A password and no second factor yet: she may only enrol one.
            return Redirect(StaffLanguage.Link(HttpContext, "/staff/enroll/two-factor"));
        }
        Error = text["SignIn_Wrong"];
        return Page();
    }
}
