using System.Globalization;
using Intake.Core.Ledger;
using Intake.Storage.Accounts;
using Intake.Storage.Audit;
using Intake.Web.Accounts;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;

namespace Intake.Web.Pages.Staff.Admin;

/// <summary>One row of the audit view: the entry and what a person reads of it.</summary>
public sealed record AuditRow(AuditEntry Entry, string Kind, string Who, Guid? WhoId, string? CasePrefix, IReadOnlyList<string> Details);

/// <summary>
/// The audit view: every staff action the ledger records, newest first, for admins and auditors.
/// It reads the entries' public metadata only (<see cref="AuditLog"/>), so it can show who did what
/// and when, and never what a case says. Filters and cursors come from the query string and are
/// checked here: a wrong value gets a kind message and status 400.
/// </summary>
[Authorize(Policy = StaffPolicies.AdminOrAuditor)]
public sealed class AuditModel(AuditLog log, AccountsDbContext db, IStringLocalizer<StaffText> text) : PageModel
{
    private Dictionary<Guid, string> _names = [];

    public IReadOnlyList<AuditRow> Rows { get; private set; } = [];
    public IReadOnlyList<KeyValuePair<Guid, string>> People { get; private set; } = [];
    public string Kind { get; private set; } = "";
    public string Actor { get; private set; } = "";
    public string Case { get; private set; } = "";
    public string? Error { get; private set; }
    public string? OlderLink { get; private set; }
    public string? NewerLink { get; private set; }

    public async Task<IActionResult> OnGetAsync(string? kind, string? actor, [FromQuery(Name = "case")] string? caseId, string? before, string? after)
    {
        Kind = kind?.Trim() ?? "";
        Actor = actor?.Trim() ?? "";
        Case = caseId?.Trim() ?? "";
        await LoadPeopleAsync();

        LedgerEntryKind? kindFilter = null;
        Guid? actorFilter = null;
        Guid? caseFilter = null;
        long? olderThan = null;
        long? newerThan = null;
        if (Kind.Length > 0)
        {
            // By name only: Enum.TryParse would also take numbers and kinds that are not staff actions.
            kindFilter = AuditLog.Kinds.Where(k => k.ToString() == Kind).Cast<LedgerEntryKind?>().FirstOrDefault();
            if (kindFilter is null)
            {
                return Refuse(text["Audit_BadKind"]);
            }
        }
        if (Actor.Length > 0)
        {
            if (!Guid.TryParse(Actor, out var id))
            {
                return Refuse(text["Audit_BadActor"]);
            }
            actorFilter = id;
        }
        if (Case.Length > 0)
        {
            if (!Guid.TryParse(Case, out var id))
            {
                return Refuse(text["Audit_BadCase"]);
            }
            caseFilter = id;
        }
        if (!TryCursor(before, out olderThan) || !TryCursor(after, out newerThan) || (olderThan is not null && newerThan is not null))
        {
            return Refuse(text["Audit_BadPage"]);
        }

        var page = await log.PageAsync(new AuditFilter(kindFilter, actorFilter, caseFilter), olderThan, newerThan, cancellationToken: HttpContext.RequestAborted);
        Rows = page.Entries.Select(ToRow).ToList();
        OlderLink = page.OlderThan is { } older ? Link("before", older) : null;
        NewerLink = page.NewerThan is { } newer ? Link("after", newer) : null;
        return Page();
    }

    private IActionResult Refuse(LocalizedString message)
    {
        Error = message;
        var page = Page();
        page.StatusCode = StatusCodes.Status400BadRequest;
        return page;
    }

    private static bool TryCursor(string? value, out long? cursor)
    {
        cursor = null;
        if (string.IsNullOrWhiteSpace(value))
        {
            return true;
        }
        if (long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed))
        {
            cursor = parsed;
            return true;
        }
        return false;
    }

    private async Task LoadPeopleAsync()
    {
        var accounts = await db.Users.AsNoTracking().OrderBy(u => u.DisplayName).Select(u => new { u.Id, u.DisplayName }).ToListAsync(HttpContext.RequestAborted);
        _names = accounts.ToDictionary(u => u.Id, u => u.DisplayName);
        var people = accounts.Select(u => new KeyValuePair<Guid, string>(u.Id, u.DisplayName)).ToList();
        if (Guid.TryParse(Actor, out var chosen) && !_names.ContainsKey(chosen))
        {
            people.Add(new(chosen, chosen.ToString()));
        }
        People = people;
    }

    private AuditRow ToRow(AuditEntry entry)
    {
        Guid? whoId = Guid.TryParse(entry.Actor, out var id) ? id : null;
        var who = entry.Actor switch
        {
            null when entry.Kind == LedgerEntryKind.Assignment => text["Audit_Routing"].Value,
            null => text["Audit_Nobody"].Value,
            StaffAdministration.Operator => text["People_Operator"].Value,
            _ when whoId is { } known => NameOf(known),
            var other => other,
        };
        var details = new List<string>();
        if (entry.Kind == LedgerEntryKind.StatusChange && entry.Details.TryGetValue("from", out var from) && entry.Details.TryGetValue("to", out var to))
        {
            details.Add($"{from} → {to}");
        }
        foreach (var (name, value) in entry.Details.OrderBy(d => d.Key, StringComparer.Ordinal))
        {
            if (name is "actor" or "action" or "case" || (entry.Kind == LedgerEntryKind.StatusChange && name is "from" or "to"))
            {
                continue;
            }
            details.Add($"{name}: {(Guid.TryParse(value, out var named) ? NameOf(named) : value)}");
        }
        return new AuditRow(entry, text["Audit_Kind_" + entry.Kind].Value, who, whoId, entry.CaseId?.ToString("N")[..8], details);
    }

    private string NameOf(Guid id) => _names.TryGetValue(id, out var name) ? name : id.ToString();

    /// <summary>A link to this view with the current filters and one cursor.</summary>
    private string Link(string cursor, long value) => Filtered(cursor, value.ToString(CultureInfo.InvariantCulture));

    /// <summary>This view's path with the current filters, optionally one more query member, in the current language.</summary>
    public string Filtered(string? name = null, string? value = null, bool keepFilters = true)
    {
        var query = new List<KeyValuePair<string, string?>>();
        if (keepFilters)
        {
            foreach (var (key, current) in new[] { ("kind", Kind), ("actor", Actor), ("case", Case) })
            {
                if (current.Length > 0)
                {
                    query.Add(new(key, current));
                }
            }
        }
        if (name is not null)
        {
            query.RemoveAll(q => q.Key == name);
            query.Add(new(name, value));
        }
        return StaffLanguage.Link(HttpContext, "/staff/admin/audit" + QueryString.Create(query));
    }
}
