using Intake.Storage.Accounts;
using Intake.Web.Accounts;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Intake.Web.Pages.Staff;

/// <summary>
/// Where a signed-in person lands when a staff page is not hers (403): a kind word for an
/// account waiting for approval, suspended or not enrolled yet, and plain "not for your role" otherwise.
/// </summary>
public sealed class DeniedModel : PageModel
{
    public string Kind { get; private set; } = "role";
    public string TitleKey => "Denied_Title_" + Kind;
    public string BodyKey => "Denied_Body_" + Kind;

    public IActionResult OnGet()
    {
        if (StaffSession.Current(HttpContext) is not { } user)
        {
            return Redirect(StaffLanguage.Link(HttpContext, "/staff/sign-in"));
        }
        Kind = user.Status switch
        {
            StaffStatus.PendingEnrollment => "enrol",
            StaffStatus.PendingApproval => "waiting",
            StaffStatus.Suspended => "suspended",
            _ => "role",
        };
        var page = Page();
        page.StatusCode = StatusCodes.Status403Forbidden;
        return page;
    }
}
