using System.ComponentModel.DataAnnotations;

namespace Intake.Web.Accounts;

/// <summary>Settings of the "Accounts" section (docs/accounts.md).</summary>
public sealed class AccountsOptions
{
    public const string Section = "Accounts";

    /// <summary>
    /// How many admins an account's vetting takes: 2 (the default) means the admin who approves
    /// must not be the one who invited; 1 lets a very small team's only admin approve her own invitations.
    /// </summary>
    [Range(1, 2, ErrorMessage = "Accounts:AdminsPerApproval must be 1 or 2.")]
    public int AdminsPerApproval { get; set; } = 2;

    /// <summary>How long an invitation link works.</summary>
    [Range(typeof(TimeSpan), "00:05:00", "30.00:00:00", ErrorMessage = "Accounts:InvitationLifetime must be between 00:05:00 and 30.00:00:00.")]
    public TimeSpan InvitationLifetime { get; set; } = TimeSpan.FromHours(72);

    /// <summary>A staff session ends after this long without a request (sliding).</summary>
    [Range(typeof(TimeSpan), "00:01:00", "12:00:00", ErrorMessage = "Accounts:IdleTimeout must be between 00:01:00 and 12:00:00.")]
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromMinutes(20);

    /// <summary>Wrong passwords or codes in a row before the account is locked.</summary>
    [Range(3, 20, ErrorMessage = "Accounts:MaxFailedAttempts must be between 3 and 20.")]
    public int MaxFailedAttempts { get; set; } = 5;

    /// <summary>How long a lockout lasts.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "1.00:00:00", ErrorMessage = "Accounts:LockoutDuration must be between 00:01:00 and 1.00:00:00.")]
    public TimeSpan LockoutDuration { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Passwords shorter than this are refused (no other composition rule).</summary>
    public const int MinimumPasswordLength = 14;

    /// <summary>How long a sign-in counts as recent for sensitive actions (policy RecentSignIn).</summary>
    [Range(typeof(TimeSpan), "00:00:05", "01:00:00", ErrorMessage = "Accounts:RecentSignInWindow must be between 00:00:05 and 01:00:00.")]
    public TimeSpan RecentSignInWindow { get; set; } = TimeSpan.FromMinutes(5);
}
