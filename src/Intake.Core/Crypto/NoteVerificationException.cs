using System.Security.Cryptography;

namespace Intake.Core.Crypto;

/// <summary>Why a signed note was refused.</summary>
public enum NoteFailure
{
    /// <summary>Not in the strict format: encoding, control characters, blank lines, separators, base64.</summary>
    Malformed,

    /// <summary>A signature line names a key (name and key id together) this verifier does not know.</summary>
    UnknownKey,

    /// <summary>The same key signed twice.</summary>
    DuplicateSignature,

    /// <summary>A known key's signature does not verify.</summary>
    BadSignature,
}

/// <summary>Thrown when a signed note does not verify.</summary>
public sealed class NoteVerificationException : CryptographicException
{
    /// <summary>Creates the exception for <paramref name="failure"/>.</summary>
    public NoteVerificationException(NoteFailure failure)
        : base($"The signed note was refused: {failure}.") => Failure = failure;

    /// <summary>Creates the exception with a generic reason.</summary>
    public NoteVerificationException()
        : this(NoteFailure.Malformed)
    {
    }

    /// <summary>Creates the exception with a caller-supplied message.</summary>
    public NoteVerificationException(string message)
        : base(message) => Failure = NoteFailure.Malformed;

    /// <summary>Creates the exception with a caller-supplied message and cause.</summary>
    public NoteVerificationException(string message, Exception innerException)
        : base(message, innerException) => Failure = NoteFailure.Malformed;

    /// <summary>What was wrong.</summary>
    public NoteFailure Failure { get; }
}
