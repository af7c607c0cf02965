using System.Security.Cryptography;
using System.Text;
using Intake.Core.Crypto;

namespace Intake.Core.Tests.Crypto;

public class SignedNoteTests
{
    private const string Origin = "intake.example.org/ledger";

    [Fact]
    public void A_signed_checkpoint_verifies_and_parses_back()
    {
        using NoteSigner signer = NewSigner(Origin);
        var checkpoint = new CheckpointBody(Origin, 42, SHA256.HashData("root"u8), new DateOnly(2025, 6, 1));
        string note = signer.Sign(checkpoint.ToNoteBody());

        (string body, IReadOnlyList<string> signedBy) = Verifier(signer).Verify(note);
        Assert.Equal([Origin], signedBy);
        CheckpointBody parsed = CheckpointBody.Parse(body);
        Assert.Equal(42, parsed.TreeSize);
        Assert.Equal(checkpoint.RootHash.ToArray(), parsed.RootHash.ToArray());
        Assert.Equal(checkpoint.Date, parsed.Date);
        Assert.StartsWith(Origin + "\n42\n", note, StringComparison.Ordinal);
        Assert.Contains("\ntime 2025-06-01\n\n\u2014 " + Origin + " ", note, StringComparison.Ordinal);
    }

    [Fact]
    public void A_submission_receipt_round_trips()
    {
        using NoteSigner signer = NewSigner(Origin);
        var receipt = new SubmissionReceiptBody(Origin, 7, SHA256.HashData("leaf"u8), SHA256.HashData("envelope"u8), new DateOnly(2025, 6, 1));
        (string body, _) = Verifier(signer).Verify(signer.Sign(receipt.ToNoteBody()));
        SubmissionReceiptBody parsed = SubmissionReceiptBody.Parse(body);
        Assert.Equal(7, parsed.LeafIndex);
        Assert.Equal(receipt.EnvelopeHeaderHash.ToArray(), parsed.EnvelopeHeaderHash.ToArray());
    }

    [Fact]
    public void Any_modified_byte_is_refused()
    {
        using NoteSigner signer = NewSigner(Origin);
        byte[] note = Encoding.UTF8.GetBytes(signer.Sign(new CheckpointBody(Origin, 3, new byte[32], new DateOnly(2025, 1, 1)).ToNoteBody()));
        NoteVerifier verifier = Verifier(signer);

        for (int i = 0; i < note.Length; i++)
        {
            note[i] ^= 0x01;
            string text = Encoding.UTF8.GetString(note);
            note[i] ^= 0x01;
            Assert.Throws<NoteVerificationException>(() => verifier.Verify(text));
        }
    }

    [Fact]
    public void A_signature_from_an_unknown_key_is_refused()
    {
        using NoteSigner trusted = NewSigner(Origin);
        using NoteSigner stranger = NewSigner(Origin);
        string note = stranger.Sign("hello\n");
        Assert.Equal(NoteFailure.UnknownKey, Assert.Throws<NoteVerificationException>(() => Verifier(trusted).Verify(note)).Failure);
    }

    [Fact]
    public void The_right_key_under_the_wrong_name_is_refused()
    {
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var signer = new NoteSigner("intake.example.org/a", key);
        using NoteVerifierKey sameKeyOtherName = NoteVerifierKey.FromSubjectPublicKeyInfo("intake.example.org/b", signer.ExportSubjectPublicKeyInfo());
        string note = signer.Sign("hello\n");
        Assert.Equal(NoteFailure.UnknownKey, Assert.Throws<NoteVerificationException>(() => new NoteVerifier([sameKeyOtherName]).Verify(note)).Failure);
    }

    [Fact]
    public void A_duplicated_signature_line_is_refused()
    {
        using NoteSigner signer = NewSigner(Origin);
        string note = signer.Sign("hello\n");
        string doubled = note + note[(note.IndexOf("\n\n", StringComparison.Ordinal) + 2)..];
        Assert.Equal(NoteFailure.DuplicateSignature, Assert.Throws<NoteVerificationException>(() => Verifier(signer).Verify(doubled)).Failure);
    }

    [Fact]
    public void Two_known_keys_may_both_sign()
    {
        using NoteSigner first = NewSigner("intake.example.org/one");
        using NoteSigner second = NewSigner("intake.example.org/two");
        string note = NoteSigner.Sign("hello\n", [first, second]);
        Assert.Equal(["intake.example.org/one", "intake.example.org/two"], Verifier(first, second).Verify(note).SignedBy);
    }

    [Theory]
    [InlineData("hello\n\n")]
    [InlineData("hello\n")]
    [InlineData("\n\n\u2014 a AAAA\n")]
    [InlineData("hello\r\n\n\u2014 a AAAA\n")]
    [InlineData("hello\n\n\n\u2014 a AAAA\n")]
    [InlineData("hello\n\n\u2014 a AAAA")]
    public void Non_canonical_forms_are_malformed(string note)
    {
        using NoteSigner signer = NewSigner("a");
        Assert.Equal(NoteFailure.Malformed, Assert.Throws<NoteVerificationException>(() => Verifier(signer).Verify(note)).Failure);
    }

    [Fact]
    public void Base64_with_whitespace_or_other_spelling_is_malformed()
    {
        using NoteSigner signer = NewSigner(Origin);
        string note = signer.Sign("hello\n");
        int space = note.LastIndexOf(' ');
        string spaced = note[..(space + 5)] + " " + note[(space + 5)..];
        Assert.Equal(NoteFailure.Malformed, Assert.Throws<NoteVerificationException>(() => Verifier(signer).Verify(spaced)).Failure);
    }

    [Theory]
    [InlineData("")]
    [InlineData("no newline")]
    [InlineData("blank\n\nline\n")]
    [InlineData("tab\there\n")]
    public void Bodies_that_break_the_text_rules_cannot_be_signed(string body)
    {
        using NoteSigner signer = NewSigner(Origin);
        Assert.Throws<ArgumentException>(() => signer.Sign(body));
    }

    [Fact]
    public void Signers_load_from_pkcs8()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using NoteSigner signer = NoteSigner.FromPkcs8(Origin, key.ExportPkcs8PrivateKey());
        using NoteVerifierKey verifierKey = NoteVerifierKey.FromSubjectPublicKeyInfo(Origin, key.ExportSubjectPublicKeyInfo());
        Assert.Equal(signer.KeyId, verifierKey.KeyId);
        Assert.Equal("hello\n", new NoteVerifier([verifierKey]).Verify(signer.Sign("hello\n")).Body);
    }

    private static NoteSigner NewSigner(string name) => new(name, ECDsa.Create(ECCurve.NamedCurves.nistP256));

    private static NoteVerifier Verifier(params NoteSigner[] signers) =>
        new(signers.Select(s => NoteVerifierKey.FromSubjectPublicKeyInfo(s.KeyName, s.ExportSubjectPublicKeyInfo())));
}
