// HPKE (RFC 9180) base mode, DHKEM(P-256, HKDF-SHA256) / HKDF-SHA256 / AES-128-GCM (the A.3 suite), used to seal one
// 32-byte content key per recipient (docs/crypto.md §4.3).
import { Aes128Gcm, CipherSuite, DhkemP256HkdfSha256, HkdfSha256 } from "@hpke/core";
import { IntakeCryptoError } from "./bytes";
import { importEcdhPrivateKey, publicKeyFromPrivate } from "./keys";
import { CONTENT_KEY_INFO } from "./labels";

export const hpkeSuite = new CipherSuite({ kem: new DhkemP256HkdfSha256(), kdf: new HkdfSha256(), aead: new Aes128Gcm() });

export interface SealedContentKey {
  enc: Uint8Array<ArrayBuffer>;
  sealedKey: Uint8Array<ArrayBuffer>;
}

async function keyPairFromPrivate(privateKey: Uint8Array<ArrayBuffer>): Promise<CryptoKeyPair> {
  const publicKey = await hpkeSuite.kem.deserializePublicKey(await publicKeyFromPrivate(privateKey));
  return { privateKey: await importEcdhPrivateKey(privateKey), publicKey };
}

/**
 * SetupBaseS(pkR, info = "intake/v1/content-key"), then Seal(aad = headerHash, contentKey) as the first message.
 * `ephemeralPrivateKey` fixes the sender's ephemeral key, for known-answer tests only.
 */
export async function sealContentKey(
  recipientPublicKey: Uint8Array<ArrayBuffer>,
  headerHash: Uint8Array<ArrayBuffer>,
  contentKey: Uint8Array<ArrayBuffer>,
  ephemeralPrivateKey?: Uint8Array<ArrayBuffer>,
): Promise<SealedContentKey> {
  let recipient: CryptoKey;
  try {
    recipient = await hpkeSuite.kem.deserializePublicKey(recipientPublicKey);
  } catch {
    throw new IntakeCryptoError("invalid-key", "A recipient key is not a P-256 point on the curve.");
  }
  const sender = await hpkeSuite.createSenderContext({
    recipientPublicKey: recipient,
    info: CONTENT_KEY_INFO,
    ...(ephemeralPrivateKey === undefined ? {} : { ekm: await keyPairFromPrivate(ephemeralPrivateKey) }),
  });
  const sealedKey = new Uint8Array(await sender.seal(contentKey, headerHash));
  return { enc: new Uint8Array(sender.enc), sealedKey };
}

/** SetupBaseR(enc, skR, info), Open(aad = headerHash, sealedKey). Throws "authentication" on any failure. */
export async function openContentKey(
  recipientPrivateKey: Uint8Array<ArrayBuffer>,
  enc: Uint8Array<ArrayBuffer>,
  headerHash: Uint8Array<ArrayBuffer>,
  sealedKey: Uint8Array<ArrayBuffer>,
): Promise<Uint8Array<ArrayBuffer>> {
  const recipientKey = await keyPairFromPrivate(recipientPrivateKey);
  try {
    const recipient = await hpkeSuite.createRecipientContext({ recipientKey, enc, info: CONTENT_KEY_INFO });
    return new Uint8Array(await recipient.open(sealedKey, headerHash));
  } catch {
    throw new IntakeCryptoError("authentication", "The sealed content key does not open: altered, or sealed to someone else.");
  }
}
