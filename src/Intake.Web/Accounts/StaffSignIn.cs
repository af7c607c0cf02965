using System.Globalization;
using System.Security.Claims;
using Intake.Storage.Accounts;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;

namespace Intake.Web.Accounts;

public enum SecondFactorResult
{
    SignedIn,
    Wrong,
    AlreadyUsed,
    LockedOut,
    Expired,
}

/// <summary>
/// Sign-in with two factors: the password (Identity, with lockout), then a TOTP code or a
/// recovery code, checked here so a replayed code gets its own message. Only after both does
/// she get the session cookie marked "mfa" with the time she proved them (for RecentSignIn).
/// </summary>
public sealed class StaffSignIn(SignInManager<StaffUser> signIn, UserManager<StaffUser> users, TotpVerifier totp, TimeProvider time,
    IHttpContextAccessor http, ILogger<StaffSignIn> logger)
{
    /// <summary>Signs her in for this session; <paramref name="multiFactor"/> when she has just proved both factors.</summary>
    public Task SignInAsync(StaffUser user, bool multiFactor)
    {
        List<Claim> claims = [new("amr", multiFactor ? StaffPolicies.MultiFactor : "pwd")];
        if (multiFactor)
        {
            claims.Add(new Claim(StaffPolicies.AuthTimeClaim, time.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)));
        }
        return signIn.SignInWithClaimsAsync(user, new AuthenticationProperties { IsPersistent = false }, claims);
    }

    /// <summary>
    /// Checks the second factor for the user who passed the password step (or, for re-authentication,
    /// the signed-in user) and, when right, signs her in with both factors.
    /// </summary>
    public async Task<SecondFactorResult> SecondFactorAsync(StaffUser? user, string? code)
    {
        if (user is null)
        {
            return SecondFactorResult.Expired;
        }
        if (await users.IsLockedOutAsync(user))
        {
            return SecondFactorResult.LockedOut;
        }
        var trimmed = (code ?? "").Trim();
        var result = LooksLikeRecoveryCode(trimmed)
            ? (await users.RedeemTwoFactorRecoveryCodeAsync(user, trimmed)).Succeeded ? TotpCheck.Accepted : TotpCheck.Wrong
            : await totp.CheckAsync(user, trimmed);
        if (result != TotpCheck.Accepted)
        {
            await users.AccessFailedAsync(user);
            logger.LogInformation("Second factor refused for staff account {UserId}: {Reason}", user.Id, result);
            return await users.IsLockedOutAsync(user) ? SecondFactorResult.LockedOut
                : result == TotpCheck.AlreadyUsed ? SecondFactorResult.AlreadyUsed : SecondFactorResult.Wrong;
        }
        await users.ResetAccessFailedCountAsync(user);
        await http.HttpContext!.SignOutAsync(IdentityConstants.TwoFactorUserIdScheme);
        await SignInAsync(user, multiFactor: true);
        logger.LogInformation("Staff account {UserId} signed in with two factors", user.Id);
        return SecondFactorResult.SignedIn;
    }

    // Recovery codes from Identity are 11 characters with a hyphen ("ABCDE-12345"); TOTP codes are 6 digits.
    private static bool LooksLikeRecoveryCode(string code) => code.Length > 8;
}
