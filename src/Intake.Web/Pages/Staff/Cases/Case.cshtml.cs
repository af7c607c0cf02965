using Intake.Storage.Workspace;
using Intake.Web.Accounts;
using Intake.Web.Workspace;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Intake.Web.Pages.Staff.Cases;

/// <summary>The case shell: facts the server may know; the content is fetched and decrypted by staff.js.</summary>
[Authorize(Policy = StaffPolicies.Advocate)]
public sealed class CaseModel(CaseWorkspaceStore cases) : PageModel
{
    public Guid Id { get; private set; }

    public CaseFacts Facts { get; private set; } = null!;

    public async Task<IActionResult> OnGetAsync(Guid id, CancellationToken cancellationToken)
    {
        // Someone else's case and a case that does not exist look the same.
        if (!await cases.IsAssignedAsync(id, WorkspaceEndpoints.UserId(User), cancellationToken)
            || await cases.FactsAsync(id, cancellationToken) is not { } facts)
        {
            return Forbid();
        }
        (Id, Facts) = (id, facts);
        return Page();
    }
}
