using System.Text.Json;

namespace Intake.Core.Crypto;

/// <summary>
/// Server-side shape check of an envelope: version, sizes, counts, encodings, key ids, stream headers. It cannot
/// tell a genuine envelope from well-formed garbage and does not try; only recipients can. Never throws on input.
/// </summary>
public static class EnvelopeValidator
{
    private static readonly string[] TopLevelMembers = ["v", "kind", "channel", "parent", "replyKey", "recipients", "streams"];
    private static readonly string[] RecipientMembers = ["kid", "enc", "sealedKey"];

    /// <summary>Checks a UTF-8 JSON envelope.</summary>
    public static EnvelopeValidationResult Validate(ReadOnlySpan<byte> utf8Json, EnvelopeValidationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new ErrorList();
        if (utf8Json.Length > Envelope.MaxJsonBytes)
        {
            errors.Add("$", $"The envelope is larger than {Envelope.MaxJsonBytes} bytes.");
            return errors.ToResult(null);
        }

        if (!System.Text.Unicode.Utf8.IsValid(utf8Json))
        {
            errors.Add("$", "The envelope is not valid UTF-8.");
            return errors.ToResult(null);
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(utf8Json.ToArray(), new JsonDocumentOptions { MaxDepth = 4 });
        }
        catch (JsonException)
        {
            errors.Add("$", "The envelope is not valid JSON.");
            return errors.ToResult(null);
        }

        using (document)
        {
            try
            {
                return errors.ToResult(ValidateRoot(document.RootElement, options, errors));
            }
            catch (InvalidOperationException)
            {
                // An escaped lone surrogate ("\udc00") parses but cannot become a .NET string.
                errors.Add("$", "The envelope contains a string that is not valid Unicode.");
                return errors.ToResult(null);
            }
        }
    }

    /// <summary>Checks the first 30 bytes and the total length of an uploaded stream (e.g. a follow-up).</summary>
    public static EnvelopeValidationResult ValidateStreamHeader(
        ReadOnlySpan<byte> header, long uploadLength, StreamPurpose expectedPurpose, EnvelopeValidationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new ErrorList();
        StreamHeader? parsed = CheckStreamHeader(header, options, "stream", errors);
        if (parsed is not null && parsed.Purpose != expectedPurpose)
        {
            errors.Add("stream", "The stream has the wrong purpose.");
        }

        if (parsed is not null && parsed.CiphertextLength != uploadLength)
        {
            errors.Add("stream", "The upload length does not match the stream header.");
        }

        return new EnvelopeValidationResult(errors.ToDictionary(), null);
    }

