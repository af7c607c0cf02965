using System.Security.Cryptography;

namespace Intake.Core.Crypto;

/// <summary>
/// Thrown when an HPKE message cannot be opened: bad enc, wrong key, wrong info, or a ciphertext or aad that
/// fails authentication.
/// </summary>
/// <remarks>
/// Every cause gets the same message and no inner exception, so a caller that logs or echoes it cannot become an
/// oracle telling an attacker which part of a forged submission was wrong.
/// </remarks>
public sealed class HpkeOpenException : CryptographicException
{
    internal const string GenericMessage = "The HPKE message could not be opened.";

    /// <summary>Creates the exception with the generic message.</summary>
    public HpkeOpenException()
        : base(GenericMessage)
    {
    }

    /// <summary>Creates the exception with a caller-supplied message; it must not contain secret material.</summary>
    public HpkeOpenException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a caller-supplied message and cause; neither may carry secrets.</summary>
    public HpkeOpenException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
