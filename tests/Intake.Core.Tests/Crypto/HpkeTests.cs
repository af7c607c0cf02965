using System.Numerics;
using System.Security.Cryptography;
using Intake.Core.Crypto;

namespace Intake.Core.Tests.Crypto;

public sealed class HpkeTests
{
    private static readonly byte[] Info = "intake testimony v1"u8.ToArray();
    private static readonly byte[] Aad = "submission-42"u8.ToArray();
    private static readonly byte[] Plaintext = "I saw what happened on the night of the 14th."u8.ToArray();

    public static TheoryData<HpkeAead> Aeads => [HpkeAead.Aes128Gcm, HpkeAead.Aes256Gcm];

    [Fact]
    public void GenerateKeyPair_returns_a_32_byte_scalar_and_its_65_byte_uncompressed_public_key()
    {
        (byte[] privateKey, byte[] publicKey) = HpkeSuite.GenerateKeyPair();

        Assert.Equal(HpkeSuite.PrivateKeyLength, privateKey.Length);
        Assert.Equal(HpkeSuite.PublicKeyLength, publicKey.Length);
        Assert.Equal(0x04, publicKey[0]);
        Assert.Equal(publicKey, HpkeDhKemP256.GetPublicKey(privateKey));
    }

    [Fact]
    public void GenerateKeyPair_returns_a_different_key_each_call()
    {
        Assert.NotEqual(HpkeSuite.GenerateKeyPair().PrivateKey, HpkeSuite.GenerateKeyPair().PrivateKey);
    }

    [Fact]
    public void DeriveKeyPair_is_deterministic_and_depends_on_ikm()
    {
        byte[] ikm = Enumerable.Range(0, 32).Select(i => (byte)i).ToArray();
        byte[] otherIkm = (byte[])ikm.Clone();
        otherIkm[^1] ^= 1;

        Assert.Equal(HpkeSuite.DeriveKeyPair(ikm), HpkeSuite.DeriveKeyPair(ikm), KeyPairComparer.Instance);
        Assert.NotEqual(HpkeSuite.DeriveKeyPair(ikm).PrivateKey, HpkeSuite.DeriveKeyPair(otherIkm).PrivateKey);
    }

    [Fact]
    public void DeriveKeyPair_rejects_ikm_shorter_than_a_private_key()
    {
        ArgumentException error = Assert.Throws<ArgumentException>(() => HpkeSuite.DeriveKeyPair(new byte[31]));
        Assert.Equal("ikm", error.ParamName);
    }

    [Theory]
    [MemberData(nameof(Aeads))]
    public void Single_shot_seal_then_open_round_trips_with_generated_keys(HpkeAead aead)
    {
        HpkeSuite suite = HpkeSuite.For(aead);
        (byte[] privateKey, byte[] publicKey) = HpkeSuite.GenerateKeyPair();

        (byte[] enc, byte[] ciphertext) = suite.Seal(publicKey, Info, Aad, Plaintext);

        Assert.Equal(aead, suite.Aead);
        Assert.Equal(HpkeSuite.PublicKeyLength, enc.Length);
        Assert.Equal(Plaintext.Length + HpkeSuite.TagLength, ciphertext.Length);
        Assert.Equal(Plaintext, suite.Open(privateKey, enc, Info, Aad, ciphertext));
    }

    [Theory]
    [MemberData(nameof(Aeads))]
    public void Context_round_trips_a_stream_of_messages_and_agrees_on_exports(HpkeAead aead)
    {
        HpkeSuite suite = HpkeSuite.For(aead);
        (byte[] privateKey, byte[] publicKey) = HpkeSuite.GenerateKeyPair();
        (byte[] enc, HpkeSenderContext sender) = suite.SetupBaseSender(publicKey, Info);
        using (sender)
        using (HpkeRecipientContext recipient = suite.SetupBaseRecipient(enc, privateKey, Info))
        {
            for (int i = 0; i < 5; i++)
            {
                byte[] message = [.. Plaintext, (byte)i];
                byte[] ciphertext = sender.Seal(Aad, message);
                Assert.Equal(message, recipient.Open(Aad, ciphertext));
            }

            Assert.Equal(sender.Export("ctx"u8, 64), recipient.Export("ctx"u8, 64));
            Assert.NotEqual(sender.Export("ctx"u8, 32), sender.Export("other"u8, 32));
        }
    }

