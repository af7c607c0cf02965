using System.Text;
using System.Text.Json.Nodes;
using Intake.Core.Crypto;

namespace Intake.Core.Tests.Crypto;

public class EnvelopeValidatorTests
{
    private static readonly EnvelopeTestCase Test = new();

    private const string MutationCharacters = "{}[]\",:0123456789-eE.AZaz_\\ ";

    private static EnvelopeValidationOptions Options => new() { ChannelId = "campus-beijing", KnownKeyIds = Test.KnownKeyIds };

    [Fact]
    public void A_genuine_envelope_is_accepted()
    {
        Assert.Null(Test.Envelope.Header.Parent);
        EnvelopeValidationResult result = Validate(Test.Envelope.ToJson());
        Assert.Empty(result.Errors);
        Assert.True(result.IsValid);
        Assert.Equal(Test.Envelope.Header.ToBytes(), result.Envelope!.Header.ToBytes());
    }

    [Theory]
    [InlineData("v", "2", "v")]
    [InlineData("v", "1.0", "v")]
    [InlineData("kind", "\"memo\"", "kind")]
    [InlineData("channel", "\"Campus\"", "channel")]
    [InlineData("channel", "\"other\"", "channel")]
    [InlineData("replyKey", "\"AAAA\"", "replyKey")]
    [InlineData("streams", "[]", "streams")]
    [InlineData("recipients", "[]", "recipients")]
    [InlineData("recipients", "{}", "recipients")]
    [InlineData("parent", "\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\"", "parent")]
    public void A_bad_member_is_reported_under_its_name(string member, string json, string field)
    {
        JsonObject root = Root();
        root[member] = JsonNode.Parse(json);
        EnvelopeValidationResult result = Validate(root.ToJsonString());
        Assert.False(result.IsValid);
        Assert.Contains(field, result.Errors.Keys);
    }

    [Fact]
    public void An_unknown_key_id_is_refused()
    {
        var options = Options with { KnownKeyIds = Test.KnownKeyIds.Skip(1).ToHashSet(StringComparer.Ordinal) };
        EnvelopeValidationResult result = EnvelopeValidator.Validate(Encoding.UTF8.GetBytes(Test.Envelope.ToJson()), options);
        Assert.False(result.IsValid);
        Assert.Contains(result.Errors, e => e.Key.EndsWith(".kid", StringComparison.Ordinal));
    }

    [Fact]
    public void Recipients_out_of_order_are_refused()
    {
        JsonObject root = Root();
        JsonArray recipients = root["recipients"]!.AsArray();
        JsonNode first = recipients[0]!.DeepClone();
        recipients[0] = recipients[1]!.DeepClone();
        recipients[1] = first;
        Assert.Contains("recipients[1].kid", Validate(root.ToJsonString()).Errors.Keys);
    }

    [Fact]
    public void An_enc_that_is_not_an_uncompressed_point_is_refused()
    {
        JsonObject root = Root();
        byte[] enc = new byte[65];
        enc[0] = 0x02;
        root["recipients"]![0]!["enc"] = Base64UrlStrict.Encode(enc);
        Assert.Contains("recipients[0].enc", Validate(root.ToJsonString()).Errors.Keys);
    }

    [Theory]
    [InlineData("AAAA=")]
    [InlineData("AA AA")]
    [InlineData("AB")]
    [InlineData("+/+/")]
    public void Non_canonical_base64url_is_refused(string text) => Assert.Null(Base64UrlStrict.TryDecode(text));

    [Fact]
    public void Duplicated_and_unknown_members_are_refused()
    {
        string json = Test.Envelope.ToJson();
        Assert.Contains("channel", Validate(json.Replace("\"channel\":", "\"channel\":\"x\",\"channel\":", StringComparison.Ordinal)).Errors.Keys);
        Assert.Contains("$", Validate(json.Replace("{\"v\":1,", "{\"v\":1,\"extra\":0,", StringComparison.Ordinal)).Errors.Keys);
    }

    [Fact]
    public void An_oversized_document_is_refused_before_parsing()
    {
        EnvelopeValidationResult result = Validate(new string(' ', Envelope.MaxJsonBytes + 1));
        Assert.Contains("$", result.Errors.Keys);
    }

    [Fact]
    public void Stream_uploads_must_match_their_header()
    {
        StreamHeader header = Test.Streams[1];
        Assert.Empty(EnvelopeValidator.ValidateStreamHeader(header.Encode(), header.CiphertextLength, StreamPurpose.Attachment, Options).Errors);
        Assert.NotEmpty(EnvelopeValidator.ValidateStreamHeader(header.Encode(), header.CiphertextLength - 1, StreamPurpose.Attachment, Options).Errors);
        Assert.NotEmpty(EnvelopeValidator.ValidateStreamHeader(header.Encode(), header.CiphertextLength, StreamPurpose.FollowUp, Options).Errors);
        Assert.NotEmpty(EnvelopeValidator.ValidateStreamHeader(header.Encode(), header.CiphertextLength, StreamPurpose.Attachment, Options with { MaxPaddedStreamLength = 1024 }).Errors);
    }

