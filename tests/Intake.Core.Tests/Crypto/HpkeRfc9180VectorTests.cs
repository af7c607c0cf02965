using Intake.Core.Crypto;

namespace Intake.Core.Tests.Crypto;

/// <summary>RFC 9180 Appendix A.3: DHKEM(P-256, HKDF-SHA256), HKDF-SHA256, AES-128-GCM, base mode.</summary>
public sealed class HpkeRfc9180VectorTests
{
    private static readonly HpkeVectorFile Vectors = HpkeTestVectors.LoadA3();
    private static readonly HpkeSuite Suite = HpkeSuite.P256Sha256Aes128Gcm;

    private static byte[] Info => Vectors.SetupBytes("info");

    private static byte[] SkEm => Vectors.SetupBytes("skEm");

    private static byte[] SkRm => Vectors.SetupBytes("skRm");

    private static byte[] PkRm => Vectors.SetupBytes("pkRm");

    private static byte[] Enc => Vectors.SetupBytes("enc");

    [Fact]
    public void Vector_file_parses_into_the_A3_setup_six_encryptions_and_three_exports()
    {
        Assert.Equal("0", Vectors.Setup["mode"]);
        Assert.Equal(((int)0x0010).ToString(System.Globalization.CultureInfo.InvariantCulture), Vectors.Setup["kem_id"]);
        Assert.Equal("1", Vectors.Setup["kdf_id"]);
        Assert.Equal(((int)Suite.Aead).ToString(System.Globalization.CultureInfo.InvariantCulture), Vectors.Setup["aead_id"]);
        Assert.Equal(["0", "1", "2", "4", "255", "256"], Vectors.Encryptions.Select(e => e["sequence number"]));
        Assert.Equal(3, Vectors.Exports.Count);
        Assert.Equal(HpkeSuite.PublicKeyLength, Vectors.SetupBytes("pkEm").Length);
        Assert.Equal(HpkeSuite.PublicKeyLength, Enc.Length);
    }

    [Fact]
    public void DeriveKeyPair_reproduces_the_RFC_9180_A3_keys()
    {
        (byte[] skE, byte[] pkE) = HpkeSuite.DeriveKeyPair(Vectors.SetupBytes("ikmE"));
        (byte[] skR, byte[] pkR) = HpkeSuite.DeriveKeyPair(Vectors.SetupBytes("ikmR"));

        Assert.Equal(SkEm, skE);
        Assert.Equal(Vectors.SetupBytes("pkEm"), pkE);
        Assert.Equal(SkRm, skR);
        Assert.Equal(PkRm, pkR);
    }

    [Fact]
    public void Encap_with_the_vector_ephemeral_key_reproduces_enc_and_shared_secret()
    {
        (byte[] sharedSecret, byte[] enc) = HpkeDhKemP256.Encap(PkRm, SkEm);

        Assert.Equal(Enc, enc);
        Assert.Equal(Vectors.SetupBytes("shared_secret"), sharedSecret);
    }

    [Fact]
    public void Decap_with_the_vector_recipient_key_reproduces_shared_secret()
    {
        byte[] sharedSecret = HpkeDhKemP256.Decap(Enc, SkRm);

        Assert.Equal(Vectors.SetupBytes("shared_secret"), sharedSecret);
    }

    [Fact]
    public void Key_schedule_reproduces_context_secret_key_base_nonce_and_exporter_secret()
    {
        HpkeKeySchedule schedule = HpkeKeySchedule.DeriveBase(Suite, Vectors.SetupBytes("shared_secret"), Info);

        Assert.Equal(Vectors.SetupBytes("key_schedule_context"), schedule.KeyScheduleContext);
        Assert.Equal(Vectors.SetupBytes("secret"), schedule.Secret);
        Assert.Equal(Vectors.SetupBytes("key"), schedule.Key);
        Assert.Equal(Vectors.SetupBytes("base_nonce"), schedule.BaseNonce);
        Assert.Equal(Vectors.SetupBytes("exporter_secret"), schedule.ExporterSecret);
    }

