using Intake.Core.Crypto;
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
using Npgsql;

namespace Intake.Web.Pages.Staff.Admin;

/// <summary>One channel as the console shows it: its names, how many keys its directory holds, who serves it and its own questions.</summary>
public sealed record ChannelRow(Channel Channel, int Keys, IReadOnlyList<string> Advocates, IReadOnlyList<ChannelQuestion> Questions);

/// <summary>
/// Channels: admins add one or rename it (admin actions in the ledger); admins and auditors see each channel's
/// names, the size of its key directory and the advocates whose routing profiles name it.
/// Every channel asks the survivor form's standard questions; an admin may add up to ten of the
/// channel's own, in both languages, asked after them.
/// </summary>
[Authorize(Policy = StaffPolicies.AdminOrAuditor)]
public sealed class ChannelsModel(ChannelDirectory channels, RoutingDirectory routing, AccountsDbContext db,
    IAuthorizationService authorization, UserManager<StaffUser> users, IStringLocalizer<StaffText> text) : PageModel
{
    public const int MaxNameLength = 100;

    public IReadOnlyList<ChannelRow> Channels { get; private set; } = [];
    public bool CanChange { get; private set; }
    public string? Message { get; private set; }
    public string? Error { get; private set; }

    /// <summary>What she typed, shown again when it is refused.</summary>
    public string? NewId { get; private set; }
    public string? NewNameEn { get; private set; }
    public string? NewNameZh { get; private set; }

    public async Task OnGetAsync(CancellationToken cancellationToken) => await LoadAsync(cancellationToken);

    public async Task<IActionResult> OnPostAddAsync(string? id, string? nameEn, string? nameZh, CancellationToken cancellationToken)
    {
        if (await AdminConsole.RefuseChangeAsync(this, authorization, "/staff/admin/channels") is { } notAllowed)
        {
            return notAllowed;
        }
        NewId = id?.Trim() ?? "";
        NewNameEn = nameEn?.Trim() ?? "";
        NewNameZh = nameZh?.Trim() ?? "";
        var status = StatusCodes.Status200OK;
        if (!EnvelopeHeader.IsValidChannelId(NewId))
        {
            (Error, status) = (text["Channels_BadId"], StatusCodes.Status400BadRequest);
        }
        else if (NewNameEn.Length is 0 or > MaxNameLength || NewNameZh.Length is 0 or > MaxNameLength)
        {
            (Error, status) = (text["Channels_BadName", MaxNameLength], StatusCodes.Status400BadRequest);
        }
        else
        {
            try
            {
                await channels.AddChannelAsync(new Channel(NewId, NewNameEn, NewNameZh), users.GetUserId(User)!, cancellationToken);
                Message = text["Channels_Added", NewId];
                NewId = NewNameEn = NewNameZh = null;
            }
            catch (LedgerAppendException refused) when (refused.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
            {
                // An existing channel, active or closed: ids are never reused, since cases and keys refer to them.
                (Error, status) = (text["Channels_Exists", NewId!], StatusCodes.Status409Conflict);
            }
            catch (LedgerAppendException refused) when (refused.InnerException is PostgresException { SqlState: PostgresErrorCodes.CheckViolation })
            {
                (Error, status) = (text["Channels_BadName", MaxNameLength], StatusCodes.Status400BadRequest);
            }
        }
        await LoadAsync(cancellationToken);
        return AdminConsole.PageWithStatus(Page(), status);
    }

    /// <summary>Changes a channel's names in both languages; its id, keys and cases stay as they are.</summary>
    public async Task<IActionResult> OnPostRenameAsync(string? id, string? nameEn, string? nameZh, CancellationToken cancellationToken)
    {
        if (await AdminConsole.RefuseChangeAsync(this, authorization, "/staff/admin/channels") is { } notAllowed)
        {
            return notAllowed;
        }
        var (en, zh) = (nameEn?.Trim() ?? "", nameZh?.Trim() ?? "");
        var status = StatusCodes.Status200OK;
        if (en.Length is 0 or > MaxNameLength || zh.Length is 0 or > MaxNameLength)
        {
            (Error, status) = (text["Channels_BadName", MaxNameLength], StatusCodes.Status400BadRequest);
        }
        else if (id is null || !EnvelopeHeader.IsValidChannelId(id)
            || !await channels.RenameAsync(new Channel(id, en, zh), users.GetUserId(User)!, cancellationToken))
        {
            (Error, status) = (text["Channels_Unknown"], StatusCodes.Status404NotFound);
        }
        else
        {
            Message = text["Channels_Renamed", id];
        }
        await LoadAsync(cancellationToken);
        return AdminConsole.PageWithStatus(Page(), status);
    }

    /// <summary>
    /// Sets a channel's own questions: one per line, the same number of lines in each language (an
    /// empty pair removes them). Survivors see them at once; answers already given keep the question as she read it.
    /// </summary>
    public async Task<IActionResult> OnPostQuestionsAsync(string? id, string? questionsEn, string? questionsZh, CancellationToken cancellationToken)
    {
        if (await AdminConsole.RefuseChangeAsync(this, authorization, "/staff/admin/channels") is { } notAllowed)
        {
            return notAllowed;
        }
        static List<string> Lines(string? text) =>
            [.. (text ?? "").Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0)];
        var (en, zh) = (Lines(questionsEn), Lines(questionsZh));
        var status = StatusCodes.Status200OK;
        if (en.Count != zh.Count || en.Count > ChannelQuestion.MaxQuestions
            || en.Concat(zh).Any(l => l.Length > ChannelQuestion.MaxLength || l.Any(char.IsControl)))
        {
            (Error, status) = (text["Channels_QuestionsBad", ChannelQuestion.MaxQuestions, ChannelQuestion.MaxLength], StatusCodes.Status400BadRequest);
        }
        else if (id is null || !EnvelopeHeader.IsValidChannelId(id)
            || !await channels.SetQuestionsAsync(id, [.. en.Zip(zh)], users.GetUserId(User)!, cancellationToken))
        {
            (Error, status) = (text["Channels_Unknown"], StatusCodes.Status404NotFound);
        }
        else
        {
            Message = text["Channels_QuestionsSaved", id];
        }
        await LoadAsync(cancellationToken);
        return AdminConsole.PageWithStatus(Page(), status);
    }

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        CanChange = User.IsInRole(StaffRoles.Admin);
        var list = await channels.ListActiveAsync(cancellationToken);
        var profiles = await routing.ListProfilesAsync(cancellationToken);
        var names = await AdminConsole.NamesAsync(db, profiles.Select(p => p.AdvocateId), cancellationToken);
        var questions = await channels.QuestionsAsync(cancellationToken);
        var rows = new List<ChannelRow>(list.Count);
        foreach (var channel in list)
        {
            var keys = await channels.CurrentKeysAsync(channel.Id, cancellationToken);
            var serving = profiles.Where(p => p.Channels.Contains(channel.Id, StringComparer.Ordinal))
                .Select(p => names.GetValueOrDefault(p.AdvocateId) ?? p.AdvocateId.ToString())
                .Order(StringComparer.CurrentCulture).ToList();
            rows.Add(new ChannelRow(channel, keys?.Count ?? 0, serving, questions.GetValueOrDefault(channel.Id) ?? []));
        }
        Channels = rows;
    }
}