    [Fact]
    public void Empty_plaintext_and_empty_aad_round_trip()
    {
        HpkeSuite suite = HpkeSuite.P256Sha256Aes256Gcm;
        (byte[] privateKey, byte[] publicKey) = HpkeSuite.GenerateKeyPair();

        (byte[] enc, byte[] ciphertext) = suite.Seal(publicKey, [], [], []);

        Assert.Equal(HpkeSuite.TagLength, ciphertext.Length);
        Assert.Empty(suite.Open(privateKey, enc, [], [], ciphertext));
    }

    [Fact]
    public void Sealing_the_same_message_twice_uses_fresh_ephemeral_keys()
    {
        (_, byte[] publicKey) = HpkeSuite.GenerateKeyPair();

        (byte[] enc1, byte[] ct1) = HpkeSuite.P256Sha256Aes128Gcm.Seal(publicKey, Info, Aad, Plaintext);
        (byte[] enc2, byte[] ct2) = HpkeSuite.P256Sha256Aes128Gcm.Seal(publicKey, Info, Aad, Plaintext);

        Assert.NotEqual(enc1, enc2);
        Assert.NotEqual(ct1, ct2);
    }

    [Theory]
    [MemberData(nameof(Aeads))]
    public void Open_with_a_tampered_ciphertext_throws_HpkeOpenException(HpkeAead aead)
    {
        Sealed s = SealFresh(HpkeSuite.For(aead));
        foreach (int index in new[] { 0, Plaintext.Length - 1, s.Ciphertext.Length - 1 })
        {
            byte[] tampered = (byte[])s.Ciphertext.Clone();
            tampered[index] ^= 0x01;

            Assert.Throws<HpkeOpenException>(() => s.Suite.Open(s.PrivateKey, s.Enc, Info, Aad, tampered));
        }
    }

    [Fact]
    public void Open_with_a_ciphertext_shorter_than_the_tag_throws_HpkeOpenException()
    {
        Sealed s = SealFresh(HpkeSuite.P256Sha256Aes128Gcm);

        Assert.Throws<HpkeOpenException>(() => s.Suite.Open(s.PrivateKey, s.Enc, Info, Aad, s.Ciphertext.AsSpan(0, 15)));
        Assert.Throws<HpkeOpenException>(() => s.Suite.Open(s.PrivateKey, s.Enc, Info, Aad, []));
    }

    [Fact]
    public void Open_with_tampered_aad_throws_HpkeOpenException()
    {
        Sealed s = SealFresh(HpkeSuite.P256Sha256Aes128Gcm);

        Assert.Throws<HpkeOpenException>(() => s.Suite.Open(s.PrivateKey, s.Enc, Info, "submission-43"u8, s.Ciphertext));
    }

    [Fact]
    public void Open_with_a_different_recipient_key_throws_HpkeOpenException()
    {
        Sealed s = SealFresh(HpkeSuite.P256Sha256Aes128Gcm);
        (byte[] wrongPrivateKey, _) = HpkeSuite.GenerateKeyPair();

        Assert.Throws<HpkeOpenException>(() => s.Suite.Open(wrongPrivateKey, s.Enc, Info, Aad, s.Ciphertext));
    }

    [Fact]
    public void Open_with_different_info_throws_HpkeOpenException()
    {
        Sealed s = SealFresh(HpkeSuite.P256Sha256Aes128Gcm);

        Assert.Throws<HpkeOpenException>(() => s.Suite.Open(s.PrivateKey, s.Enc, "intake testimony v2"u8, Aad, s.Ciphertext));
    }

    [Fact]
    public void Open_under_the_other_AEAD_throws_HpkeOpenException()
    {
        Sealed s = SealFresh(HpkeSuite.P256Sha256Aes128Gcm);

        Assert.Throws<HpkeOpenException>(
            () => HpkeSuite.P256Sha256Aes256Gcm.Open(s.PrivateKey, s.Enc, Info, Aad, s.Ciphertext));
    }

    [Fact]
    public void Open_with_a_truncated_enc_throws_HpkeOpenException()
    {
        Sealed s = SealFresh(HpkeSuite.P256Sha256Aes128Gcm);

        Assert.Throws<HpkeOpenException>(() => s.Suite.Open(s.PrivateKey, s.Enc.AsSpan(0, 64), Info, Aad, s.Ciphertext));
        Assert.Throws<HpkeOpenException>(() => s.Suite.Open(s.PrivateKey, s.Enc.AsSpan(0, 33), Info, Aad, s.Ciphertext));
        Assert.Throws<HpkeOpenException>(() => s.Suite.Open(s.PrivateKey, [], Info, Aad, s.Ciphertext));
    }