    [Fact]
    public void Ten_thousand_random_mutations_never_throw_and_are_either_well_formed_or_reported()
    {
        var random = new Random(20240917);
        string original = Test.Envelope.ToJson();
        int accepted = 0;
        for (int i = 0; i < 12_000; i++)
        {
            byte[] mutated = i % 2 == 0 ? MutateBytes(Encoding.UTF8.GetBytes(original), random) : Encoding.UTF8.GetBytes(MutateStructure(original, random));
            EnvelopeValidationResult result;
            try
            {
                result = EnvelopeValidator.Validate(mutated, Options);
            }
            catch (Exception e)
            {
                Assert.Fail($"Mutation {i} threw {e.GetType().Name}: {e.Message}\n{Encoding.UTF8.GetString(mutated)}");
                return;
            }

            if (result.IsValid)
            {
                accepted++;
                Assert.Empty(result.Errors);
                AssertWellFormed(result.Envelope!);
            }
            else
            {
                Assert.NotEmpty(result.Errors);
                Assert.All(result.Errors, e => Assert.NotEmpty(e.Value));
            }
        }

        // Some mutations (inside base64 payloads, whitespace) keep the shape; most must not.
        Assert.InRange(accepted, 1, 6_000);
    }

    private static void AssertWellFormed(Envelope envelope)
    {
        Envelope reparsed = Envelope.Parse(envelope.ToJson());
        Assert.Equal(envelope.Header.ToBytes(), reparsed.Header.ToBytes());
        Assert.InRange(envelope.Recipients.Count, 1, EnvelopeHeader.MaxRecipients);
        Assert.Equal("campus-beijing", envelope.Header.ChannelId);
        Assert.All(envelope.Recipients, r =>
        {
            Assert.Contains(Base64UrlStrict.Encode(r.KeyId.Span), Test.KnownKeyIds);
            Assert.Equal(65, r.Enc.Length);
            Assert.Equal(0x04, r.Enc.Span[0]);
            Assert.Equal(48, r.SealedKey.Length);
        });
        Assert.Equal(StreamPurpose.Body, envelope.Header.Streams[0].Purpose);
    }

    private static byte[] MutateBytes(byte[] json, Random random)
    {
        List<byte> bytes = [.. json];
        int rounds = random.Next(1, 4);
        for (int r = 0; r < rounds && bytes.Count > 0; r++)
        {
            int at = random.Next(bytes.Count);
            switch (random.Next(6))
            {
                case 0:
                    bytes[at] ^= (byte)(1 << random.Next(8));
                    break;
                case 1:
                    bytes.RemoveRange(at, bytes.Count - at);
                    break;
                case 2:
                    bytes.InsertRange(at, Enumerable.Range(0, random.Next(1, 8)).Select(_ => (byte)random.Next(256)));
                    break;
                case 3:
                    bytes.RemoveRange(at, Math.Min(random.Next(1, 40), bytes.Count - at));
                    break;
                case 4:
                    bytes[at] = (byte)MutationCharacters[random.Next(MutationCharacters.Length)];
                    break;
                default:
                    int length = Math.Min(random.Next(1, 100), bytes.Count - at);
                    bytes.InsertRange(random.Next(bytes.Count), bytes.GetRange(at, length));
                    break;
            }
        }

        return [.. bytes];
    }

    private static string MutateStructure(string json, Random random)
    {
        JsonObject root = JsonNode.Parse(json)!.AsObject();
        List<(JsonNode? Parent, string? Name, int Index)> slots = [];
        Collect(root, slots);
        (JsonNode? parent, string? name, int index) = slots[random.Next(slots.Count)];
        JsonNode? replacement = random.Next(12) switch
        {
            0 => null,
            1 => JsonValue.Create(random.Next()),
            2 => JsonValue.Create("1e400"),
            3 => JsonNode.Parse("123456789012345678901234567890"),
            4 => JsonValue.Create(new string('A', random.Next(0, 200))),
            5 => JsonValue.Create("\u8bc1\u636e\ud83d\ude00\u0000"),
            6 => new JsonArray(),
            7 => new JsonObject(),
            8 => JsonValue.Create(true),
            9 => JsonNode.Parse("-0.0"),
            10 => JsonValue.Create(Base64UrlStrict.Encode(CryptoTestData.Bytes("r" + random.Next(), new[] { 15, 16, 17, 30, 32, 48, 64, 65, 66 }[random.Next(9)]))),
            _ => new JsonArray(Enumerable.Range(0, random.Next(0, 40)).Select(_ => (JsonNode?)JsonValue.Create("x")).ToArray()),
        };

        bool delete = random.Next(4) == 0;
        if (parent is JsonObject obj && name is not null)
        {
            if (delete)
            {
                obj.Remove(name);
            }
            else
            {
                obj[name] = replacement;
            }
        }
        else if (parent is JsonArray array)
        {
            if (delete)
            {
                array.RemoveAt(index);
            }
            else if (random.Next(3) == 0)
            {
                array.Add(array[index]?.DeepClone());
            }
            else
            {
                array[index] = replacement;
            }
        }

        return root.ToJsonString();
    }

    private static void Collect(JsonNode node, List<(JsonNode? Parent, string? Name, int Index)> slots)
    {
        if (node is JsonObject obj)
        {
            foreach ((string name, JsonNode? child) in obj.ToList())
            {
                slots.Add((obj, name, -1));
                if (child is not null)
                {
                    Collect(child, slots);
                }
            }
        }
        else if (node is JsonArray array)
        {
            for (int i = 0; i < array.Count; i++)
            {
                slots.Add((array, null, i));
                if (array[i] is { } child)
                {
                    Collect(child, slots);
                }
            }
        }
    }

    private static JsonObject Root() => JsonNode.Parse(Test.Envelope.ToJson())!.AsObject();

    private static EnvelopeValidationResult Validate(string json) => EnvelopeValidator.Validate(Encoding.UTF8.GetBytes(json), Options);
}
