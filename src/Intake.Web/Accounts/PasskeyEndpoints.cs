using System.Text.Json;
using Intake.Core.Crypto;
using Intake.Core.Ledger;
using Intake.Storage.Accounts;
using Intake.Storage.Ledger;
using Intake.Web.Hosting;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;

namespace Intake.Web.Accounts;

/// <summary>
/// Passkeys (WebAuthn) for staff, on ASP.NET Core Identity's passkey support (docs/accounts.md).
/// A passkey signs her in on its own: it is something she has (the authenticator) verified with
/// something she knows or is (its PIN or biometric; user verification is required), so it counts
/// as both factors. She adds one only once signed in with both factors recently, and TOTP stays
/// enrolled as the way back if the passkey is lost. Adding and removing one are ledger entries.
/// </summary>
public static class PasskeyEndpoints
{
    public const int MaxNameLength = 100;
    private const int MaxCredentialBytes = 16 * 1024;

    public static IHostApplicationBuilder AddIntakePasskeys(this IHostApplicationBuilder builder)
    {
        builder.Services.Configure<IdentityPasskeyOptions>(options =>
        {
            options.UserVerificationRequirement = "required";
            options.ResidentKeyRequirement = "required";
        });
        return builder;
    }

    public static IEndpointRouteBuilder MapIntakePasskeys(this IEndpointRouteBuilder endpoints)
    {
        var own = endpoints.MapGroup("/api/staff/passkeys").RequireAuthorization(StaffPolicies.RecentSignIn);
        own.MapPost("/creation-options", CreationOptionsAsync);
        own.MapPost("", AddAsync);

        var signIn = endpoints.MapGroup("/api/staff/sign-in/passkey").AllowAnonymous();
        signIn.MapPost("/options", SignInOptionsAsync);
        signIn.MapPost("", SignInAsync);

        var reauth = endpoints.MapGroup("/api/staff/reauth/passkey").RequireAuthorization(StaffPolicies.Staff);
        reauth.MapPost("/options", ReauthOptionsAsync);
        reauth.MapPost("", ReauthAsync);
        return endpoints;
    }

    /// <summary>Where the page goes after a passkey sign-in or re-authentication.</summary>
    public sealed record Next(string Location);

    internal static async Task<ContentHttpResult> CreationOptionsAsync(HttpContext context, SignInManager<StaffUser> signIn, UserManager<StaffUser> users)
    {
        var user = (await users.GetUserAsync(context.User))!;
        var options = await signIn.MakePasskeyCreationOptionsAsync(new PasskeyUserEntity
        {
            Id = user.Id.ToString(),
            Name = user.Email ?? user.UserName ?? user.Id.ToString(),
            DisplayName = user.DisplayName,
        });
        return TypedResults.Content(options, "application/json");
    }

