namespace Intake.Core.Contracts;

/// <summary>A testimony was committed to the ledger and waits to be routed. Ids and routing hints only.</summary>
public sealed record TestimonySubmitted(Guid CaseId, string Channel);
