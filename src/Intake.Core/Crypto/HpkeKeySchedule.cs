using System.Security.Cryptography;

namespace Intake.Core.Crypto;

/// <summary>Everything RFC 9180 §5.1 KeySchedule derives, kept together so tests can check the intermediates.</summary>
internal sealed record HpkeKeySchedule(
    byte[] KeyScheduleContext, byte[] Secret, byte[] Key, byte[] BaseNonce, byte[] ExporterSecret)
{
    internal const byte ModeBase = 0x00;

    /// <summary>KeySchedule for mode_base: psk and psk_id are both empty.</summary>
    internal static HpkeKeySchedule DeriveBase(HpkeSuite suite, ReadOnlySpan<byte> sharedSecret, ReadOnlySpan<byte> info)
    {
        ReadOnlySpan<byte> suiteId = suite.SuiteId;
        byte[] pskIdHash = HpkeLabeledKdf.LabeledExtract(suiteId, [], "psk_id_hash"u8, []);
        byte[] infoHash = HpkeLabeledKdf.LabeledExtract(suiteId, [], "info_hash"u8, info);
        byte[] keyScheduleContext = [ModeBase, .. pskIdHash, .. infoHash];

        byte[] secret = HpkeLabeledKdf.LabeledExtract(suiteId, sharedSecret, "secret"u8, []);
        return new HpkeKeySchedule(
            keyScheduleContext,
            secret,
            HpkeLabeledKdf.LabeledExpand(suiteId, secret, "key"u8, keyScheduleContext, suite.KeyLength),
            HpkeLabeledKdf.LabeledExpand(suiteId, secret, "base_nonce"u8, keyScheduleContext, HpkeSuite.NonceLength),
            HpkeLabeledKdf.LabeledExpand(suiteId, secret, "exp"u8, keyScheduleContext, HpkeLabeledKdf.HashLength));
    }

    /// <summary>Only key, base_nonce and exporter_secret outlive the schedule; their owner zeroes them.</summary>
    internal void ZeroIntermediates() => CryptographicOperations.ZeroMemory(Secret);
}
