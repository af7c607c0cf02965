using Intake.Storage.Workspace;
using Intake.Web.Accounts;
using Intake.Web.Workspace;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Intake.Web.Pages.Staff.Cases;

[Authorize(Policy = StaffPolicies.Advocate)]
public sealed class IndexModel(CaseWorkspaceStore cases, TimeProvider time) : PageModel
{
    public IReadOnlyList<AssignedCase> Cases { get; private set; } = [];

    public DateOnly Today => DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);

    public async Task OnGetAsync(CancellationToken cancellationToken) =>
        Cases = await cases.AssignedToAsync(WorkspaceEndpoints.UserId(User), cancellationToken);
}
