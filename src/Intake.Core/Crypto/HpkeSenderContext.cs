namespace Intake.Core.Crypto;

/// <summary>
/// The sender side of an HPKE base-mode session: seals an ordered stream of messages to one recipient and can
/// export secrets bound to the session. Not thread-safe; dispose to wipe the session keys.
/// </summary>
public sealed class HpkeSenderContext : IDisposable
{
    internal HpkeSenderContext(HpkeAeadContext inner) => Inner = inner;

    internal HpkeAeadContext Inner { get; }

    /// <summary>Encrypts the next message in the stream; the recipient must open messages in the same order.</summary>
    /// <returns>ciphertext || 16-byte tag.</returns>
    public byte[] Seal(ReadOnlySpan<byte> aad, ReadOnlySpan<byte> plaintext) => Inner.Seal(aad, plaintext);

    /// <summary>Derives <paramref name="length"/> (1..8160) bytes bound to this session and <paramref name="exporterContext"/>.</summary>
    public byte[] Export(ReadOnlySpan<byte> exporterContext, int length) => Inner.Export(exporterContext, length);

    /// <inheritdoc/>
    public void Dispose() => Inner.Dispose();
}
