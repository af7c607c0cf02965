// P-256 keys as the protocol stores them (docs/crypto.md §1, §3): a public key is the 65-byte uncompressed point,
// a private key the 32-byte scalar d. Key ids and fingerprints are SHA-256 of the public key.
import { b64uDecode, concat, IntakeCryptoError, sha256 } from "./bytes";

export const PUBLIC_KEY_LENGTH = 65;
export const PRIVATE_KEY_LENGTH = 32;
export const KEY_ID_LENGTH = 16;

export interface P256KeyPair {
  privateKey: Uint8Array<ArrayBuffer>;
  publicKey: Uint8Array<ArrayBuffer>;
}

export function hasPublicKeyShape(publicKey: Uint8Array): boolean {
  return publicKey.length === PUBLIC_KEY_LENGTH && publicKey[0] === 0x04;
}

function ensurePublicKeyShape(publicKey: Uint8Array): void {
  if (!hasPublicKeyShape(publicKey)) {
    throw new IntakeCryptoError("invalid-key", "A public key is a 65-byte uncompressed P-256 point.");
  }
}

/** kid = SHA-256(publicKey65)[0..16). */
export async function keyId(publicKey: Uint8Array<ArrayBuffer>): Promise<Uint8Array<ArrayBuffer>> {
  ensurePublicKeyShape(publicKey);
  return (await sha256(publicKey)).slice(0, KEY_ID_LENGTH);
}

/** All 32 bytes of SHA-256(publicKey65) as uppercase hex in 16 space-separated groups of 4. */
export async function fingerprint(publicKey: Uint8Array<ArrayBuffer>): Promise<string> {
  ensurePublicKeyShape(publicKey);
  const hex = Array.from(await sha256(publicKey), (b) => b.toString(16).padStart(2, "0").toUpperCase()).join("");
  return hex.match(/.{4}/g)?.join(" ") ?? "";
}

/** A fresh P-256 key pair, exported as the protocol's byte forms. */
export async function generateP256KeyPair(): Promise<P256KeyPair> {
  const pair = await crypto.subtle.generateKey({ name: "ECDH", namedCurve: "P-256" }, true, ["deriveBits"]);
  const jwk = await crypto.subtle.exportKey("jwk", pair.privateKey);
  const d = jwk.d === undefined ? null : b64uDecode(jwk.d, PRIVATE_KEY_LENGTH);
  if (d === null) {
    throw new IntakeCryptoError("invalid-key", "The platform exported an unexpected private key.");
  }
  return { privateKey: d, publicKey: new Uint8Array(await crypto.subtle.exportKey("raw", pair.publicKey)) };
}

// PKCS#8 PrivateKeyInfo for P-256 without the optional public key; the platform computes it.
const PKCS8_P256_PREFIX = new Uint8Array([
  0x30, 0x41, 0x02, 0x01, 0x00, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a, 0x86,
  0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x04, 0x27, 0x30, 0x25, 0x02, 0x01, 0x01, 0x04, 0x20,
]);

/** Imports a 32-byte scalar as an extractable WebCrypto private key for ECDH (HPKE) use. */
export async function importEcdhPrivateKey(privateKey: Uint8Array<ArrayBuffer>): Promise<CryptoKey> {
  if (privateKey.length !== PRIVATE_KEY_LENGTH) {
    throw new IntakeCryptoError("invalid-key", "A private key is 32 bytes.");
  }
  try {
    return await crypto.subtle.importKey("pkcs8", concat(PKCS8_P256_PREFIX, privateKey), { name: "ECDH", namedCurve: "P-256" }, true, ["deriveBits"]);
  } catch {
    throw new IntakeCryptoError("invalid-key", "Not a valid P-256 private key.");
  }
}

/** The 65-byte public key belonging to a 32-byte scalar. */
export async function publicKeyFromPrivate(privateKey: Uint8Array<ArrayBuffer>): Promise<Uint8Array<ArrayBuffer>> {
  const jwk = await crypto.subtle.exportKey("jwk", await importEcdhPrivateKey(privateKey));
  const x = jwk.x === undefined ? null : b64uDecode(jwk.x, 32);
  const y = jwk.y === undefined ? null : b64uDecode(jwk.y, 32);
  if (x === null || y === null) {
    throw new IntakeCryptoError("invalid-key", "The platform exported an unexpected public key.");
  }
  return concat(new Uint8Array([0x04]), x, y);
}
