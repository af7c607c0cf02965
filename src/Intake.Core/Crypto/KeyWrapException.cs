using System.Security.Cryptography;

namespace Intake.Core.Crypto;

/// <summary>Why a wrapped advocate key was refused.</summary>
public enum KeyWrapFailure
{
    /// <summary>The passphrase is wrong or the record was changed; AES-GCM cannot tell these apart, by design.</summary>
    WrongPassphraseOrTampered,

    /// <summary>The record is not a well-formed v1 record.</summary>
    Malformed,

    /// <summary>The iteration count is below the minimum or above the maximum.</summary>
    IterationsOutOfRange,
}

/// <summary>Thrown when an advocate key cannot be wrapped or unwrapped.</summary>
public sealed class KeyWrapException : CryptographicException
{
    /// <summary>Creates the exception for <paramref name="failure"/>.</summary>
    public KeyWrapException(KeyWrapFailure failure)
        : base($"The advocate key could not be unwrapped: {failure}.") => Failure = failure;

    /// <summary>Creates the exception with the most common reason.</summary>
    public KeyWrapException()
        : this(KeyWrapFailure.WrongPassphraseOrTampered)
    {
    }

    /// <summary>Creates the exception with a caller-supplied message.</summary>
    public KeyWrapException(string message)
        : base(message) => Failure = KeyWrapFailure.Malformed;

    /// <summary>Creates the exception with a caller-supplied message and cause.</summary>
    public KeyWrapException(string message, Exception innerException)
        : base(message, innerException) => Failure = KeyWrapFailure.Malformed;

    /// <summary>What was wrong.</summary>
    public KeyWrapFailure Failure { get; }
}
