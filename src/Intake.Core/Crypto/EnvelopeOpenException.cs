using System.Security.Cryptography;

namespace Intake.Core.Crypto;

/// <summary>Why an envelope's content key could not be recovered.</summary>
public enum EnvelopeFailure
{
    /// <summary>The envelope has no entry for this private key's key id.</summary>
    NotARecipient,

    /// <summary>HPKE open failed: the header, entry or enc was changed, or the entry belongs to another envelope.</summary>
    Authentication,
}

/// <summary>Thrown when an envelope cannot be opened with a given private key.</summary>
public sealed class EnvelopeOpenException : CryptographicException
{
    /// <summary>Creates the exception for <paramref name="failure"/>.</summary>
    public EnvelopeOpenException(EnvelopeFailure failure)
        : base($"The envelope could not be opened: {failure}.") => Failure = failure;

    /// <summary>Creates the exception with a generic failure reason.</summary>
    public EnvelopeOpenException()
        : this(EnvelopeFailure.Authentication)
    {
    }

    /// <summary>Creates the exception with a caller-supplied message.</summary>
    public EnvelopeOpenException(string message)
        : base(message) => Failure = EnvelopeFailure.Authentication;

    /// <summary>Creates the exception with a caller-supplied message and cause.</summary>
    public EnvelopeOpenException(string message, Exception innerException)
        : base(message, innerException) => Failure = EnvelopeFailure.Authentication;

    /// <summary>What was wrong.</summary>
    public EnvelopeFailure Failure { get; }
}
