using Intake.Storage.Ledger;

namespace Intake.Storage.Routing;

/// <summary>A routing write found the world changed since the decision (the advocate filled up or was
/// deactivated, or the assignment being ended was opened meanwhile); decide again.</summary>
public sealed class RoutingStaleException(string message) : LedgerAppendException(message);

/// <summary>The case already has an active assignee: a duplicate or redelivered message.</summary>
public sealed class CaseAlreadyAssignedException() : LedgerAppendException("The case already has an active assignee.");

/// <summary>The case was withdrawn, purged or closed: nothing to route.</summary>
public sealed class RoutingCaseGoneException() : LedgerAppendException("The case no longer exists or is closed.");

/// <summary>An admin's routing change was refused; <see cref="Field"/> names the member.</summary>
public sealed class RoutingSettingsException(string field, string message) : Exception(message)
{
    public string Field { get; } = field;
}
