using Intake.Storage.Accounts;
using Microsoft.AspNetCore.Identity;

namespace Intake.Web.Accounts;

public enum TotpCheck
{
    Accepted,
    Wrong,
    /// <summary>Right code, but its time step was already used: a replay, or a second tab.</summary>
    AlreadyUsed,
}

/// <summary>
/// Checks a TOTP code against her stored authenticator key and accepts each time step once:
/// the step is saved on the account (LastTotpStep) and a code of the same or an earlier step is
/// refused. Two requests racing with one code: the second save fails on the concurrency stamp.
/// </summary>
public sealed class TotpVerifier(UserManager<StaffUser> users, TimeProvider time)
{
    public Task<TotpCheck> CheckAsync(StaffUser user, string? code) => CheckAsync(users, time, user, code);

    // Static with the manager passed in: Identity's token provider gets the manager as an argument,
    // and asking DI for a UserManager from inside one would go round in a circle.
    internal static async Task<TotpCheck> CheckAsync(UserManager<StaffUser> users, TimeProvider time, StaffUser user, string? code)
    {
        var key = await users.GetAuthenticatorKeyAsync(user);
        var normalized = (code ?? "").Replace(" ", "", StringComparison.Ordinal).Replace("-", "", StringComparison.Ordinal);
        if (string.IsNullOrEmpty(key) || Totp.MatchingStep(Totp.FromBase32(key), normalized, time.GetUtcNow()) is not { } step)
        {
            return TotpCheck.Wrong;
        }
        if (user.LastTotpStep is { } last && step <= last)
        {
            return TotpCheck.AlreadyUsed;
        }
        user.LastTotpStep = step;
        return (await users.UpdateAsync(user)).Succeeded ? TotpCheck.Accepted : TotpCheck.AlreadyUsed;
    }
}

/// <summary>
/// Identity's authenticator provider slot, filled with the replay-refusing check, so that any
/// Identity API that verifies a code (and SignInManager's "does she have a second factor") goes
/// through <see cref="TotpVerifier"/>.
/// </summary>
public sealed class ReplayRefusingAuthenticatorProvider(TimeProvider time) : IUserTwoFactorTokenProvider<StaffUser>
{
    public async Task<bool> CanGenerateTwoFactorTokenAsync(UserManager<StaffUser> manager, StaffUser user) =>
        !string.IsNullOrEmpty(await manager.GetAuthenticatorKeyAsync(user));

    public Task<string> GenerateAsync(string purpose, UserManager<StaffUser> manager, StaffUser user) =>
        throw new NotSupportedException("TOTP codes come from her authenticator app.");

    public async Task<bool> ValidateAsync(string purpose, string token, UserManager<StaffUser> manager, StaffUser user) =>
        await TotpVerifier.CheckAsync(manager, time, user, token) == TotpCheck.Accepted;
}
