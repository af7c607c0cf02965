using System.Text;
using System.Text.Json;
using Intake.Core.Crypto;

namespace Intake.Web.Submissions;

/// <summary>
/// Parses the outer submission request strictly:
/// <c>{"envelope": {...}, "uploads": ["&lt;id&gt;", ...], "lookupId": "&lt;b64u 32&gt;", "vault": "&lt;b64u&gt;"}</c>,
/// optionally with <c>"routing": {"language": "zh", "region": "&lt;id&gt;", "exclude": ["&lt;organisation id&gt;", ...]}</c>
/// and <c>"keepDays": 30</c> (the period she chose herself, docs/retention.md §1).
/// The envelope object's raw bytes go to the envelope validator unchanged. Never throws on input.
/// </summary>
internal static class SubmissionRequestParser
{
    private static readonly string[] Members = ["envelope", "uploads", "lookupId", "vault", "proofOfWork", "routing", "keepDays"];

    public sealed record Result(
        byte[] Envelope, IReadOnlyList<Guid> Uploads, byte[] LookupId, byte[] Vault, Dictionary<string, string[]> Errors,
        string? PowChallenge = null, string? PowNonce = null, Core.Contracts.RoutingHints? Routing = null, int? KeepDays = null);

    public static Result Parse(byte[] body)
    {
        var errors = new Dictionary<string, string[]>();
        void Fail(string field, string message) => errors[field] = [message];
        byte[] envelope = [];
        var uploads = new List<Guid>();
        byte[] lookupId = [];
        byte[] vault = [];
        string? challenge = null;
        string? nonce = null;
        Core.Contracts.RoutingHints? routing = null;
        int? keepDays = null;
        try
        {
            using var document = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 6 });
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                Fail("$", "The request is a JSON object.");
                return new Result(envelope, uploads, lookupId, vault, errors);
            }
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var member in root.EnumerateObject())
            {
                if (!Members.Contains(member.Name, StringComparer.Ordinal) || !seen.Add(member.Name))
                {
                    Fail("$", $"Unexpected or repeated member '{Truncate(member.Name)}'.");
                }
            }
            if (root.TryGetProperty("envelope", out var env) && env.ValueKind == JsonValueKind.Object)
            {
                envelope = Encoding.UTF8.GetBytes(env.GetRawText());
            }
            else
            {
                Fail("envelope", "The envelope is a JSON object (docs/crypto.md §4.4).");
            }
            if (root.TryGetProperty("uploads", out var list) && list.ValueKind == JsonValueKind.Array && list.GetArrayLength() is > 0 and <= EnvelopeHeader.MaxStreams)
            {
                var index = 0;
                foreach (var item in list.EnumerateArray())
                {
                    if (item.ValueKind == JsonValueKind.String && Guid.TryParseExact(item.GetString(), "D", out var id))
                    {
                        uploads.Add(id);
                    }
                    else
                    {
                        Fail($"uploads[{index}]", "An upload id as returned by POST /api/uploads.");
                    }
                    index++;
                }
            }
            else
            {
                Fail("uploads", $"A list of 1 to {EnvelopeHeader.MaxStreams} upload ids, one per stream.");
            }
            lookupId = Bytes(root, "lookupId", 32, 32, Fail);
            vault = Bytes(root, "vault", 1, Storage.Cases.SubmissionStore.MaxVaultLength, Fail);
            if (root.TryGetProperty("proofOfWork", out var pow) && pow.ValueKind == JsonValueKind.Object)
            {
                challenge = pow.TryGetProperty("challenge", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString() : null;
                nonce = pow.TryGetProperty("nonce", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString() : null;
            }
            if (root.TryGetProperty("routing", out var hints))
            {
                routing = Routing.RoutingHintsParser.Parse(hints, Fail);
            }
            if (root.TryGetProperty("keepDays", out var keep))
            {
                if (keep.ValueKind == JsonValueKind.Number && keep.TryGetInt32(out var days)
                    && days is >= Storage.Cases.SubmissionRequest.MinKeepDays and <= Storage.Cases.SubmissionRequest.MaxKeepDays)
                {
                    keepDays = days;
                }
                else
                {
                    Fail("keepDays", $"The period she chose is a whole number of days from {Storage.Cases.SubmissionRequest.MinKeepDays} to {Storage.Cases.SubmissionRequest.MaxKeepDays}.");
                }
            }
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            Fail("$", "The request is not valid JSON.");
        }
        return new Result(envelope, uploads, lookupId, vault, errors, challenge, nonce, routing, keepDays);
    }

    private static byte[] Bytes(JsonElement root, string name, int min, int max, Action<string, string> fail)
    {
        var bytes = root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? Base64UrlStrict.TryDecode(value.GetString())
            : null;
        if (bytes is null || bytes.Length < min || bytes.Length > max)
        {
            fail(name, min == max ? $"Base64url of exactly {min} bytes." : $"Base64url of {min} to {max} bytes.");
            return [];
        }
        return bytes;
    }

    private static string Truncate(string text) => text.Length > 40 ? text[..40] : text;
}
