namespace Intake.Core.Crypto;

/// <summary>The AEAD half of an HPKE suite; values are the RFC 9180 aead_id registry codes.</summary>
public enum HpkeAead : ushort
{
    /// <summary>AES-128-GCM (aead_id 0x0001).</summary>
    Aes128Gcm = 0x0001,

    /// <summary>AES-256-GCM (aead_id 0x0002).</summary>
    Aes256Gcm = 0x0002,
}
