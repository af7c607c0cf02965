using Intake.Core.Crypto;

namespace Intake.Core.Tests.Crypto;

public class EnvelopeTests
{
    [Fact]
    public void Every_recipient_recovers_the_content_key()
    {
        var test = new EnvelopeTestCase();
        foreach ((byte[] privateKey, _) in test.Advocates)
        {
            Assert.Equal(test.ContentKey, EnvelopeOpener.OpenContentKey(test.Envelope, privateKey));
        }
    }

    [Fact]
    public void Recipients_are_sorted_by_key_id_in_header_and_entries()
    {
        var test = new EnvelopeTestCase(advocates: 6);
        byte[][] kids = [.. test.Envelope.Recipients.Select(r => r.KeyId.ToArray())];
        Assert.Equal(kids.OrderBy(k => Convert.ToHexString(k), StringComparer.Ordinal).Select(Convert.ToHexString), kids.Select(Convert.ToHexString));
        Assert.Equal(kids.Select(Convert.ToHexString), test.Envelope.Header.RecipientKeyIds.Select(k => Convert.ToHexString(k.Span)));
    }

    [Fact]
    public void The_envelope_survives_its_json_form()
    {
        var test = new EnvelopeTestCase();
        Envelope parsed = Envelope.Parse(test.Envelope.ToJson());
        Assert.Equal(test.Envelope.Header.ToBytes(), parsed.Header.ToBytes());
        Assert.Equal(test.ContentKey, EnvelopeOpener.OpenContentKey(parsed, test.Advocates[1].PrivateKey));
    }

    [Fact]
    public void A_key_that_is_not_a_recipient_is_told_so()
    {
        var test = new EnvelopeTestCase();
        EnvelopeOpenException error = Assert.Throws<EnvelopeOpenException>(() => EnvelopeOpener.OpenContentKey(test.Envelope, test.Survivor.PrivateKey));
        Assert.Equal(EnvelopeFailure.NotARecipient, error.Failure);
    }

    [Fact]
    public void Swapping_recipient_entries_between_envelopes_fails()
    {
        var first = new EnvelopeTestCase();
        var second = new EnvelopeTestCase();
        var spliced = new Envelope(first.Envelope.Header, [second.Envelope.Recipients[0], .. first.Envelope.Recipients.Skip(1)]);
        byte[] victim = first.Advocates.Single(a => RecipientKeys.KeyId(a.PublicKey).AsSpan().SequenceEqual(spliced.Recipients[0].KeyId.Span)).PrivateKey;

        EnvelopeOpenException error = Assert.Throws<EnvelopeOpenException>(() => EnvelopeOpener.OpenContentKey(spliced, victim));
        Assert.Equal(EnvelopeFailure.Authentication, error.Failure);
    }

    [Fact]
    public void Swapping_entries_within_an_envelope_fails()
    {
        var test = new EnvelopeTestCase();
        EnvelopeRecipient[] entries = [.. test.Envelope.Recipients];
        var swapped = new Envelope(test.Envelope.Header, [entries[0] with { Enc = entries[1].Enc, SealedKey = entries[1].SealedKey }, .. entries[1..]]);
        byte[] victim = KeyFor(test, entries[0].KeyId.Span);

        EnvelopeOpenException error = Assert.Throws<EnvelopeOpenException>(() => EnvelopeOpener.OpenContentKey(swapped, victim));
        Assert.Equal(EnvelopeFailure.Authentication, error.Failure);
    }

    [Fact]
    public void Moving_an_envelope_to_another_channel_fails()
    {
        var test = new EnvelopeTestCase();
        Envelope moved = Rebuild(test.Envelope, channel: "other-channel");
        foreach ((byte[] privateKey, _) in test.Advocates)
        {
            Assert.Equal(EnvelopeFailure.Authentication, Assert.Throws<EnvelopeOpenException>(() => EnvelopeOpener.OpenContentKey(moved, privateKey)).Failure);
        }
    }

    [Fact]
    public void Removing_a_recipient_fails_for_those_who_remain()
    {
        var test = new EnvelopeTestCase();
        EnvelopeRecipient[] remaining = [.. test.Envelope.Recipients.Skip(1)];
        Envelope reduced = Rebuild(test.Envelope, recipients: remaining);

        Assert.Equal(EnvelopeFailure.Authentication, Assert.Throws<EnvelopeOpenException>(() => EnvelopeOpener.OpenContentKey(reduced, KeyFor(test, remaining[0].KeyId.Span))).Failure);
    }

