namespace Intake.Core;

/// <summary>Marker for the core assembly: domain, cryptography, ledger hashing and message contracts.</summary>
public static class CoreAssembly;
