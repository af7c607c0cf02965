namespace Intake.Core.Crypto;

/// <summary>
/// The recipient side of an HPKE base-mode session: opens the sender's messages in order and can export the same
/// secrets the sender can. Not thread-safe; dispose to wipe the session keys.
/// </summary>
public sealed class HpkeRecipientContext : IDisposable
{
    internal HpkeRecipientContext(HpkeAeadContext inner) => Inner = inner;

    internal HpkeAeadContext Inner { get; }

    /// <summary>Decrypts the next message in the stream. A failed open does not advance the stream.</summary>
    /// <exception cref="HpkeOpenException">The ciphertext or aad does not authenticate.</exception>
    public byte[] Open(ReadOnlySpan<byte> aad, ReadOnlySpan<byte> ciphertext) => Inner.Open(aad, ciphertext);

    /// <summary>Derives <paramref name="length"/> (1..8160) bytes bound to this session and <paramref name="exporterContext"/>.</summary>
    public byte[] Export(ReadOnlySpan<byte> exporterContext, int length) => Inner.Export(exporterContext, length);

    /// <inheritdoc/>
    public void Dispose() => Inner.Dispose();
}
