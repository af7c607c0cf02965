namespace Intake.Core.Contracts;

/// <summary>A testimony was committed to the ledger and waits to be routed. Ids and routing hints only.</summary>
/// <param name="Hints">What the survivor chose for routing (language, region id, excluded organisation ids);
/// null from senders that predate hints. The case's stored hints are authoritative; these are informative.</param>
public sealed record TestimonySubmitted(Guid CaseId, string Channel, RoutingHints? Hints = null);
