using System.Text.Json;
using Intake.Core.Crypto;
using Intake.Storage.Accounts;
using Intake.Storage.Ledger;
using Intake.Storage.Retention;
using Intake.Storage.Routing;
using Intake.Storage.Workspace;
using Intake.Web.Accounts;
using Intake.Web.Workspace;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;

namespace Intake.Web.Pages.Staff.Cases;

/// <summary>
/// The case shell: facts the server may know; the content is fetched and decrypted by staff.js.
/// Hand-over is a plain form: she picks a colleague who can open the case and has room for it.
/// So is a legal hold request, which needs a recent sign-in like every sensitive action.
/// </summary>
[Authorize(Policy = StaffPolicies.Advocate)]
public sealed class CaseModel(CaseWorkspaceStore cases, AdvocateKeyStore keys, RoutingDirectory routing, CaseRouter router,
    StaffNotifications notices, AccountsDbContext db, RetentionStore retention, LegalHoldStore holds, IAuthorizationService authorization,
    TimeProvider time, IStringLocalizer<WorkspaceText> text) : PageModel
{
    public Guid Id { get; private set; }

    public DateOnly Today => DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);

    /// <summary>When the case falls due, by its channel's retention policy.</summary>
    public CaseRetention? Retention { get; private set; }

    /// <summary>The waiting hold request and the active hold, if any.</summary>
    public LegalHold? WaitingHold { get; private set; }

    public LegalHold? ActiveHold { get; private set; }

    public string? HoldMessage { get; private set; }

    public string? HoldError { get; private set; }

    /// <summary>What she typed, shown again when the request is refused.</summary>
    public string? HoldReason { get; private set; }

    public int HoldDays { get; private set; } = 90;

    public string? PostponeMessage { get; private set; }

    public string? PostponeError { get; private set; }

    /// <summary>What she typed, shown again after a refusal.</summary>
    public string? PostponeReason { get; private set; }

    public int PostponeDays { get; private set; } = 30;

    public CaseFacts Facts { get; private set; } = null!;

    /// <summary>Colleagues who serve the channel, are active, and hold a key the case was sealed to.</summary>
    public IReadOnlyList<(Guid Id, string Name)> Colleagues { get; private set; } = [];

    public string? HandOverError { get; private set; }

    public async Task<IActionResult> OnGetAsync(Guid id, CancellationToken cancellationToken) =>
        await LoadAsync(id, cancellationToken) ? Page() : Forbid();

    public async Task<IActionResult> OnPostHandOverAsync(Guid id, Guid to, CancellationToken cancellationToken)
    {
        if (!await LoadAsync(id, cancellationToken))
        {
            return Forbid();
        }
        if (Colleagues.All(c => c.Id != to))
        {
            return Refused(StatusCodes.Status400BadRequest, text["Case_HandOverNotEligible"]);
        }
        try
        {
            var assignment = await router.HandOverAsync(id, WorkspaceEndpoints.UserId(User), to, cancellationToken);
            await notices.NotifyAdvocateAsync(to, "case_assigned", id, assignment, cancellationToken);
        }
        catch (LedgerAppendException ex) when (ex is RoutingStaleException or RoutingCaseGoneException or CaseAlreadyAssignedException)
        {
            return Refused(StatusCodes.Status409Conflict, text["Case_HandOverFailed"]);
        }
        return Redirect(StaffLanguage.Link(HttpContext, "/staff/cases"));
    }

    public async Task<IActionResult> OnPostHoldAsync(Guid id, string? reason, int? days, CancellationToken cancellationToken)
    {
        if (!await LoadAsync(id, cancellationToken))
        {
            return Forbid();
        }
        if (!(await authorization.AuthorizeAsync(User, StaffPolicies.RecentSignIn)).Succeeded)
        {
            return Redirect("/staff/reauth?returnUrl=" + Uri.EscapeDataString(StaffLanguage.Link(HttpContext, $"/staff/cases/{id}")));
        }
        (HoldReason, HoldDays) = (reason, days ?? 0);
        var status = StatusCodes.Status200OK;
        try
        {
            await holds.RequestAsync(id, WorkspaceEndpoints.UserId(User), reason ?? "", days ?? 0, cancellationToken);
            (HoldMessage, HoldReason, HoldDays) = (text["Case_HoldRequested"], null, 90);
        }
        catch (LegalHoldException refused)
        {
            (HoldError, status) = refused.Kind switch
            {
                LegalHoldFailure.Conflict => (text["Case_HoldConflict"].Value, StatusCodes.Status409Conflict),
                _ when refused.Field == "days" => (text["Case_HoldBadDays", LegalHoldStore.MaxDays].Value, StatusCodes.Status400BadRequest),
                _ => (text["Case_HoldBadReason", LegalHoldStore.MaxReasonLength].Value, StatusCodes.Status400BadRequest),
            };
        }
        await LoadAsync(id, cancellationToken);
        var page = Page();
        page.StatusCode = status;
        return page;
    }

    /// <summary>The assigned advocate keeps the case a little past its purge day, with a reason (docs/retention.md §5).</summary>
    public async Task<IActionResult> OnPostPostponeAsync(Guid id, string? reason, int? days, CancellationToken cancellationToken)
    {
        if (!await LoadAsync(id, cancellationToken))
        {
            return Forbid();
        }
        if (!(await authorization.AuthorizeAsync(User, StaffPolicies.RecentSignIn)).Succeeded)
        {
            return Redirect("/staff/reauth?returnUrl=" + Uri.EscapeDataString(StaffLanguage.Link(HttpContext, $"/staff/cases/{id}")));
        }
        (PostponeReason, PostponeDays) = (reason, days ?? 0);
        var status = StatusCodes.Status200OK;
        try
        {
            var purgeOn = await holds.PostponeAsync(id, WorkspaceEndpoints.UserId(User), reason ?? "", days ?? 0, cancellationToken);
            (PostponeMessage, PostponeReason, PostponeDays) =
                (text["Case_Postponed", purgeOn.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)], null, 30);
        }
        catch (LegalHoldException refused)
        {
            (PostponeError, status) = refused.Kind switch
            {
                LegalHoldFailure.Conflict when refused.Field == "survivor" => (text["Case_PostponeSurvivor"].Value, StatusCodes.Status409Conflict),
                LegalHoldFailure.Conflict => (text["Case_PostponeConflict"].Value, StatusCodes.Status409Conflict),
                _ when refused.Field == "days" => (text["Case_PostponeBadDays", LegalHoldStore.MaxPostponeDays].Value, StatusCodes.Status400BadRequest),
                _ => (text["Case_HoldBadReason", LegalHoldStore.MaxReasonLength].Value, StatusCodes.Status400BadRequest),
            };
        }
        await LoadAsync(id, cancellationToken);
        var page = Page();
        page.StatusCode = status;
        return page;
    }

    private PageResult Refused(int status, string message)
    {
        HandOverError = message;
        var page = Page();
        page.StatusCode = status;
        return page;
    }

    // Someone else's case and a case that does not exist look the same.
    private async Task<bool> LoadAsync(Guid id, CancellationToken cancellationToken)
    {
        var me = WorkspaceEndpoints.UserId(User);
        if (!await cases.IsAssignedAsync(id, me, cancellationToken) || await cases.FactsAsync(id, cancellationToken) is not { } facts)
        {
            return false;
        }
        (Id, Facts) = (id, facts);
        Retention = await retention.ForCaseAsync(id, cancellationToken);
        var caseHolds = await holds.ForCaseAsync(id, cancellationToken);
        WaitingHold = caseHolds.FirstOrDefault(h => h.Status == LegalHoldStatus.Requested);
        ActiveHold = caseHolds.FirstOrDefault(h => h.IsActive(Today));
        var file = await cases.ReadAsync(id, [], cancellationToken);
        var sealedTo = new HashSet<string>(StringComparer.Ordinal);
        using (var record = JsonDocument.Parse(file!.Entries.First(e => e.Kind == Core.Ledger.LedgerEntryKind.Submission).Record))
        {
            foreach (var kid in record.RootElement.GetProperty("kids").EnumerateArray())
            {
                sealedTo.Add(kid.GetString()!);
            }
        }
        var eligible = new List<Guid>();
        foreach (var profile in await routing.ListProfilesAsync(cancellationToken))
        {
            if (profile.AdvocateId != me && profile.Active && profile.Channels.Contains(facts.Channel)
                && (await keys.ForAdvocateAsync(profile.AdvocateId, cancellationToken))
                    .Any(k => k.Status != "pending" && sealedTo.Contains(Base64UrlStrict.Encode(k.KeyId))))
            {
                eligible.Add(profile.AdvocateId);
            }
        }
        var names = await db.Users.AsNoTracking().Where(u => eligible.Contains(u.Id) && u.Status == StaffStatus.Active)
            .ToDictionaryAsync(u => u.Id, u => u.DisplayName, cancellationToken);
        Colleagues = [.. eligible.Where(names.ContainsKey).Select(c => (c, names[c]))];
        return true;
    }
}