    internal static async Task<Results<Created<PasskeyView>, ProblemHttpResult>> AddAsync(HttpContext context, SignInManager<StaffUser> signIn,
        UserManager<StaffUser> users, LedgerWriter ledger, TimeProvider time, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        if (await ReadAsync(context, cancellationToken) is not { } body)
        {
            return ApiRequests.Invalid("credential", "Send {\"name\": \"...\", \"credential\": {...}} with the result of navigator.credentials.create().");
        }
        var name = body.Name?.Trim() ?? "";
        if (name.Length is 0 or > MaxNameLength || name.Any(char.IsControl))
        {
            return ApiRequests.Invalid("name", $"Give the passkey a name of 1 to {MaxNameLength} characters, such as the device it is on.");
        }
        PasskeyAttestationResult? result;
        try
        {
            result = await signIn.PerformPasskeyAttestationAsync(body.Credential);
        }
        catch (InvalidOperationException)
        {
            result = null; // no attestation under way in this session
        }
        await context.SignOutAsync(IdentityConstants.TwoFactorUserIdScheme); // the attestation state, used once
        var user = (await users.GetUserAsync(context.User))!;
        if (result is null || !result.Succeeded || result.UserEntity.Id != user.Id.ToString())
        {
            loggers.CreateLogger(typeof(PasskeyEndpoints)).LogInformation("Passkey refused for staff account {UserId}", user.Id);
            return TypedResults.Problem("The browser's answer was not accepted as a new passkey. Please try again.",
                statusCode: StatusCodes.Status400BadRequest, title: "Passkey not added");
        }
        var passkey = result.Passkey;
        passkey.Name = name;
        var added = await users.AddOrUpdatePasskeyAsync(user, passkey);
        if (!added.Succeeded)
        {
            return ApiRequests.Conflict("This passkey could not be stored; it may belong to another account.");
        }
        await RecordAsync(ledger, "account.passkey.add", user.Id, passkey.CredentialId, cancellationToken);
        loggers.CreateLogger(typeof(PasskeyEndpoints)).LogInformation("Passkey added to staff account {UserId}", user.Id);
        return TypedResults.Created("/staff/passkeys", new PasskeyView(Base64UrlStrict.Encode(passkey.CredentialId), name,
            DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime)));
    }

    internal static async Task<ContentHttpResult> SignInOptionsAsync(SignInManager<StaffUser> signIn) =>
        TypedResults.Content(await signIn.MakePasskeyRequestOptionsAsync(null), "application/json");

    internal static async Task<Results<Ok<Next>, ProblemHttpResult>> SignInAsync(HttpContext context, SignInManager<StaffUser> signIn,
        UserManager<StaffUser> users, StaffSignIn staffSignIn, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var (user, problem) = await AssertAsync(context, signIn, users, loggers, cancellationToken);
        if (user is null)
        {
            return problem!;
        }
        await staffSignIn.SignInAsync(user, multiFactor: true);
        loggers.CreateLogger(typeof(PasskeyEndpoints)).LogInformation("Staff account {UserId} signed in with a passkey", user.Id);
        var returnUrl = context.Request.Query["returnUrl"].ToString();
        return TypedResults.Ok(new Next(user.Status != StaffStatus.Active ? StaffLanguage.Link(context, "/staff/denied")
            : StaffUrls.IsLocal(returnUrl) ? returnUrl : StaffLanguage.Link(context, "/staff")));
    }

    internal static async Task<ContentHttpResult> ReauthOptionsAsync(HttpContext context, SignInManager<StaffUser> signIn, UserManager<StaffUser> users) =>
        TypedResults.Content(await signIn.MakePasskeyRequestOptionsAsync(await users.GetUserAsync(context.User)), "application/json");

    internal static async Task<Results<Ok<Next>, ProblemHttpResult>> ReauthAsync(HttpContext context, SignInManager<StaffUser> signIn,
        UserManager<StaffUser> users, StaffSignIn staffSignIn, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var (user, problem) = await AssertAsync(context, signIn, users, loggers, cancellationToken);
        if (user is null)
        {
            return problem!;
        }
        if (user.Id.ToString() != users.GetUserId(context.User))
        {
            return TypedResults.Problem("That passkey belongs to another account.", statusCode: StatusCodes.Status403Forbidden, title: "Passkey refused");
        }
        await staffSignIn.SignInAsync(user, multiFactor: true);
        var returnUrl = context.Request.Query["returnUrl"].ToString();
        return TypedResults.Ok(new Next(StaffUrls.IsLocal(returnUrl) ? returnUrl : StaffLanguage.Link(context, "/staff")));
    }

    /// <summary>Removes one of her passkeys (a ledger entry); false when she has no such passkey.</summary>
    public static async Task<bool> RemoveAsync(UserManager<StaffUser> users, LedgerWriter ledger, StaffUser user, byte[] credentialId,
        CancellationToken cancellationToken)
    {
        if (await users.GetPasskeyAsync(user, credentialId) is null || !(await users.RemovePasskeyAsync(user, credentialId)).Succeeded)
        {
            return false;
        }
        await RecordAsync(ledger, "account.passkey.remove", user.Id, credentialId, cancellationToken);
        return true;
    }

    /// <summary>
    /// Checks a passkey assertion: the credential, its signature over this session's challenge, and
    /// the account behind it (not locked out, and able to sign in). Failures count towards the lockout.
    /// </summary>
    private static async Task<(StaffUser? User, ProblemHttpResult? Problem)> AssertAsync(HttpContext context, SignInManager<StaffUser> signIn,
        UserManager<StaffUser> users, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        if (await ReadAsync(context, cancellationToken) is not { } body)
        {
            return (null, ApiRequests.Invalid("credential", "Send {\"credential\": {...}} with the result of navigator.credentials.get()."));
        }
        PasskeyAssertionResult<StaffUser> result;
        try
        {
            result = await signIn.PerformPasskeyAssertionAsync(body.Credential);
        }
        catch (InvalidOperationException)
        {
            // No assertion under way in this session: an answer to a challenge it never asked.
            return (null, Refused());
        }
        await context.SignOutAsync(IdentityConstants.TwoFactorUserIdScheme); // the assertion state, used once
        if (!result.Succeeded)
        {
            if (result.User is { } known)
            {
                await users.AccessFailedAsync(known);
            }
            loggers.CreateLogger(typeof(PasskeyEndpoints)).LogInformation("Passkey sign-in refused");
            return (null, Refused());
        }
        var user = result.User;
        if (await users.IsLockedOutAsync(user) || !await signIn.CanSignInAsync(user))
        {
            return (null, TypedResults.Problem("This account is locked for a while after too many failed attempts.",
                statusCode: StatusCodes.Status403Forbidden, title: "Locked"));
        }
        await users.AddOrUpdatePasskeyAsync(user, result.Passkey); // its new signature counter
        await users.ResetAccessFailedCountAsync(user);
        return (user, null);
    }

    private static ProblemHttpResult Refused() =>
        TypedResults.Problem("That passkey was not accepted.", statusCode: StatusCodes.Status401Unauthorized, title: "Passkey refused");

    private sealed record Body(string? Name, string Credential);

    /// <summary>The request's name (if any) and the credential as the JSON text Identity parses; null when malformed.</summary>
    private static async Task<Body?> ReadAsync(HttpContext context, CancellationToken cancellationToken)
    {
        var bytes = await ApiRequests.ReadLimitedAsync(context.Request, MaxCredentialBytes, cancellationToken);
        if (bytes is null)
        {
            return null;
        }
        try
        {
            using var document = JsonDocument.Parse(bytes);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("credential", out var credential) || credential.ValueKind != JsonValueKind.Object)
            {
                return null;
            }
            var name = root.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString() : null;
            return new Body(name, credential.GetRawText());
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static Task<AppendedEntry> RecordAsync(LedgerWriter ledger, string action, Guid account, byte[] credentialId, CancellationToken cancellationToken) =>
        ledger.AppendAsync(new LedgerAppend(LedgerEntryKind.AdminAction, Metadata: JsonSerializer.SerializeToUtf8Bytes(new
        {
            action,
            account,
            // A short fingerprint of the credential id tells passkeys apart in the audit view.
            passkey = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(credentialId))[..16],
            actor = account,
        })), cancellationToken);
}

/// <summary>One of her passkeys as the page lists it.</summary>
public sealed record PasskeyView(string Id, string Name, DateOnly Added);