    [Fact]
    public void Adding_a_recipient_fails_for_the_original_recipients()
    {
        var test = new EnvelopeTestCase();
        (_, byte[] intruderPublic) = CryptoTestData.KeyPair("intruder");
        Envelope intruderEnvelope = test.Seal("campus-beijing", [intruderPublic]);
        EnvelopeRecipient[] widened = [.. test.Envelope.Recipients, intruderEnvelope.Recipients[0]];
        Envelope added = Rebuild(test.Envelope, recipients: [.. widened.OrderBy(r => Convert.ToHexString(r.KeyId.Span), StringComparer.Ordinal)]);

        foreach ((byte[] privateKey, _) in test.Advocates)
        {
            Assert.Equal(EnvelopeFailure.Authentication, Assert.Throws<EnvelopeOpenException>(() => EnvelopeOpener.OpenContentKey(added, privateKey)).Failure);
        }
    }

    [Fact]
    public void Changing_the_reply_key_or_streams_fails()
    {
        var test = new EnvelopeTestCase();
        Envelope otherReplyKey = Rebuild(test.Envelope, replyKey: CryptoTestData.KeyPair("impostor").PublicKey);
        Envelope droppedAttachment = Rebuild(test.Envelope, streams: [test.Streams[0]]);

        Assert.Throws<EnvelopeOpenException>(() => EnvelopeOpener.OpenContentKey(otherReplyKey, test.Advocates[0].PrivateKey));
        Assert.Throws<EnvelopeOpenException>(() => EnvelopeOpener.OpenContentKey(droppedAttachment, test.Advocates[0].PrivateKey));
    }

    [Fact]
    public void A_reply_is_bound_to_its_case_and_opens_for_the_survivor()
    {
        var test = new EnvelopeTestCase();
        byte[] replyKey = EnvelopeSealer.GenerateContentKey();
        StreamHeader body = StreamHeader.Create(StreamPurpose.Body, 42);
        Envelope reply = EnvelopeSealer.Seal(
            EnvelopeKind.Reply, "campus-beijing", test.Envelope.Header.ComputeHash(), test.Survivor.PublicKey,
            [test.Survivor.PublicKey, test.Advocates[0].PublicKey], [body], replyKey);

        Assert.Equal(replyKey, EnvelopeOpener.OpenContentKey(reply, test.Survivor.PrivateKey));
        Envelope reparented = Rebuild(reply, parent: new byte[32]);
        Assert.Equal(EnvelopeFailure.Authentication, Assert.Throws<EnvelopeOpenException>(() => EnvelopeOpener.OpenContentKey(reparented, test.Survivor.PrivateKey)).Failure);
    }

    [Fact]
    public void Key_id_and_fingerprint_have_the_documented_form()
    {
        byte[] publicKey = CryptoTestData.KeyPair("advocate 0").PublicKey;
        byte[] hash = System.Security.Cryptography.SHA256.HashData(publicKey);

        Assert.Equal(hash[..16], RecipientKeys.KeyId(publicKey));
        string fingerprint = RecipientKeys.Fingerprint(publicKey);
        Assert.Matches("^[0-9A-F]{4}( [0-9A-F]{4}){15}$", fingerprint);
        Assert.Equal(Convert.ToHexString(hash), fingerprint.Replace(" ", "", StringComparison.Ordinal));
    }

    private static byte[] KeyFor(EnvelopeTestCase test, ReadOnlySpan<byte> kid)
    {
        foreach ((byte[] privateKey, byte[] publicKey) in test.Advocates)
        {
            if (RecipientKeys.KeyId(publicKey).AsSpan().SequenceEqual(kid))
            {
                return privateKey;
            }
        }

        throw new InvalidOperationException("No such advocate.");
    }

    private static Envelope Rebuild(
        Envelope envelope, string? channel = null, EnvelopeRecipient[]? recipients = null, byte[]? replyKey = null, StreamHeader[]? streams = null, byte[]? parent = null)
    {
        EnvelopeHeader h = envelope.Header;
        recipients ??= [.. envelope.Recipients];
        var header = new EnvelopeHeader(
            h.Kind, channel ?? h.ChannelId, parent ?? h.Parent, replyKey ?? h.ReplyPublicKey, recipients.Select(r => r.KeyId), streams ?? [.. h.Streams]);
        return new Envelope(header, recipients);
    }
}
