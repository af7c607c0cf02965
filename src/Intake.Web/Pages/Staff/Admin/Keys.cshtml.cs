using Intake.Core.Crypto;
using Intake.Storage.Accounts;
using Intake.Storage.Cases;
using Intake.Storage.Routing;
using Intake.Storage.Workspace;
using Intake.Web.Accounts;
using Intake.Web.Workspace;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;

namespace Intake.Web.Pages.Staff.Admin;

/// <summary>
/// Approving and revoking advocates' keys: admins only, after a recent sign-in. Approval puts the
/// key in the chosen channels' directories; revocation shreds every content key sealed to it.
/// </summary>
[Authorize(Policy = StaffPolicies.Admin)]
[Authorize(Policy = StaffPolicies.RecentSignIn)]
public sealed class KeysModel(AdvocateKeyStore keys, ChannelDirectory channels, RoutingDirectory routing, AccountsDbContext db, IStringLocalizer<WorkspaceText> text) : PageModel
{
    /// <summary>Open cases a newly approved advocate may hold until an admin sets her own figure.</summary>
    public const int DefaultCapacity = 20;

    public IReadOnlyList<AdvocateKey> Keys { get; private set; } = [];
    public IReadOnlyList<Channel> Channels { get; private set; } = [];
    public IReadOnlyDictionary<Guid, string> Names { get; private set; } = new Dictionary<Guid, string>();
    public string? Message { get; private set; }
    public string? Error { get; private set; }

    public async Task OnGetAsync(CancellationToken cancellationToken) => await LoadAsync(cancellationToken);

    public async Task<IActionResult> OnPostApproveAsync(string kid, string[] channels, CancellationToken cancellationToken) =>
        await ActAsync(kid, async id =>
        {
            var admin = WorkspaceEndpoints.UserId(User);
            await keys.ApproveAsync(id, admin, channels, cancellationToken);
            // A key serves a channel so that she can read its cases: she becomes eligible for them in routing too.
            var owner = (await keys.FindAsync(id, cancellationToken))!.AdvocateId;
            var profile = await routing.GetProfileAsync(owner, cancellationToken)
                ?? new AdvocateProfile(owner, Active: true, Capacity: DefaultCapacity, [], ["zh", "en"], [], []);
            await routing.SaveProfileAsync(profile with { Channels = [.. profile.Channels.Union(channels, StringComparer.Ordinal)] },
                admin.ToString(), cancellationToken);
            return text["AdminKeys_Approved"];
        }, cancellationToken);

    public async Task<IActionResult> OnPostRevokeAsync(string kid, string? reason, CancellationToken cancellationToken) =>
        await ActAsync(kid, async id =>
        {
            var shredded = await keys.RevokeAsync(id, WorkspaceEndpoints.UserId(User), reason?.Trim() ?? "", cancellationToken);
            return text["AdminKeys_Revoked", shredded];
        }, cancellationToken);

    private async Task<IActionResult> ActAsync(string kid, Func<byte[], Task<string>> action, CancellationToken cancellationToken)
    {
        var status = StatusCodes.Status200OK;
        try
        {
            Message = Base64UrlStrict.TryDecode(kid) is { Length: 16 } id
                ? await action(id)
                : throw new KeyChangeException(KeyChangeFailure.NotFound, "There is no such key.");
        }
        catch (KeyChangeException refused)
        {
            Error = refused.Message;
            status = refused.Kind switch
            {
                KeyChangeFailure.NotFound => StatusCodes.Status404NotFound,
                KeyChangeFailure.Conflict => StatusCodes.Status409Conflict,
                KeyChangeFailure.Forbidden => StatusCodes.Status403Forbidden,
                _ => StatusCodes.Status400BadRequest,
            };
        }
        await LoadAsync(cancellationToken);
        var page = Page();
        page.StatusCode = status;
        return page;
    }

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        Keys = await keys.ReviewableAsync(cancellationToken);
        Channels = await channels.ListActiveAsync(cancellationToken);
        var owners = Keys.Select(k => k.AdvocateId).Distinct().ToList();
        Names = await db.Users.AsNoTracking().Where(u => owners.Contains(u.Id)).ToDictionaryAsync(u => u.Id, u => u.DisplayName, cancellationToken);
    }
}
