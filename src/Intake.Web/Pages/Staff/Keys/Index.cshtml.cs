using Intake.Storage.Workspace;
using Intake.Web.Accounts;
using Intake.Web.Workspace;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Intake.Web.Pages.Staff.Keys;

[Authorize(Policy = StaffPolicies.Advocate)]
public sealed class IndexModel(AdvocateKeyStore keys) : PageModel
{
    public IReadOnlyList<AdvocateKey> Keys { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken cancellationToken) =>
        Keys = await keys.ForAdvocateAsync(WorkspaceEndpoints.UserId(User), cancellationToken);
}
