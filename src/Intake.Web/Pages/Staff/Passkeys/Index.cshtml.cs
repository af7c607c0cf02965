using Intake.Core.Crypto;
using Intake.Storage.Accounts;
using Intake.Storage.Ledger;
using Intake.Web.Accounts;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;

namespace Intake.Web.Pages.Staff.Passkeys;

/// <summary>
/// Her passkeys: the list, adding one (in the browser, through staff.js and the passkey API) and
/// removing one (a plain form). Changes need a recent sign-in.
/// </summary>
[Authorize(Policy = StaffPolicies.Staff)]
public sealed class IndexModel(UserManager<StaffUser> users, LedgerWriter ledger, IAuthorizationService authorization,
    IStringLocalizer<StaffText> text) : PageModel
{
    public IReadOnlyList<PasskeyView> Passkeys { get; private set; } = [];
    public string? Message { get; private set; }
    public string? Error { get; private set; }

    public async Task OnGetAsync() => await LoadAsync();

    public async Task<IActionResult> OnPostRemoveAsync(string? id, CancellationToken cancellationToken)
    {
        if (!(await authorization.AuthorizeAsync(User, StaffPolicies.RecentSignIn)).Succeeded)
        {
            return Redirect("/staff/reauth?returnUrl=" + Uri.EscapeDataString(StaffLanguage.Link(HttpContext, "/staff/passkeys")));
        }
        var user = (await users.GetUserAsync(User))!;
        var status = StatusCodes.Status200OK;
        if (Base64UrlStrict.TryDecode(id) is { } credentialId && await PasskeyEndpoints.RemoveAsync(users, ledger, user, credentialId, cancellationToken))
        {
            Message = text["Passkeys_Removed"];
        }
        else
        {
            (Error, status) = (text["Passkeys_Unknown"], StatusCodes.Status404NotFound);
        }
        await LoadAsync();
        var page = Page();
        page.StatusCode = status;
        return page;
    }

    private async Task LoadAsync()
    {
        var user = (await users.GetUserAsync(User))!;
        Passkeys = [.. (await users.GetPasskeysAsync(user))
            .OrderBy(p => p.CreatedAt)
            .Select(p => new PasskeyView(Base64UrlStrict.Encode(p.CredentialId), p.Name ?? "", DateOnly.FromDateTime(p.CreatedAt.UtcDateTime)))];
    }
}