    private static Envelope? ValidateRoot(JsonElement root, EnvelopeValidationOptions options, ErrorList errors)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            errors.Add("$", "The envelope must be a JSON object.");
            return null;
        }

        Dictionary<string, JsonElement>? members = ReadMembers(root, TopLevelMembers, "", errors);
        if (members is null)
        {
            return null;
        }

        if (!members.TryGetValue("v", out JsonElement version) || version.ValueKind != JsonValueKind.Number || version.GetRawText() != "1")
        {
            errors.Add("v", "The version must be the number 1.");
        }

        EnvelopeKind? kind = ReadString(members, "kind", errors) switch
        {
            null => null,
            "submission" => EnvelopeKind.Submission,
            "reply" => EnvelopeKind.Reply,
            _ => Fail<EnvelopeKind>(errors, "kind", "The kind must be \"submission\" or \"reply\"."),
        };

        string? channel = ReadString(members, "channel", errors);
        if (channel is not null && !EnvelopeHeader.IsValidChannelId(channel))
        {
            errors.Add("channel", "A channel id is 1 to 32 of a-z, 0-9 and '-', not starting or ending with '-'.");
            channel = null;
        }
        else if (channel is not null && options.ChannelId is not null && !string.Equals(channel, options.ChannelId, StringComparison.Ordinal))
        {
            errors.Add("channel", "The envelope is for another channel.");
        }

        byte[]? parent = null;
        if (kind == EnvelopeKind.Reply)
        {
            parent = ReadBytes(members, "parent", EnvelopeHeader.HashLength, errors);
        }
        else if (members.ContainsKey("parent"))
        {
            errors.Add("parent", "Only a reply has a parent.");
        }

        byte[]? replyKey = ReadBytes(members, "replyKey", HpkeSuite.PublicKeyLength, errors);
        if (replyKey is not null && replyKey[0] != 0x04)
        {
            errors.Add("replyKey", "The reply key must be an uncompressed P-256 point (first byte 0x04).");
            replyKey = null;
        }

        List<EnvelopeRecipient>? recipients = ReadRecipients(members, kind, replyKey, options, errors);
        List<StreamHeader>? streams = ReadStreams(members, options, errors);

        if (errors.Count > 0 || kind is null || channel is null || replyKey is null || recipients is null || streams is null)
        {
            return null;
        }

        try
        {
            ReadOnlyMemory<byte>? parentHash = parent is null ? default(ReadOnlyMemory<byte>?) : parent;
            var header = new EnvelopeHeader(kind.Value, channel, parentHash, replyKey, recipients.Select(r => r.KeyId), streams);
            return new Envelope(header, recipients);
        }
        catch (ArgumentException)
        {
            // Every rule the constructors enforce is checked above; this is a backstop, never an exit for input.
            errors.Add("$", "The envelope is inconsistent.");
            return null;
        }
    }

    private static List<EnvelopeRecipient>? ReadRecipients(
        Dictionary<string, JsonElement> members, EnvelopeKind? kind, byte[]? replyKey, EnvelopeValidationOptions options, ErrorList errors)
    {
        if (!members.TryGetValue("recipients", out JsonElement array) || array.ValueKind != JsonValueKind.Array)
        {
            errors.Add("recipients", "Required: an array.");
            return null;
        }

        int count = array.GetArrayLength();
        if (count is 0 or > EnvelopeHeader.MaxRecipients)
        {
            errors.Add("recipients", $"An envelope has 1 to {EnvelopeHeader.MaxRecipients} recipients.");
            return null;
        }

        string? survivorKid = kind == EnvelopeKind.Reply && replyKey is not null ? Base64UrlStrict.Encode(RecipientKeys.KeyId(replyKey)) : null;
        var recipients = new List<EnvelopeRecipient>(count);
        bool survivorPresent = false;
        int index = 0;
        foreach (JsonElement item in array.EnumerateArray())
        {
            string path = $"recipients[{index++}]";
            if (item.ValueKind != JsonValueKind.Object)
            {
                errors.Add(path, "Each recipient must be an object.");
                continue;
            }

            Dictionary<string, JsonElement>? entry = ReadMembers(item, RecipientMembers, path + ".", errors);
            if (entry is null)
            {
                continue;
            }

            byte[]? kid = ReadBytes(entry, "kid", RecipientKeys.KeyIdLength, errors, path + ".");
            byte[]? enc = ReadBytes(entry, "enc", HpkeSuite.PublicKeyLength, errors, path + ".");
            byte[]? sealedKey = ReadBytes(entry, "sealedKey", EnvelopeRecipient.SealedKeyLength, errors, path + ".");
            if (enc is not null && enc[0] != 0x04)
            {
                errors.Add(path + ".enc", "enc must be an uncompressed P-256 point (first byte 0x04).");
                enc = null;
            }

            if (kid is not null)
            {
                string kidText = Base64UrlStrict.Encode(kid);
                bool isSurvivor = string.Equals(kidText, survivorKid, StringComparison.Ordinal);
                survivorPresent |= isSurvivor;
                if (!isSurvivor && options.KnownKeyIds is not null && !options.KnownKeyIds.Contains(kidText))
                {
                    errors.Add(path + ".kid", "Not a current key of this channel.");
                }

                if (recipients.Count > 0 && recipients[^1].KeyId.Span.SequenceCompareTo(kid) >= 0)
                {
                    errors.Add(path + ".kid", "Recipients must be sorted by key id, without duplicates.");
                }
            }

            if (kid is not null && enc is not null && sealedKey is not null)
            {
                recipients.Add(new EnvelopeRecipient(kid, enc, sealedKey));
            }
        }

        if (survivorKid is not null && survivorPresent == options.TeamOnly)
        {
            errors.Add("recipients", options.TeamOnly
                ? "A note is for the case team only: it must not be sealed to the survivor's reply key."
                : "A reply must be sealed to the survivor's reply key.");
        }

        return recipients.Count == count ? recipients : null;
    }

    private static List<StreamHeader>? ReadStreams(Dictionary<string, JsonElement> members, EnvelopeValidationOptions options, ErrorList errors)
    {
        if (!members.TryGetValue("streams", out JsonElement array) || array.ValueKind != JsonValueKind.Array)
        {
            errors.Add("streams", "Required: an array.");
            return null;
        }

        int count = array.GetArrayLength();
        if (count is 0 or > EnvelopeHeader.MaxStreams)
        {
            errors.Add("streams", $"An envelope has 1 to {EnvelopeHeader.MaxStreams} streams.");
            return null;
        }

        var streams = new List<StreamHeader>(count);
        int index = 0;
        foreach (JsonElement item in array.EnumerateArray())
        {
            string path = $"streams[{index++}]";
            byte[]? bytes = item.ValueKind == JsonValueKind.String ? Base64UrlStrict.TryDecode(item.GetString(), StreamHeader.Length) : null;
            if (bytes is null)
            {
                errors.Add(path, $"Must be the base64url (unpadded) encoding of {StreamHeader.Length} bytes.");
                continue;
            }

            if (CheckStreamHeader(bytes, options, path, errors) is { } header)
            {
                streams.Add(header);
            }
        }

        if (streams.Count != count)
        {
            return null;
        }

        if (!EnvelopeHeader.HasValidStreamList(streams))
        {
            errors.Add("streams", "The first stream must be the body, the rest attachments, all with distinct stream ids.");
            return null;
        }

        return streams;
    }

    private static StreamHeader? CheckStreamHeader(ReadOnlySpan<byte> bytes, EnvelopeValidationOptions options, string path, ErrorList errors)
    {
        StreamHeader? header = StreamHeader.TryDecode(bytes, out string? error);
        if (header is null)
        {
            errors.Add(path, error ?? "Invalid stream header.");
            return null;
        }

        if (header.PaddedLength > options.MaxPaddedStreamLength)
        {
            errors.Add(path, "The stream is larger than this service accepts.");
            return null;
        }

        return header;
    }

    /// <summary>Collects an object's members, refusing unknown and duplicated names.</summary>
    private static Dictionary<string, JsonElement>? ReadMembers(JsonElement element, string[] allowed, string prefix, ErrorList errors)
    {
        var members = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        bool ok = true;
        foreach (JsonProperty property in element.EnumerateObject())
        {
            if (!allowed.Contains(property.Name, StringComparer.Ordinal))
            {
                errors.Add(prefix.Length == 0 ? "$" : prefix.TrimEnd('.'), "Unknown member.");
                ok = false;
            }
            else if (!members.TryAdd(property.Name, property.Value))
            {
                errors.Add(prefix + property.Name, "Duplicated member.");
                ok = false;
            }
        }

        return ok ? members : null;
    }

    private static string? ReadString(Dictionary<string, JsonElement> members, string name, ErrorList errors)
    {
        if (!members.TryGetValue(name, out JsonElement value) || value.ValueKind != JsonValueKind.String)
        {
            errors.Add(name, "Required: a string.");
            return null;
        }

        return value.GetString();
    }

    private static byte[]? ReadBytes(Dictionary<string, JsonElement> members, string name, int length, ErrorList errors, string prefix = "")
    {
        byte[]? bytes = members.TryGetValue(name, out JsonElement value) && value.ValueKind == JsonValueKind.String
            ? Base64UrlStrict.TryDecode(value.GetString(), length)
            : null;
        if (bytes is null)
        {
            errors.Add(prefix + name, $"Required: the base64url (unpadded) encoding of {length} bytes.");
        }

        return bytes;
    }

    private static T? Fail<T>(ErrorList errors, string field, string message)
        where T : struct
    {
        errors.Add(field, message);
        return null;
    }

    private sealed class ErrorList
    {
        private readonly Dictionary<string, List<string>> _errors = new(StringComparer.Ordinal);

        internal int Count => _errors.Count;

        internal void Add(string field, string message)
        {
            if (!_errors.TryGetValue(field, out List<string>? messages))
            {
                messages = [];
                _errors.Add(field, messages);
            }

            if (!messages.Contains(message, StringComparer.Ordinal))
            {
                messages.Add(message);
            }
        }

        internal Dictionary<string, string[]> ToDictionary() =>
            _errors.ToDictionary(e => e.Key, e => e.Value.ToArray(), StringComparer.Ordinal);

        internal EnvelopeValidationResult ToResult(Envelope? envelope) =>
            new(ToDictionary(), _errors.Count == 0 ? envelope : null);
    }
}
