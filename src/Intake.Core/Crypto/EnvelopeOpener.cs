namespace Intake.Core.Crypto;

/// <summary>Recovers the content key from an envelope with one recipient's private key.</summary>
public static class EnvelopeOpener
{
    /// <summary>Finds this key's entry by key id and opens it against the envelope's header hash.</summary>
    /// <returns>The 32-byte content key; the caller should zero it when done.</returns>
    /// <exception cref="EnvelopeOpenException">Not a recipient, or the envelope was altered.</exception>
    /// <exception cref="HpkeInvalidKeyException">The private key is not a valid P-256 scalar.</exception>
    public static byte[] OpenContentKey(Envelope envelope, ReadOnlySpan<byte> recipientPrivateKey)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        byte[] kid = RecipientKeys.KeyId(HpkeSuite.GetPublicKey(recipientPrivateKey));
        EnvelopeRecipient entry = envelope.Recipients.FirstOrDefault(r => r.KeyId.Span.SequenceEqual(kid))
            ?? throw new EnvelopeOpenException(EnvelopeFailure.NotARecipient);

        byte[] contentKey;
        try
        {
            contentKey = EnvelopeSealer.Suite.Open(
                recipientPrivateKey, entry.Enc.Span, IntakeLabels.ContentKeyInfo, envelope.Header.ComputeHash(), entry.SealedKey.Span);
        }
        catch (HpkeOpenException)
        {
            throw new EnvelopeOpenException(EnvelopeFailure.Authentication);
        }

        // The sealed length is fixed by the validator, so this only fires for an envelope built in memory.
        return contentKey.Length == EnvelopeHeader.ContentKeyLength
            ? contentKey
            : throw new EnvelopeOpenException(EnvelopeFailure.Authentication);
    }
}
