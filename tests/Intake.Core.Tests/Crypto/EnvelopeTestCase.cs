using Intake.Core.Crypto;

namespace Intake.Core.Tests.Crypto;

/// <summary>A submission to three advocates, with the survivor's reply key, built from fixed keys.</summary>
internal sealed class EnvelopeTestCase
{
    internal EnvelopeTestCase(string channel = "campus-beijing", int advocates = 3)
    {
        Advocates = [.. Enumerable.Range(0, advocates).Select(i => CryptoTestData.KeyPair("advocate " + i))];
        Survivor = CryptoTestData.KeyPair("survivor");
        ContentKey = EnvelopeSealer.GenerateContentKey();
        Streams = [StreamHeader.Create(StreamPurpose.Body, 500), StreamHeader.Create(StreamPurpose.Attachment, 70_000)];
        Envelope = Seal(channel, Advocates.Select(a => a.PublicKey));
    }

    internal (byte[] PrivateKey, byte[] PublicKey)[] Advocates { get; }

    internal (byte[] PrivateKey, byte[] PublicKey) Survivor { get; }

    internal byte[] ContentKey { get; }

    internal StreamHeader[] Streams { get; }

    internal Envelope Envelope { get; }

    internal IReadOnlySet<string> KnownKeyIds =>
        Advocates.Select(a => Base64UrlStrict.Encode(RecipientKeys.KeyId(a.PublicKey))).ToHashSet(StringComparer.Ordinal);

    internal Envelope Seal(string channel, IEnumerable<byte[]> recipients) =>
        EnvelopeSealer.Seal(EnvelopeKind.Submission, channel, null, Survivor.PublicKey, [.. recipients.Select(r => (ReadOnlyMemory<byte>)r)], Streams, ContentKey);
}
