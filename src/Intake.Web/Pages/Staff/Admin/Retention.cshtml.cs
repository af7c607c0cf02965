using Intake.Storage.Accounts;
using Intake.Storage.Cases;
using Intake.Storage.Retention;
using Intake.Web.Accounts;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;

namespace Intake.Web.Pages.Staff.Admin;

/// <summary>
/// Retention: admins set the default policy and channels' own, and decide legal holds; admins and
/// auditors see the policies, the holds and the cases due soonest (dates, channel, status: never
/// content). Every change needs a recent sign-in and is a ledger entry.
/// </summary>
[Authorize(Policy = StaffPolicies.AdminOrAuditor)]
public sealed class RetentionModel(RetentionStore retention, LegalHoldStore holds, ChannelDirectory channels, AccountsDbContext db,
    IAuthorizationService authorization, UserManager<StaffUser> users, TimeProvider time, IStringLocalizer<StaffText> text) : PageModel
{
    public const int CasesShown = 50;
    private const string Path = "/staff/admin/retention";

    public IReadOnlyList<RetentionPolicy> Policies { get; private set; } = [];
    public IReadOnlyList<Channel> Channels { get; private set; } = [];
    public IReadOnlyList<LegalHold> Holds { get; private set; } = [];
    public IReadOnlyList<CaseRetention> Cases { get; private set; } = [];
    public IReadOnlyDictionary<Guid, string> Names { get; private set; } = new Dictionary<Guid, string>();
    public bool CanChange { get; private set; }
    public string? Message { get; private set; }
    public string? Error { get; private set; }

    public DateOnly Today => DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);

    public async Task OnGetAsync(CancellationToken cancellationToken) => await LoadAsync(cancellationToken);

    public Task<IActionResult> OnPostSetAsync(string? channel, int? unreadDays, int? openDays, int? closedDays, CancellationToken cancellationToken) =>
        ChangeAsync(async me =>
        {
            var policy = new RetentionPolicy(string.IsNullOrEmpty(channel) ? null : channel, unreadDays ?? 0, openDays ?? 0, closedDays ?? 0);
            await retention.SetPolicyAsync(policy, me, cancellationToken);
            return text["Retention_Saved"];
        }, cancellationToken);

    public Task<IActionResult> OnPostClearAsync(string? channel, CancellationToken cancellationToken) =>
        ChangeAsync(async me =>
        {
            await retention.ClearPolicyAsync(channel ?? "", me, cancellationToken);
            return text["Retention_Cleared"];
        }, cancellationToken);

    public Task<IActionResult> OnPostApproveAsync(Guid hold, CancellationToken cancellationToken) =>
        ChangeAsync(async me =>
        {
            await holds.ApproveAsync(hold, me, cancellationToken);
            return text["Retention_Approved"];
        }, cancellationToken);

    public Task<IActionResult> OnPostRefuseAsync(Guid hold, CancellationToken cancellationToken) =>
        ChangeAsync(async me =>
        {
            await holds.RefuseAsync(hold, me, cancellationToken);
            return text["Retention_Refused"];
        }, cancellationToken);

    public Task<IActionResult> OnPostReleaseAsync(Guid hold, CancellationToken cancellationToken) =>
        ChangeAsync(async me =>
        {
            await holds.ReleaseAsync(hold, me, cancellationToken);
            return text["Retention_Released"];
        }, cancellationToken);

    /// <summary>One change: refused to auditors (403) and without a recent sign-in (to /staff/reauth); a refused change is a kind message and a 4xx.</summary>
    private async Task<IActionResult> ChangeAsync(Func<Guid, Task<string>> change, CancellationToken cancellationToken)
    {
        if (await AdminConsole.RefuseChangeAsync(this, authorization, Path) is { } notAllowed)
        {
            return notAllowed;
        }
        var status = StatusCodes.Status200OK;
        try
        {
            Message = await change(Guid.Parse(users.GetUserId(User)!));
        }
        catch (RetentionException refused)
        {
            (Error, status) = refused.Field == "channel"
                ? (text["Retention_NoChannel"].Value, StatusCodes.Status404NotFound)
                : (text["Retention_BadDays", RetentionPolicy.MinDays, RetentionPolicy.MaxDays].Value, StatusCodes.Status400BadRequest);
        }
        catch (LegalHoldException refused)
        {
            (Error, status) = refused.Kind switch
            {
                LegalHoldFailure.Forbidden => (text["Retention_HoldOwn"].Value, StatusCodes.Status403Forbidden),
                LegalHoldFailure.NotFound => (text["Retention_HoldChanged"].Value, StatusCodes.Status404NotFound),
                _ => (text["Retention_HoldChanged"].Value, StatusCodes.Status409Conflict),
            };
        }
        await LoadAsync(cancellationToken);
        return AdminConsole.PageWithStatus(Page(), status);
    }

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        CanChange = User.IsInRole(StaffRoles.Admin);
        Policies = await retention.ListPoliciesAsync(cancellationToken);
        Channels = await channels.ListActiveAsync(cancellationToken);
        Holds = await holds.OpenAsync(cancellationToken);
        Cases = await retention.SoonestAsync(CasesShown, cancellationToken);
        Names = await AdminConsole.NamesAsync(db, Holds.Select(h => h.RequestedBy), cancellationToken);
    }
}
