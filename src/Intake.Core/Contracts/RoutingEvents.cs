namespace Intake.Core.Contracts;

// Routing events. Ids, rule names and reason codes only: never content, never a time finer than
// the hour (none of these carries a time at all).

/// <summary>A case was given to an advocate. <paramref name="AssignmentId"/> makes notifications idempotent.</summary>
public sealed record CaseAssigned(Guid CaseId, Guid AdvocateId, Guid AssignmentId, string Rule);

/// <summary>A case was taken from one advocate (e.g. not opened in time) and given to another, or put in the waiting queue
/// (<paramref name="ToAdvocateId"/> null).</summary>
public sealed record CaseReassigned(Guid CaseId, Guid FromAdvocateId, Guid? ToAdvocateId, Guid? AssignmentId, string Reason);

/// <summary>Nobody is eligible for a case: it waits in the visible queue; <paramref name="Reason"/> names the rule that removed the last candidates.</summary>
public sealed record CaseAwaitingAdvocate(Guid CaseId, string Reason);

/// <summary>The survivor added a follow-up to her case; the assigned advocate is told (without content).</summary>
public sealed record FollowUpReceived(Guid CaseId);