    [Fact]
    public void Sender_setup_with_the_vector_ephemeral_key_returns_the_vector_enc()
    {
        (byte[] enc, HpkeSenderContext context) = Suite.SetupBaseSenderWithEphemeralKey(PkRm, Info, SkEm);
        using (context)
        {
            Assert.Equal(Enc, enc);
            Assert.Equal(0UL, context.Inner.SequenceNumber);
        }
    }

    [Fact]
    public void Sender_reproduces_every_vector_nonce_and_ciphertext_at_its_sequence_number()
    {
        Dictionary<ulong, IReadOnlyDictionary<string, string>> expected = EncryptionsBySequenceNumber();
        (_, HpkeSenderContext sender) = Suite.SetupBaseSenderWithEphemeralKey(PkRm, Info, SkEm);
        using (sender)
        {
            Span<byte> nonce = stackalloc byte[HpkeSuite.NonceLength];
            for (ulong seq = 0; seq <= expected.Keys.Max(); seq++)
            {
                Assert.Equal(seq, sender.Inner.SequenceNumber);
                if (!expected.TryGetValue(seq, out IReadOnlyDictionary<string, string>? vector))
                {
                    // Only the sequence number matters for the messages the RFC does not list.
                    sender.Seal("filler"u8, "filler"u8);
                    continue;
                }

                sender.Inner.ComputeNonce(seq, nonce);
                Assert.Equal(Hex(vector, "nonce"), nonce.ToArray());
                Assert.Equal(Hex(vector, "ct"), sender.Seal(Hex(vector, "aad"), Hex(vector, "pt")));
            }
        }
    }

    [Fact]
    public void Recipient_opens_every_vector_ciphertext_at_its_sequence_number()
    {
        Dictionary<ulong, IReadOnlyDictionary<string, string>> expected = EncryptionsBySequenceNumber();

        // The filler sender shares the session, so its messages advance the recipient exactly as real ones would.
        (_, HpkeSenderContext filler) = Suite.SetupBaseSenderWithEphemeralKey(PkRm, Info, SkEm);
        using HpkeRecipientContext recipient = Suite.SetupBaseRecipient(Enc, SkRm, Info);
        using (filler)
        {
            int opened = 0;
            for (ulong seq = 0; seq <= expected.Keys.Max(); seq++)
            {
                if (!expected.TryGetValue(seq, out IReadOnlyDictionary<string, string>? vector))
                {
                    Assert.Equal("filler"u8.ToArray(), recipient.Open("aad"u8, filler.Seal("aad"u8, "filler"u8)));
                    continue;
                }

                Assert.Equal(Hex(vector, "pt"), recipient.Open(Hex(vector, "aad"), Hex(vector, "ct")));
                filler.Seal([], []); // keep the filler sender in step
                opened++;
            }

            Assert.Equal(6, opened);
            Assert.Equal(257UL, recipient.Inner.SequenceNumber);
        }
    }

    [Fact]
    public void Sender_and_recipient_both_reproduce_every_vector_exported_value()
    {
        (_, HpkeSenderContext sender) = Suite.SetupBaseSenderWithEphemeralKey(PkRm, Info, SkEm);
        using HpkeRecipientContext recipient = Suite.SetupBaseRecipient(Enc, SkRm, Info);
        using (sender)
        {
            foreach (IReadOnlyDictionary<string, string> vector in Vectors.Exports)
            {
                byte[] exporterContext = Hex(vector, "exporter_context");
                int length = int.Parse(vector["L"], System.Globalization.CultureInfo.InvariantCulture);
                byte[] expected = Hex(vector, "exported_value");

                Assert.Equal(expected, sender.Export(exporterContext, length));
                Assert.Equal(expected, recipient.Export(exporterContext, length));
            }
        }
    }

    private static Dictionary<ulong, IReadOnlyDictionary<string, string>> EncryptionsBySequenceNumber() =>
        Vectors.Encryptions.ToDictionary(
            e => ulong.Parse(e["sequence number"], System.Globalization.CultureInfo.InvariantCulture));

    private static byte[] Hex(IReadOnlyDictionary<string, string> record, string key) =>
        Convert.FromHexString(record[key]);
}
