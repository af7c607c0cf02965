using System.Text.Json;
using Intake.Core.Crypto;
using Intake.Storage.Accounts;
using Intake.Storage.Ledger;
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
/// </summary>
[Authorize(Policy = StaffPolicies.Advocate)]
public sealed class CaseModel(CaseWorkspaceStore cases, AdvocateKeyStore keys, RoutingDirectory routing, CaseRouter router,
    StaffNotifications notices, AccountsDbContext db, IStringLocalizer<WorkspaceText> text) : PageModel
{
    public Guid Id { get; private set; }

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
