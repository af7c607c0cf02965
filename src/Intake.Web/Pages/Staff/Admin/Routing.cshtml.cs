using Intake.Core.Contracts;
using Intake.Storage.Accounts;
using Intake.Storage.Cases;
using Intake.Storage.Ledger;
using Intake.Storage.Routing;
using Intake.Web.Accounts;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;

namespace Intake.Web.Pages.Staff.Admin;

/// <summary>An advocate's routing profile as the console shows it, with her name; <see cref="Stored"/> is false until an admin saves one.</summary>
public sealed record ProfileRow(string Name, AdvocateProfile Profile, bool Stored);

/// <summary>
/// Routing: the rule chain in the page language, the region and organisation lists, every
/// advocate's routing profile, the waiting queue and failed messages. Admins change them (each
/// change is an admin action in the ledger, written by <see cref="RoutingDirectory"/>); auditors read.
/// </summary>
[Authorize(Policy = StaffPolicies.AdminOrAuditor)]
public sealed class RoutingModel(RoutingDirectory routing, ChannelDirectory channels, AccountsDbContext db,
    IAuthorizationService authorization, UserManager<StaffUser> users, IStringLocalizer<StaffText> text) : PageModel
{
    private const string Path = "/staff/admin/routing";

    public IReadOnlyList<(string Name, string Explanation)> Rules { get; private set; } = [];
    public IReadOnlyList<RoutingListItem> Regions { get; private set; } = [];
    public IReadOnlyList<RoutingListItem> Organisations { get; private set; } = [];
    public IReadOnlyList<Channel> Channels { get; private set; } = [];
    public IReadOnlyList<ProfileRow> Profiles { get; private set; } = [];
    public IReadOnlyList<WaitingCase> Waiting { get; private set; } = [];
    public IReadOnlyList<RoutingFault> Faults { get; private set; } = [];
    public long UnresolvedFaults { get; private set; }
    public bool CanChange { get; private set; }
    public string? Message { get; private set; }
    public string? Error { get; private set; }

    public async Task OnGetAsync(CancellationToken cancellationToken) => await LoadAsync(cancellationToken);

    /// <summary>Adds a region or organisation, or renames one (ids are kept: cases and profiles refer to them).</summary>
    public Task<IActionResult> OnPostSaveItemAsync(string? list, string? id, string? nameEn, string? nameZh, CancellationToken cancellationToken) =>
        ChangeAsync(async actor =>
        {
            if (ParseList(list) is not { } which)
            {
                return (text["Routing_NoSuchList"].Value, StatusCodes.Status400BadRequest);
            }
            var item = new RoutingListItem(id?.Trim() ?? "", nameEn?.Trim() ?? "", nameZh?.Trim() ?? "");
            await routing.SaveAsync(which, item, actor, cancellationToken);
            return (text[$"Routing_Saved_{which}", item.Id].Value, StatusCodes.Status200OK);
        }, cancellationToken);

    /// <summary>Deactivates (or activates again) a region or organisation: survivors no longer see an inactive one.</summary>
    public Task<IActionResult> OnPostSetActiveAsync(string? list, string? id, bool active, CancellationToken cancellationToken) =>
        ChangeAsync(async actor =>
        {
            if (ParseList(list) is not { } which)
            {
                return (text["Routing_NoSuchList"].Value, StatusCodes.Status400BadRequest);
            }
            var items = await routing.ListAsync(which, activeOnly: false, cancellationToken);
            if (items.FirstOrDefault(i => i.Id == id) is not { } item)
            {
                return (text["Routing_NoSuchItem"].Value, StatusCodes.Status404NotFound);
            }
            await routing.SaveAsync(which, item with { Active = active }, actor, cancellationToken);
            return (text[active ? "Routing_Activated" : "Routing_Deactivated", item.Id].Value, StatusCodes.Status200OK);
        }, cancellationToken);

    /// <summary>Creates or replaces an advocate's routing profile; the store checks every id.</summary>
    public Task<IActionResult> OnPostProfileAsync(Guid advocate, bool active, string? capacity, string[] channels, string[] languages,
        string[] regions, string[] affiliations, string? notifyEmail, CancellationToken cancellationToken) =>
        ChangeAsync(async actor =>
        {
            if (!await db.Users.AsNoTracking().AnyAsync(u => u.Id == advocate, cancellationToken)
                && await routing.GetProfileAsync(advocate, cancellationToken) is null)
            {
                return (text["Routing_NoSuchAdvocate"].Value, StatusCodes.Status404NotFound);
            }
            if (!int.TryParse(capacity?.Trim(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var most))
            {
                throw new RoutingSettingsException("capacity", "Capacity is a whole number.");
            }
            var email = string.IsNullOrWhiteSpace(notifyEmail) ? null : notifyEmail.Trim();
            await routing.SaveProfileAsync(new AdvocateProfile(advocate, active, most, channels, languages, regions, affiliations, email),
                actor, cancellationToken);
            return (text["Routing_ProfileSaved"].Value, StatusCodes.Status200OK);
        }, cancellationToken);

    /// <summary>Marks a failed routing message as dealt with in RabbitMQ.</summary>
    public Task<IActionResult> OnPostResolveAsync(Guid message, CancellationToken cancellationToken) =>
        ChangeAsync(async actor =>
        {
            try
            {
                await routing.ResolveFaultAsync(message, actor, cancellationToken);
                return (text["Routing_FaultResolved"].Value, StatusCodes.Status200OK);
            }
            catch (LedgerAppendException)
            {
                // Resolved by another admin meanwhile, or no such message: either way nothing is stored.
                return (text["Routing_NoSuchFault"].Value, StatusCodes.Status404NotFound);
            }
        }, cancellationToken);

    private async Task<IActionResult> ChangeAsync(Func<string, Task<(string Text, int Status)>> change, CancellationToken cancellationToken)
    {
        if (await AdminConsole.RefuseChangeAsync(this, authorization, Path) is { } refused)
        {
            return refused;
        }
        int status;
        try
        {
            (var said, status) = await change(users.GetUserId(User)!);
            if (status == StatusCodes.Status200OK)
            {
                Message = said;
            }
            else
            {
                Error = said;
            }
        }
        catch (RoutingSettingsException invalid)
        {
            // The store's messages are English and name fields; the page says it in her language.
            var key = "Routing_Invalid_" + invalid.Field;
            Error = text[key] is { ResourceNotFound: false } found ? found.Value : text["Routing_Invalid"].Value;
            status = StatusCodes.Status400BadRequest;
        }
        await LoadAsync(cancellationToken);
        return AdminConsole.PageWithStatus(Page(), status);
    }

    private static RoutingList? ParseList(string? list) => list switch
    {
        "regions" => RoutingList.Regions,
        "organisations" => RoutingList.Organisations,
        _ => null,
    };

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        CanChange = User.IsInRole(StaffRoles.Admin);
        Rules = RoutingDirectory.RuleChainDescription(StaffLanguage.IsChinese(HttpContext) ? "zh" : "en");
        Regions = await routing.ListAsync(RoutingList.Regions, activeOnly: false, cancellationToken);
        Organisations = await routing.ListAsync(RoutingList.Organisations, activeOnly: false, cancellationToken);
        Channels = await channels.ListActiveAsync(cancellationToken);
        Waiting = await routing.WaitingQueueAsync(cancellationToken: cancellationToken);
        Faults = await routing.FaultsAsync(unresolvedOnly: true, cancellationToken);
        UnresolvedFaults = await routing.UnresolvedFaultCountAsync(cancellationToken);

        // Every advocate account gets a row, with a profile or the defaults a first save would store.
        var advocates = await (from u in db.Users.AsNoTracking()
                               join ur in db.UserRoles on u.Id equals ur.UserId
                               join r in db.Roles on ur.RoleId equals r.Id
                               where r.Name == StaffRoles.Advocate
                               select new { u.Id, u.DisplayName }).ToListAsync(cancellationToken);
        var profiles = (await routing.ListProfilesAsync(cancellationToken)).ToDictionary(p => p.AdvocateId);
        var names = await AdminConsole.NamesAsync(db, profiles.Keys, cancellationToken);
        foreach (var advocate in advocates)
        {
            names[advocate.Id] = advocate.DisplayName;
        }
        Profiles = names.Keys.Union(profiles.Keys)
            .Select(id => profiles.TryGetValue(id, out var stored)
                ? new ProfileRow(names.GetValueOrDefault(id) ?? id.ToString(), stored, Stored: true)
                : new ProfileRow(names[id], new AdvocateProfile(id, Active: true, KeysModel.DefaultCapacity, [], [.. RoutingHints.Languages], [], []), Stored: false))
            .OrderBy(p => p.Name, StringComparer.CurrentCulture).ToList();
    }
}
