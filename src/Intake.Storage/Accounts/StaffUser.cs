using Microsoft.AspNetCore.Identity;

namespace Intake.Storage.Accounts;

/// <summary>Where a staff account stands. Only <see cref="Active"/> gets past the staff pages' door.</summary>
public enum StaffStatus
{
    /// <summary>Password set from an invitation, two-factor not yet enrolled.</summary>
    PendingEnrollment,
    /// <summary>Enrolled; waits for an admin other than the inviter (Accounts:AdminsPerApproval).</summary>
    PendingApproval,
    Active,
    Suspended,
}

/// <summary>The three staff roles, named once. Admins manage people and policy, never content.</summary>
public static class StaffRoles
{
    public const string Advocate = "Advocate";
    public const string Admin = "Admin";
    public const string Auditor = "Auditor";

    public static IReadOnlyList<string> All { get; } = [Advocate, Admin, Auditor];

    public static bool IsKnown(string? role) => role is not null && All.Contains(role, StringComparer.Ordinal);
}

/// <summary>
/// A staff member (advocate, admin or auditor). Dates are days: nothing here needs the hour.
/// <see cref="LastTotpStep"/> is the 30-second step of the last accepted TOTP code, so a code is
/// accepted once only (RFC 6238 section 5.2).
/// </summary>
public sealed class StaffUser : IdentityUser<Guid>
{
    public string DisplayName { get; set; } = "";
    public StaffStatus Status { get; set; } = StaffStatus.PendingEnrollment;
    public Guid? InvitedBy { get; set; }
    public Guid? ApprovedBy { get; set; }
    public long? LastTotpStep { get; set; }
    public DateOnly? EnrolledOn { get; set; }
    public DateOnly? ApprovedOn { get; set; }
}

/// <summary>
/// A single-use invitation. Only the SHA-256 of its token is stored: a copy of the database
/// cannot be turned into a working link. <see cref="InvitedBy"/> is null for the first admin's
/// invitation, which comes from <c>intake admin bootstrap</c>.
/// </summary>
public sealed class StaffInvitation
{
    public Guid Id { get; set; }
    public byte[] TokenHash { get; set; } = [];
    public string Role { get; set; } = "";
    public Guid? InvitedBy { get; set; }
    public DateOnly CreatedOn { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }
    public Guid? AcceptedBy { get; set; }
    public DateOnly? AcceptedOn { get; set; }
}