/// <summary>What the console pages (channels, routing) share: who may change things, and answering with a status.</summary>
internal static class AdminConsole
{
    /// <summary>
    /// Null when she may make a change; otherwise the answer. Auditors read these pages but change
    /// nothing (403). A change needs a recent sign-in: Razor Pages cannot authorize one handler,
    /// so she is sent to /staff/reauth and back to the page, where she submits again.
    /// </summary>
    public static async Task<IActionResult?> RefuseChangeAsync(PageModel page, IAuthorizationService authorization, string path)
    {
        if (!(await authorization.AuthorizeAsync(page.User, StaffPolicies.Admin)).Succeeded)
        {
            return new ForbidResult();
        }
        if (!(await authorization.AuthorizeAsync(page.User, StaffPolicies.RecentSignIn)).Succeeded)
        {
            return new RedirectResult("/staff/reauth?returnUrl=" + Uri.EscapeDataString(StaffLanguage.Link(page.HttpContext, path)));
        }
        return null;
    }

    public static PageResult PageWithStatus(PageResult page, int status)
    {
        page.StatusCode = status;
        return page;
    }

    /// <summary>Staff display names by account id (as given at enrolment).</summary>
    public static async Task<Dictionary<Guid, string>> NamesAsync(AccountsDbContext db, IEnumerable<Guid> ids, CancellationToken cancellationToken)
    {
        var wanted = ids.Distinct().ToList();
        return await db.Users.AsNoTracking().Where(u => wanted.Contains(u.Id)).ToDictionaryAsync(u => u.Id, u => u.DisplayName, cancellationToken);
    }
}
