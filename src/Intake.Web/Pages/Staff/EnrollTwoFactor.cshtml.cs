using Intake.Storage.Accounts;
using Intake.Web.Accounts;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;
using QRCoder;

namespace Intake.Web.Pages.Staff;

/// <summary>
/// Two-factor enrolment, right after the password: the TOTP secret as a QR code (a PNG in a
/// data: URI, drawn on the server, so no script and no third party sees it) and as text; a first
/// code confirms it; then ten recovery codes, shown this once. The first admin (bootstrap
/// invitation) is active from here; everyone else waits for an admin's approval.
/// </summary>
public sealed class EnrollTwoFactorModel(UserManager<StaffUser> users, TotpVerifier totp, StaffSignIn staffSignIn, TimeProvider time,
    IStringLocalizer<StaffText> text, ILogger<EnrollTwoFactorModel> logger) : PageModel
{
    public const int RecoveryCodeCount = 10;

    [BindProperty] public string? Code { get; set; }
    public string? Error { get; private set; }
    public string QrCodeDataUri { get; private set; } = "";
    public string SecretForDisplay { get; private set; } = "";
    public IReadOnlyList<string>? RecoveryCodes { get; private set; }
    public bool Active { get; private set; }

    public async Task<IActionResult> OnGetAsync()
    {
        var user = await users.GetUserAsync(User);
        if (user is null || user.Status != StaffStatus.PendingEnrollment)
        {
            return Redirect(StaffLanguage.Link(HttpContext, user is null ? "/staff/sign-in" : "/staff"));
        }
        var key = await users.GetAuthenticatorKeyAsync(user);
        if (string.IsNullOrEmpty(key))
        {
            await users.ResetAuthenticatorKeyAsync(user);
            key = (await users.GetAuthenticatorKeyAsync(user))!;
            await staffSignIn.SignInAsync(user, multiFactor: false); // the security stamp changed with the key
        }
        Show(user, key);
        return Page();
    }

    public async Task<IActionResult> OnPostAsync()
    {
        var user = await users.GetUserAsync(User);
        if (user is null || user.Status != StaffStatus.PendingEnrollment)
        {
            return Redirect(StaffLanguage.Link(HttpContext, user is null ? "/staff/sign-in" : "/staff"));
        }
        var key = await users.GetAuthenticatorKeyAsync(user);
        if (string.IsNullOrEmpty(key))
        {
            return Redirect(StaffLanguage.Link(HttpContext, "/staff/enroll/two-factor"));
        }
        var check = await totp.CheckAsync(user, Code);
        if (check != TotpCheck.Accepted)
        {
            Error = check == TotpCheck.AlreadyUsed ? text["Code_AlreadyUsed"] : text["Totp_Wrong"];
            Show(user, key);
            return Page();
        }
        await users.SetTwoFactorEnabledAsync(user, true);
        RecoveryCodes = [.. await users.GenerateNewTwoFactorRecoveryCodesAsync(user, RecoveryCodeCount) ?? []];
        var today = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
        user.EnrolledOn = today;
        // Only the bootstrap invitation has no inviter: the first admin, whom nobody can approve.
        if (user.InvitedBy is null && await users.IsInRoleAsync(user, StaffRoles.Admin))
        {
            user.Status = StaffStatus.Active;
            user.ApprovedOn = today;
        }
        else
        {
            user.Status = StaffStatus.PendingApproval;
        }
        var saved = await users.UpdateAsync(user);
        if (!saved.Succeeded)
        {
            throw new InvalidOperationException("The enrolment could not be saved: " + string.Join(", ", saved.Errors.Select(e => e.Code)));
        }
        Active = user.Status == StaffStatus.Active;
        await staffSignIn.SignInAsync(user, multiFactor: true);
        logger.LogInformation("Staff account {UserId} enrolled two-factor; now {Status}", user.Id, user.Status);
        return Page();
    }

    private void Show(StaffUser user, string key)
    {
        var label = Uri.EscapeDataString("Intake:" + user.Email);
        var uri = $"otpauth://totp/{label}?secret={key}&issuer=Intake&digits={Totp.Digits}&period={Totp.StepSeconds}";
        using var data = QRCodeGenerator.GenerateQrCode(uri, QRCodeGenerator.ECCLevel.M);
        var png = new PngByteQRCode(data).GetGraphic(6);
        QrCodeDataUri = "data:image/png;base64," + Convert.ToBase64String(png);
        SecretForDisplay = string.Join(' ', key.Chunk(4).Select(c => new string(c)));
    }
}
