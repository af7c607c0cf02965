namespace Intake.Core.Contracts;

// Message contracts: ids and routing hints only, never content.

/// <summary>Asks a worker to answer, proving a message can make the round trip through RabbitMQ.</summary>
public sealed record BusProbe(Guid ProbeId);

/// <summary>The worker's answer to <see cref="BusProbe"/>.</summary>
public sealed record BusProbeAnswered(Guid ProbeId);
