using System.Text;
using System.Text.Json;

namespace Intake.Core.Crypto;

/// <summary>
/// A sealed envelope: the header and one sealed copy of the content key per recipient, in header key-id order.
/// Travels as the JSON document described in docs/crypto.md ("Envelope wire format").
/// </summary>
public sealed class Envelope
{
    /// <summary>Largest accepted JSON document in bytes.</summary>
    public const int MaxJsonBytes = 16 * 1024;

    /// <summary>Pairs a header with its recipient entries, which must match its key ids one for one and in order.</summary>
    public Envelope(EnvelopeHeader header, IReadOnlyList<EnvelopeRecipient> recipients)
    {
        ArgumentNullException.ThrowIfNull(header);
        ArgumentNullException.ThrowIfNull(recipients);
        IReadOnlyList<ReadOnlyMemory<byte>> kids = header.RecipientKeyIds;
        if (recipients.Count != kids.Count
            || recipients.Where((r, i) => !r.KeyId.Span.SequenceEqual(kids[i].Span)).Any()
            || recipients.Any(r => !RecipientKeys.HasPublicKeyShape(r.Enc.Span) || r.SealedKey.Length != EnvelopeRecipient.SealedKeyLength))
        {
            throw new ArgumentException("The recipient entries do not match the header's key ids.", nameof(recipients));
        }

        Header = header;
        Recipients = recipients;
    }

    /// <summary>What the envelope commits to.</summary>
    public EnvelopeHeader Header { get; }

    /// <summary>Sealed content keys, sorted by key id.</summary>
    public IReadOnlyList<EnvelopeRecipient> Recipients { get; }

    /// <summary>Parses and shape-checks an envelope without a known-key list.</summary>
    /// <exception cref="FormatException">The document is not a well-formed v1 envelope; the message lists why.</exception>
    public static Envelope Parse(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        EnvelopeValidationResult result = EnvelopeValidator.Validate(Encoding.UTF8.GetBytes(json), new EnvelopeValidationOptions());
        return result.Envelope ?? throw new FormatException(
            "Not a valid envelope: " + string.Join("; ", result.Errors.Select(e => $"{e.Key}: {string.Join(", ", e.Value)}")));
    }

    /// <summary>The canonical JSON form: fixed member order, no whitespace.</summary>
    public string ToJson()
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteNumber("v", 1);
            json.WriteString("kind", Header.Kind == EnvelopeKind.Submission ? "submission" : "reply");
            json.WriteString("channel", Header.ChannelId);
            if (Header.Parent is { } parent)
            {
                json.WriteString("parent", Base64UrlStrict.Encode(parent.Span));
            }

            json.WriteString("replyKey", Base64UrlStrict.Encode(Header.ReplyPublicKey.Span));
            json.WriteStartArray("recipients");
            foreach (EnvelopeRecipient recipient in Recipients)
            {
                json.WriteStartObject();
                json.WriteString("kid", Base64UrlStrict.Encode(recipient.KeyId.Span));
                json.WriteString("enc", Base64UrlStrict.Encode(recipient.Enc.Span));
                json.WriteString("sealedKey", Base64UrlStrict.Encode(recipient.SealedKey.Span));
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteStartArray("streams");
            foreach (StreamHeader stream in Header.Streams)
            {
                json.WriteStringValue(Base64UrlStrict.Encode(stream.Encode()));
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }
}
