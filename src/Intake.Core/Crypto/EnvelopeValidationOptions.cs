namespace Intake.Core.Crypto;

/// <summary>What the server knows when it checks an envelope's shape.</summary>
public sealed record EnvelopeValidationOptions
{
    /// <summary>The channel the envelope was posted to; null skips the check.</summary>
    public string? ChannelId { get; init; }

    /// <summary>
    /// Base64url key ids of the channel's current advocate keys; null skips the check. A reply's survivor key id
    /// is accepted in addition, because the survivor's key is in no directory.
    /// </summary>
    public IReadOnlySet<string>? KnownKeyIds { get; init; }

    /// <summary>Largest padded stream length the service accepts (an upload limit); at most 1 TiB.</summary>
    public long MaxPaddedStreamLength { get; init; } = Padme.MaximumLength;

    /// <summary>
    /// For a note (a reply envelope for the case team only, docs/crypto.md §5.6): the survivor's
    /// reply key must not be a recipient, instead of must be.
    /// </summary>
    public bool TeamOnly { get; init; }
}