    [Fact]
    public void Open_with_an_off_curve_enc_throws_HpkeOpenException()
    {
        Sealed s = SealFresh(HpkeSuite.P256Sha256Aes128Gcm);

        Assert.Throws<HpkeOpenException>(() => s.Suite.Open(s.PrivateKey, OffCurve(s.Enc), Info, Aad, s.Ciphertext));
    }

    [Fact]
    public void Open_with_an_enc_that_is_not_an_uncompressed_point_throws_HpkeOpenException()
    {
        Sealed s = SealFresh(HpkeSuite.P256Sha256Aes128Gcm);
        byte[] wrongTag = (byte[])s.Enc.Clone();
        wrongTag[0] = 0x02;
        byte[] identityLike = new byte[HpkeSuite.PublicKeyLength];
        identityLike[0] = 0x04;

        Assert.Throws<HpkeOpenException>(() => s.Suite.Open(s.PrivateKey, wrongTag, Info, Aad, s.Ciphertext));
        Assert.Throws<HpkeOpenException>(() => s.Suite.Open(s.PrivateKey, identityLike, Info, Aad, s.Ciphertext));
    }

    [Fact]
    public void Open_with_a_non_canonical_enc_coordinate_throws_HpkeOpenException()
    {
        Sealed s = SealFresh(HpkeSuite.P256Sha256Aes128Gcm);

        Assert.Throws<HpkeOpenException>(
            () => s.Suite.Open(s.PrivateKey, NonCanonicalEncodingOfAPointWithSmallX(), Info, Aad, s.Ciphertext));
    }

    [Fact]
    public void Seal_to_an_off_curve_public_key_throws_HpkeInvalidKeyException()
    {
        (_, byte[] publicKey) = HpkeSuite.GenerateKeyPair();

        Assert.Throws<HpkeInvalidKeyException>(
            () => HpkeSuite.P256Sha256Aes128Gcm.Seal(OffCurve(publicKey), Info, Aad, Plaintext));
    }

    [Fact]
    public void Seal_to_a_truncated_or_compressed_public_key_throws_HpkeInvalidKeyException()
    {
        (_, byte[] publicKey) = HpkeSuite.GenerateKeyPair();
        byte[] compressed = [(byte)(0x02 | (publicKey[^1] & 1)), .. publicKey.AsSpan(1, 32)];

        Assert.Throws<HpkeInvalidKeyException>(
            () => HpkeSuite.P256Sha256Aes128Gcm.Seal(publicKey.AsSpan(0, 64), Info, Aad, Plaintext));
        Assert.Throws<HpkeInvalidKeyException>(
            () => HpkeSuite.P256Sha256Aes128Gcm.Seal(compressed, Info, Aad, Plaintext));
    }

    [Fact]
    public void Open_with_a_private_key_outside_the_scalar_range_throws_HpkeInvalidKeyException()
    {
        Sealed s = SealFresh(HpkeSuite.P256Sha256Aes128Gcm);
        byte[] order = Convert.FromHexString("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551");

        Assert.Throws<HpkeInvalidKeyException>(() => s.Suite.Open(new byte[32], s.Enc, Info, Aad, s.Ciphertext));
        Assert.Throws<HpkeInvalidKeyException>(() => s.Suite.Open(order, s.Enc, Info, Aad, s.Ciphertext));
        Assert.Throws<HpkeInvalidKeyException>(() => s.Suite.Open(s.PrivateKey.AsSpan(1), s.Enc, Info, Aad, s.Ciphertext));
    }

    [Fact]
    public void Open_failure_message_is_generic_and_reveals_no_key_material()
    {
        Sealed s = SealFresh(HpkeSuite.P256Sha256Aes128Gcm);
        byte[] tampered = (byte[])s.Ciphertext.Clone();
        tampered[0] ^= 0x80;

        HpkeOpenException authFailure = Assert.Throws<HpkeOpenException>(
            () => s.Suite.Open(s.PrivateKey, s.Enc, Info, Aad, tampered));
        HpkeOpenException encFailure = Assert.Throws<HpkeOpenException>(
            () => s.Suite.Open(s.PrivateKey, OffCurve(s.Enc), Info, Aad, s.Ciphertext));

        Assert.Equal(authFailure.Message, encFailure.Message);
        Assert.Null(authFailure.InnerException);
        Assert.DoesNotContain(Convert.ToHexString(s.PrivateKey), authFailure.ToString(), StringComparison.OrdinalIgnoreCase);
        Assert.IsAssignableFrom<CryptographicException>(authFailure);
    }

