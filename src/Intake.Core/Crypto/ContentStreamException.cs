using System.Security.Cryptography;

namespace Intake.Core.Crypto;

/// <summary>Why a content stream was refused.</summary>
public enum ContentStreamFailure
{
    /// <summary>The 30-byte header is malformed (magic, version, purpose or padded length).</summary>
    InvalidHeader,

    /// <summary>The header is well formed but is not the one the envelope lists for this stream.</summary>
    HeaderMismatch,

    /// <summary>A chunk failed authentication: tampered, reordered, duplicated, or the wrong key or envelope.</summary>
    Authentication,

    /// <summary>The input ended before the final chunk.</summary>
    Truncated,

    /// <summary>Bytes follow the final chunk.</summary>
    TrailingData,

    /// <summary>The authenticated plaintext has a length prefix or padding that a correct sender never produces.</summary>
    InvalidPadding,
}

/// <summary>
/// Thrown when a content stream cannot be opened. Plaintext written before the failure must be discarded: only a
/// stream whose open call returns normally is complete and authentic.
/// </summary>
public sealed class ContentStreamException : CryptographicException
{
    /// <summary>Creates the exception for <paramref name="failure"/>.</summary>
    public ContentStreamException(ContentStreamFailure failure)
        : base($"The content stream could not be opened: {failure}.") => Failure = failure;

    /// <summary>Creates the exception with a generic failure reason.</summary>
    public ContentStreamException()
        : this(ContentStreamFailure.Authentication)
    {
    }

    /// <summary>Creates the exception with a caller-supplied message.</summary>
    public ContentStreamException(string message)
        : base(message) => Failure = ContentStreamFailure.Authentication;

    /// <summary>Creates the exception with a caller-supplied message and cause.</summary>
    public ContentStreamException(string message, Exception innerException)
        : base(message, innerException) => Failure = ContentStreamFailure.Authentication;

    /// <summary>What was wrong.</summary>
    public ContentStreamFailure Failure { get; }
}
