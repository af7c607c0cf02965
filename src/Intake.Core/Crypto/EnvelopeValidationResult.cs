namespace Intake.Core.Crypto;

/// <summary>
/// The outcome of a shape check: errors keyed by field (e.g. "recipients[2].enc"), ready for the "errors" member of
/// an RFC 7807 problem-details response, and the parsed envelope when there are none.
/// </summary>
public sealed class EnvelopeValidationResult
{
    internal EnvelopeValidationResult(IReadOnlyDictionary<string, string[]> errors, Envelope? envelope)
    {
        Errors = errors;
        Envelope = envelope;
    }

    /// <summary>True when there are no errors.</summary>
    public bool IsValid => Envelope is not null;

    /// <summary>Field name to messages; empty when valid. Messages never echo input.</summary>
    public IReadOnlyDictionary<string, string[]> Errors { get; }

    /// <summary>The parsed envelope, or null when invalid.</summary>
    public Envelope? Envelope { get; }
}
