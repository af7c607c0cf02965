using System.Security.Cryptography;

namespace Intake.Core.Crypto;

/// <summary>Thrown when a receipt vault does not open: the receipt is wrong or the vault was changed.</summary>
public sealed class ReceiptVaultException : CryptographicException
{
    /// <summary>Creates the exception with the generic message.</summary>
    public ReceiptVaultException()
        : base("The receipt vault could not be opened.")
    {
    }

    /// <summary>Creates the exception with a caller-supplied message.</summary>
    public ReceiptVaultException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a caller-supplied message and cause.</summary>
    public ReceiptVaultException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
