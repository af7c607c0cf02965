using System.Security.Cryptography;
using System.Text;

namespace Intake.Core.Crypto;

/// <summary>
/// Everything an envelope commits to, in one canonical byte string (docs/crypto.md, "Envelope header"). Its SHA-256,
/// the header hash, is the AAD of every sealed content key and of every stream chunk, so changing any field (channel,
/// recipient set, reply key, parent, streams) makes every open fail.
/// </summary>
public sealed class EnvelopeHeader
{
    /// <summary>Length of a content key.</summary>
    public const int ContentKeyLength = 32;

    /// <summary>Length of the header hash and of <see cref="Parent"/>.</summary>
    public const int HashLength = 32;

    /// <summary>Most recipients an envelope may have.</summary>
    public const int MaxRecipients = 32;

    /// <summary>Most streams an envelope may list: one body and up to 16 attachments.</summary>
    public const int MaxStreams = 17;

    /// <summary>Longest channel id.</summary>
    public const int MaxChannelIdLength = 32;

    private readonly byte[] _replyPublicKey;
    private readonly byte[]? _parent;
    private readonly byte[][] _recipientKeyIds;

    /// <summary>Builds and checks a header; key ids are sorted here, so callers may pass them in any order.</summary>
    /// <exception cref="ArgumentException">A field is out of range (see docs/crypto.md for the limits).</exception>
    public EnvelopeHeader(
        EnvelopeKind kind,
        string channelId,
        ReadOnlyMemory<byte>? parent,
        ReadOnlyMemory<byte> replyPublicKey,
        IEnumerable<ReadOnlyMemory<byte>> recipientKeyIds,
        IEnumerable<StreamHeader> streams)
    {
        ArgumentNullException.ThrowIfNull(recipientKeyIds);
        ArgumentNullException.ThrowIfNull(streams);
        if (!Enum.IsDefined(kind))
        {
            throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown envelope kind.");
        }

        if (!IsValidChannelId(channelId))
        {
            throw new ArgumentException("A channel id is 1 to 32 of a-z, 0-9 and '-', not starting or ending with '-'.", nameof(channelId));
        }

        if ((kind == EnvelopeKind.Reply) != parent.HasValue || (parent.HasValue && parent.Value.Length != HashLength))
        {
            throw new ArgumentException("A reply has a 32-byte parent header hash; a submission has none.", nameof(parent));
        }

        if (!RecipientKeys.HasPublicKeyShape(replyPublicKey.Span))
        {
            throw new ArgumentException("The reply key must be a 65-byte uncompressed P-256 point.", nameof(replyPublicKey));
        }

        byte[][] kids = [.. recipientKeyIds.Select(k => k.ToArray())];
        Array.Sort(kids, (a, b) => a.AsSpan().SequenceCompareTo(b));
        if (kids.Length is 0 or > MaxRecipients
            || kids.Any(k => k.Length != RecipientKeys.KeyIdLength)
            || kids.Zip(kids.Skip(1)).Any(p => p.First.AsSpan().SequenceEqual(p.Second)))
        {
            throw new ArgumentException($"An envelope has 1 to {MaxRecipients} distinct 16-byte key ids.", nameof(recipientKeyIds));
        }

        StreamHeader[] streamList = [.. streams];
        if (!HasValidStreamList(streamList))
        {
            throw new ArgumentException($"An envelope lists a body stream first, then up to {MaxStreams - 1} attachments, all with distinct ids.", nameof(streams));
        }

        Kind = kind;
        ChannelId = channelId;
        _parent = parent?.ToArray();
        _replyPublicKey = replyPublicKey.ToArray();
        _recipientKeyIds = kids;
        Streams = streamList;
    }

    /// <summary>Submission or reply.</summary>
    public EnvelopeKind Kind { get; }

    /// <summary>The channel slug.</summary>
    public string ChannelId { get; }

    /// <summary>For a reply, the header hash of the case's submission envelope; null for a submission.</summary>
    public ReadOnlyMemory<byte>? Parent => _parent is null ? default(ReadOnlyMemory<byte>?) : _parent;

    /// <summary>The survivor's reply public key (65 bytes).</summary>
    public ReadOnlyMemory<byte> ReplyPublicKey => _replyPublicKey;

    /// <summary>Recipient key ids in ascending byte order.</summary>
    public IReadOnlyList<ReadOnlyMemory<byte>> RecipientKeyIds => [.. _recipientKeyIds.Select(k => (ReadOnlyMemory<byte>)k)];

    /// <summary>The body stream, then the attachments.</summary>
    public IReadOnlyList<StreamHeader> Streams { get; }

    /// <summary>Whether <paramref name="channelId"/> is 1-32 of [a-z0-9-] with no '-' at either end.</summary>
    public static bool IsValidChannelId(string? channelId) =>
        channelId is { Length: > 0 and <= MaxChannelIdLength }
        && channelId.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-')
        && channelId[0] != '-'
        && channelId[^1] != '-';

    /// <summary>
    /// "intake/envelope" || version || kind || len(channel) || channel || [parent] || reply key || n || kids ||
    /// m || stream headers.
    /// </summary>
    public byte[] ToBytes()
    {
        using var bytes = new MemoryStream();
        bytes.Write(IntakeLabels.EnvelopeHeaderMagic);
        bytes.WriteByte(IntakeLabels.ProtocolVersion);
        bytes.WriteByte((byte)Kind);
        bytes.WriteByte((byte)ChannelId.Length);
        bytes.Write(Encoding.ASCII.GetBytes(ChannelId));
        if (_parent is not null)
        {
            bytes.Write(_parent);
        }

        bytes.Write(_replyPublicKey);
        bytes.WriteByte((byte)_recipientKeyIds.Length);
        foreach (byte[] kid in _recipientKeyIds)
        {
            bytes.Write(kid);
        }

        bytes.WriteByte((byte)Streams.Count);
        foreach (StreamHeader stream in Streams)
        {
            bytes.Write(stream.Encode());
        }

        return bytes.ToArray();
    }

    /// <summary>SHA-256 of <see cref="ToBytes"/>.</summary>
    public byte[] ComputeHash() => SHA256.HashData(ToBytes());

    internal static bool HasValidStreamList(IReadOnlyList<StreamHeader> streams) =>
        streams.Count is > 0 and <= MaxStreams
        && streams[0].Purpose == StreamPurpose.Body
        && streams.Skip(1).All(s => s.Purpose == StreamPurpose.Attachment)
        && streams.Select(s => Convert.ToHexString(s.StreamId.Span)).Distinct(StringComparer.Ordinal).Count() == streams.Count;
}