    [Fact]
    public void A_failed_open_does_not_advance_the_recipient_so_the_genuine_message_still_opens()
    {
        HpkeSuite suite = HpkeSuite.P256Sha256Aes128Gcm;
        (byte[] privateKey, byte[] publicKey) = HpkeSuite.GenerateKeyPair();
        (byte[] enc, HpkeSenderContext sender) = suite.SetupBaseSender(publicKey, Info);
        using (sender)
        using (HpkeRecipientContext recipient = suite.SetupBaseRecipient(enc, privateKey, Info))
        {
            byte[] first = sender.Seal(Aad, "first"u8);
            byte[] forged = (byte[])first.Clone();
            forged[^1] ^= 0x01;

            Assert.Throws<HpkeOpenException>(() => recipient.Open(Aad, forged));
            Assert.Equal(0UL, recipient.Inner.SequenceNumber);
            Assert.Equal("first"u8.ToArray(), recipient.Open(Aad, first));
            Assert.Equal(1UL, recipient.Inner.SequenceNumber);
        }
    }

    [Fact]
    public void Messages_opened_out_of_order_throw_HpkeOpenException()
    {
        HpkeSuite suite = HpkeSuite.P256Sha256Aes128Gcm;
        (byte[] privateKey, byte[] publicKey) = HpkeSuite.GenerateKeyPair();
        (byte[] enc, HpkeSenderContext sender) = suite.SetupBaseSender(publicKey, Info);
        using (sender)
        using (HpkeRecipientContext recipient = suite.SetupBaseRecipient(enc, privateKey, Info))
        {
            sender.Seal(Aad, "first"u8);
            byte[] second = sender.Seal(Aad, "second"u8);

            Assert.Throws<HpkeOpenException>(() => recipient.Open(Aad, second));
        }
    }

    [Fact]
    public void Nonce_is_base_nonce_xor_the_big_endian_sequence_number()
    {
        byte[] baseNonce = Convert.FromHexString("4e0bc5018beba4bf004cca59");
        var schedule = new HpkeKeySchedule([], new byte[32], new byte[16], (byte[])baseNonce.Clone(), new byte[32]);
        using var context = new HpkeAeadContext(HpkeSuite.P256Sha256Aes128Gcm, schedule);
        Span<byte> nonce = stackalloc byte[HpkeSuite.NonceLength];

        context.ComputeNonce(0, nonce);
        Assert.Equal(baseNonce, nonce.ToArray());
        context.ComputeNonce(0x0102030405060708, nonce);
        Assert.Equal(Convert.FromHexString("4e0bc501" + "8ae9a7bb054acd51"), nonce.ToArray());
        context.ComputeNonce(ulong.MaxValue, nonce);
        Assert.Equal(Convert.FromHexString("4e0bc501" + "74145b40ffb335a6"), nonce.ToArray());
    }

    [Fact]
    public void Sender_refuses_to_seal_once_the_sequence_number_is_exhausted()
    {
        (_, byte[] publicKey) = HpkeSuite.GenerateKeyPair();
        (_, HpkeSenderContext sender) = HpkeSuite.P256Sha256Aes128Gcm.SetupBaseSender(publicKey, Info);
        using (sender)
        {
            sender.Inner.SequenceNumber = ulong.MaxValue - 1;

            Assert.Equal(Plaintext.Length + HpkeSuite.TagLength, sender.Seal(Aad, Plaintext).Length);
            CryptographicException error = Assert.Throws<CryptographicException>(() => sender.Seal(Aad, Plaintext));
            Assert.Contains("message limit", error.Message, StringComparison.Ordinal);
            Assert.Equal(ulong.MaxValue, sender.Inner.SequenceNumber);
        }
    }

