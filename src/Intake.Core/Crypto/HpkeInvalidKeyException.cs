using System.Security.Cryptography;

namespace Intake.Core.Crypto;

/// <summary>
/// Thrown when a key handed to the HPKE API by its own caller is malformed: a recipient public key that is not an
/// uncompressed P-256 point on the curve, or a private scalar outside [1, n-1].
/// </summary>
/// <remarks>
/// Kept apart from <see cref="HpkeOpenException"/> because it signals a configuration bug on our side, not a
/// hostile or corrupted message. A bad <c>enc</c> inside a received message is reported as
/// <see cref="HpkeOpenException"/> instead.
/// </remarks>
public sealed class HpkeInvalidKeyException : CryptographicException
{
    /// <summary>Creates the exception with a generic message.</summary>
    public HpkeInvalidKeyException()
        : base("The HPKE key is invalid.")
    {
    }

    /// <summary>Creates the exception with a message; it must not contain secret material.</summary>
    public HpkeInvalidKeyException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and cause; neither may carry secrets.</summary>
    public HpkeInvalidKeyException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
