using Intake.Storage.Retention;
using Intake.Storage.Routing;
using Intake.Storage.Workspace;
using Intake.Web.Accounts;
using Intake.Web.Workspace;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Intake.Web.Pages.Staff.Cases;

/// <summary>Her cases and her unread notices (a new case, a survivor's follow-up): the workspace side of routing's notifications.</summary>
[Authorize(Policy = StaffPolicies.Advocate)]
public sealed class IndexModel(CaseWorkspaceStore cases, RetentionStore retention, StaffNotifications notices, TimeProvider time) : PageModel
{
    public IReadOnlyList<AssignedCase> Cases { get; private set; } = [];

    /// <summary>Each listed case's purge day, by case id.</summary>
    public IReadOnlyDictionary<Guid, CaseRetention> Retention { get; private set; } = new Dictionary<Guid, CaseRetention>();

    public IReadOnlyList<StaffNotification> Notices { get; private set; } = [];

    public DateOnly Today => DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        var me = WorkspaceEndpoints.UserId(User);
        Cases = await cases.AssignedToAsync(me, cancellationToken);
        Retention = await retention.ForCasesAsync([.. Cases.Select(c => c.Id)], cancellationToken);
        Notices = await notices.ForAdvocateAsync(me, unreadOnly: true, cancellationToken);
    }

    /// <summary>Marks one of her own notices read; someone else's notice is not found.</summary>
    public async Task<IActionResult> OnPostReadAsync(Guid notice, CancellationToken cancellationToken)
    {
        var mine = await notices.ForAdvocateAsync(WorkspaceEndpoints.UserId(User), unreadOnly: true, cancellationToken);
        if (mine.All(n => n.Id != notice))
        {
            return NotFound();
        }
        await notices.MarkReadAsync(notice, cancellationToken);
        return Redirect(StaffLanguage.Link(HttpContext, "/staff/cases"));
    }
}
