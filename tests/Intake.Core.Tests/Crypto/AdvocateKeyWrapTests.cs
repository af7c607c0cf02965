using System.Text.Json.Nodes;
using Intake.Core.Crypto;

namespace Intake.Core.Tests.Crypto;

/// <summary>
/// Uses 1,000 PBKDF2 iterations through the internal overloads so the suite stays fast; the public path's
/// 600,000 floor has its own tests.
/// </summary>
public class AdvocateKeyWrapTests
{
    private const int FastIterations = 1_000;
    private static readonly (byte[] PrivateKey, byte[] PublicKey) Advocate = CryptoTestData.KeyPair("advocate 0");

    [Fact]
    public void A_wrapped_key_unwraps_with_her_passphrase()
    {
        WrappedAdvocateKey record = Wrap("correct horse 电池 staple");
        WrappedAdvocateKey stored = WrappedAdvocateKey.Parse(record.ToJson());
        Assert.Equal(Advocate.PrivateKey, AdvocateKeyWrap.Unwrap(stored, "correct horse 电池 staple", FastIterations));
        Assert.Equal(Advocate.PublicKey, stored.PublicKey.ToArray());
    }

    [Fact]
    public void A_wrong_passphrase_is_refused()
    {
        WrappedAdvocateKey record = Wrap("passphrase");
        KeyWrapException error = Assert.Throws<KeyWrapException>(() => AdvocateKeyWrap.Unwrap(record, "passphrasf", FastIterations));
        Assert.Equal(KeyWrapFailure.WrongPassphraseOrTampered, error.Failure);
    }

    [Theory]
    [InlineData("salt")]
    [InlineData("nonce")]
    [InlineData("publicKey")]
    [InlineData("wrappedKey")]
    public void Any_changed_byte_of_the_record_is_refused(string member)
    {
        string json = Wrap("passphrase").ToJson();
        byte[] value = Base64UrlStrict.TryDecode(JsonNode.Parse(json)![member]!.GetValue<string>())!;
        for (int i = 0; i < value.Length; i++)
        {
            value[i] ^= 0x01;
            JsonNode node = JsonNode.Parse(json)!;
            node[member] = Base64UrlStrict.Encode(value);
            value[i] ^= 0x01;
            KeyWrapException error = Assert.Throws<KeyWrapException>(() =>
                AdvocateKeyWrap.Unwrap(WrappedAdvocateKey.Parse(node.ToJsonString()), "passphrase", FastIterations));
            Assert.Contains(error.Failure, new[] { KeyWrapFailure.WrongPassphraseOrTampered, KeyWrapFailure.Malformed });
        }
    }

    [Fact]
    public void A_changed_iteration_count_is_refused()
    {
        WrappedAdvocateKey record = Wrap("passphrase") with { Iterations = FastIterations + 1 };
        Assert.Equal(KeyWrapFailure.WrongPassphraseOrTampered, Assert.Throws<KeyWrapException>(() => AdvocateKeyWrap.Unwrap(record, "passphrase", FastIterations)).Failure);
    }

    [Fact]
    public void Wrapping_below_six_hundred_thousand_iterations_is_refused()
    {
        KeyWrapException error = Assert.Throws<KeyWrapException>(() => AdvocateKeyWrap.Wrap(Advocate.PrivateKey, "passphrase", 599_999));
        Assert.Equal(KeyWrapFailure.IterationsOutOfRange, error.Failure);
    }

    [Fact]
    public void Unwrapping_a_record_below_the_minimum_is_refused_before_any_derivation()
    {
        WrappedAdvocateKey weak = Wrap("passphrase");
        KeyWrapException error = Assert.Throws<KeyWrapException>(() => AdvocateKeyWrap.Unwrap(weak, "passphrase"));
        Assert.Equal(KeyWrapFailure.IterationsOutOfRange, error.Failure);
    }

    [Fact]
    public void Absurd_iteration_counts_are_refused()
    {
        WrappedAdvocateKey record = Wrap("passphrase") with { Iterations = AdvocateKeyWrap.MaximumIterations + 1 };
        Assert.Equal(KeyWrapFailure.IterationsOutOfRange, Assert.Throws<KeyWrapException>(() => AdvocateKeyWrap.Unwrap(record, "passphrase")).Failure);
    }

    [Fact]
    public void The_public_path_wraps_and_unwraps_at_the_default_cost()
    {
        WrappedAdvocateKey record = AdvocateKeyWrap.Wrap(Advocate.PrivateKey, "passphrase");
        Assert.Equal(AdvocateKeyWrap.MinimumIterations, record.Iterations);
        Assert.Equal(Advocate.PrivateKey, AdvocateKeyWrap.Unwrap(record, "passphrase"));
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("[]")]
    [InlineData("not json")]
    [InlineData("{\"v\":1}")]
    public void Malformed_records_are_refused(string json) =>
        Assert.Equal(KeyWrapFailure.Malformed, Assert.Throws<KeyWrapException>(() => WrappedAdvocateKey.Parse(json)).Failure);

    [Fact]
    public void Unknown_members_and_other_algorithms_are_refused()
    {
        JsonNode extra = JsonNode.Parse(Wrap("p").ToJson())!;
        extra["hint"] = "x";
        JsonNode otherAlg = JsonNode.Parse(Wrap("p").ToJson())!;
        otherAlg["alg"] = "PBKDF2-SHA1/A256GCM";

        Assert.Throws<KeyWrapException>(() => WrappedAdvocateKey.Parse(extra.ToJsonString()));
        Assert.Throws<KeyWrapException>(() => WrappedAdvocateKey.Parse(otherAlg.ToJsonString()));
    }

    private static WrappedAdvocateKey Wrap(string passphrase) =>
        AdvocateKeyWrap.Wrap(Advocate.PrivateKey, passphrase, FastIterations, CryptoTestData.Bytes("salt", 16), CryptoTestData.Bytes("nonce", 12), FastIterations);
}