    [Fact]
    public void Recipient_refuses_to_open_once_the_sequence_number_is_exhausted()
    {
        Sealed s = SealFresh(HpkeSuite.P256Sha256Aes128Gcm);
        using HpkeRecipientContext recipient = s.Suite.SetupBaseRecipient(s.Enc, s.PrivateKey, Info);
        recipient.Inner.SequenceNumber = ulong.MaxValue;

        CryptographicException error = Assert.Throws<CryptographicException>(() => recipient.Open(Aad, s.Ciphertext));
        Assert.Contains("message limit", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Export_accepts_lengths_from_1_to_255_hash_blocks_and_rejects_others()
    {
        (_, byte[] publicKey) = HpkeSuite.GenerateKeyPair();
        (_, HpkeSenderContext sender) = HpkeSuite.P256Sha256Aes128Gcm.SetupBaseSender(publicKey, Info);
        using (sender)
        {
            Assert.Single(sender.Export("ctx"u8, 1));
            Assert.Equal(255 * 32, sender.Export("ctx"u8, 255 * 32).Length);
            Assert.Throws<ArgumentOutOfRangeException>(() => sender.Export("ctx"u8, 0));
            Assert.Throws<ArgumentOutOfRangeException>(() => sender.Export("ctx"u8, (255 * 32) + 1));
        }
    }

    [Fact]
    public void Disposed_contexts_refuse_to_seal_open_or_export()
    {
        Sealed s = SealFresh(HpkeSuite.P256Sha256Aes128Gcm);
        (_, HpkeSenderContext sender) = s.Suite.SetupBaseSender(HpkeDhKemP256.GetPublicKey(s.PrivateKey), Info);
        HpkeRecipientContext recipient = s.Suite.SetupBaseRecipient(s.Enc, s.PrivateKey, Info);

        sender.Dispose();
        recipient.Dispose();
        recipient.Dispose(); // idempotent

        Assert.Throws<ObjectDisposedException>(() => sender.Seal(Aad, Plaintext));
        Assert.Throws<ObjectDisposedException>(() => sender.Export("ctx"u8, 32));
        Assert.Throws<ObjectDisposedException>(() => recipient.Open(Aad, s.Ciphertext));
    }

    [Fact]
    public void For_rejects_an_unknown_AEAD_id()
    {
        Assert.Same(HpkeSuite.P256Sha256Aes256Gcm, HpkeSuite.For(HpkeAead.Aes256Gcm));
        Assert.Throws<ArgumentOutOfRangeException>(() => HpkeSuite.For((HpkeAead)0x0003));
    }

    private static Sealed SealFresh(HpkeSuite suite)
    {
        (byte[] privateKey, byte[] publicKey) = HpkeSuite.GenerateKeyPair();
        (byte[] enc, byte[] ciphertext) = suite.Seal(publicKey, Info, Aad, Plaintext);
        return new Sealed(suite, privateKey, enc, ciphertext);
    }

    /// <summary>Flipping the low bit of Y leaves X alone, so the point can no longer satisfy the curve equation.</summary>
    private static byte[] OffCurve(byte[] point)
    {
        byte[] bad = (byte[])point.Clone();
        bad[^1] ^= 0x01;
        return bad;
    }

    /// <summary>
    /// A real curve point written with X + p instead of X. It fits in 32 bytes only because X is tiny, and a lax
    /// decoder that reduces mod p would accept it as a second encoding of the same point.
    /// </summary>
    private static byte[] NonCanonicalEncodingOfAPointWithSmallX()
    {
        BigInteger p = new(Convert.FromHexString("ffffffff00000001000000000000000000000000ffffffffffffffffffffffff"), isUnsigned: true, isBigEndian: true);
        BigInteger b = new(Convert.FromHexString("5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604b"), isUnsigned: true, isBigEndian: true);
        for (BigInteger x = 0; ; x++)
        {
            BigInteger rhs = BigInteger.Remainder(((x * x * x) - (3 * x) + b) % p + p, p);
            BigInteger y = BigInteger.ModPow(rhs, (p + 1) / 4, p); // p ≡ 3 (mod 4)
            if (BigInteger.Remainder(y * y, p) != rhs)
            {
                continue;
            }

            byte[] encoded = new byte[HpkeSuite.PublicKeyLength];
            encoded[0] = 0x04;
            (x + p).TryWriteBytes(encoded.AsSpan(1, 32), out _, isUnsigned: true, isBigEndian: true);
            byte[] yBytes = y.ToByteArray(isUnsigned: true, isBigEndian: true);
            yBytes.CopyTo(encoded, 1 + 32 + (32 - yBytes.Length));
            return encoded;
        }
    }

    private sealed record Sealed(HpkeSuite Suite, byte[] PrivateKey, byte[] Enc, byte[] Ciphertext);

    private sealed class KeyPairComparer : IEqualityComparer<(byte[] PrivateKey, byte[] PublicKey)>
    {
        internal static readonly KeyPairComparer Instance = new();

        public bool Equals((byte[] PrivateKey, byte[] PublicKey) x, (byte[] PrivateKey, byte[] PublicKey) y) =>
            x.PrivateKey.AsSpan().SequenceEqual(y.PrivateKey) && x.PublicKey.AsSpan().SequenceEqual(y.PublicKey);

        public int GetHashCode((byte[] PrivateKey, byte[] PublicKey) obj) => obj.PrivateKey.Length;
    }
}
