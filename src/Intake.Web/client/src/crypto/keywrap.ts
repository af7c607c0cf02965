// The advocate's key pair and its passphrase wrap (docs/crypto.md §6): PBKDF2-SHA256 → AES-256-GCM over the scalar d,
// AAD = "intake/v1/advocate-key" || kid(publicKey).
import { aesGcmDecrypt, aesGcmEncrypt, b64uDecode, b64uEncode, concat, encoder, fixedTimeEqual, importAesGcmKey, IntakeCryptoError, randomBytes } from "./bytes";
import { generateP256KeyPair, hasPublicKeyShape, keyId, publicKeyFromPrivate, type P256KeyPair } from "./keys";
import { ADVOCATE_KEY_AAD_PREFIX } from "./labels";

export const MINIMUM_ITERATIONS = 600_000;
export const MAXIMUM_ITERATIONS = 10_000_000;
export const WRAP_ALGORITHM = "PBKDF2-SHA256/A256GCM";
const SALT_LENGTH = 16;
const NONCE_LENGTH = 12;
const WRAPPED_LENGTH = 48;

export interface WrappedAdvocateKey {
  iterations: number;
  salt: Uint8Array<ArrayBuffer>;
  nonce: Uint8Array<ArrayBuffer>;
  publicKey: Uint8Array<ArrayBuffer>;
  wrappedKey: Uint8Array<ArrayBuffer>;
}

/** A fresh ECDH P-256 pair: the HPKE recipient key of an advocate. */
export function generateAdvocateKey(): Promise<P256KeyPair> {
  return generateP256KeyPair();
}

function ensureIterations(iterations: number): void {
  if (!Number.isSafeInteger(iterations) || iterations < MINIMUM_ITERATIONS || iterations > MAXIMUM_ITERATIONS) {
    throw new IntakeCryptoError("iterations-out-of-range");
  }
}

/** KEK = PBKDF2-SHA256(UTF-8(NFC(passphrase)), salt, iterations, 32). No trimming. */
export async function deriveKek(passphrase: string, salt: Uint8Array<ArrayBuffer>, iterations: number): Promise<Uint8Array<ArrayBuffer>> {
  const password = encoder.encode(passphrase.normalize("NFC"));
  const base = await crypto.subtle.importKey("raw", password, "PBKDF2", false, ["deriveBits"]);
  password.fill(0);
  return new Uint8Array(await crypto.subtle.deriveBits({ name: "PBKDF2", hash: "SHA-256", salt, iterations }, base, 256));
}

async function aad(publicKey: Uint8Array<ArrayBuffer>): Promise<Uint8Array<ArrayBuffer>> {
  return concat(ADVOCATE_KEY_AAD_PREFIX, await keyId(publicKey));
}

/** Wraps d under the passphrase; salt and nonce are random unless given (known-answer tests). */
export async function wrapAdvocateKey(
  privateKey: Uint8Array<ArrayBuffer>,
  passphrase: string,
  iterations: number = MINIMUM_ITERATIONS,
  salt: Uint8Array<ArrayBuffer> = randomBytes(SALT_LENGTH),
  nonce: Uint8Array<ArrayBuffer> = randomBytes(NONCE_LENGTH),
): Promise<WrappedAdvocateKey> {
  ensureIterations(iterations);
  if (salt.length !== SALT_LENGTH || nonce.length !== NONCE_LENGTH) {
    throw new IntakeCryptoError("invalid-argument", "Salt is 16 bytes and nonce 12 bytes.");
  }
  const publicKey = await publicKeyFromPrivate(privateKey);
  const kek = await deriveKek(passphrase, salt, iterations);
  const wrappedKey = await aesGcmEncrypt(await importAesGcmKey(kek), nonce, await aad(publicKey), privateKey);
  kek.fill(0);
  return { iterations, salt, nonce, publicKey, wrappedKey };
}

/**
 * Unwraps d and checks it belongs to the record's public key (fixed-time compare). Throws "iterations-out-of-range",
 * "malformed" or "wrong-passphrase-or-tampered" (a wrong passphrase and an altered record cannot be told apart).
 */
export async function unwrapAdvocateKey(record: WrappedAdvocateKey, passphrase: string): Promise<Uint8Array<ArrayBuffer>> {
  ensureIterations(record.iterations);
  if (record.salt.length !== SALT_LENGTH || record.nonce.length !== NONCE_LENGTH || record.wrappedKey.length !== WRAPPED_LENGTH || !hasPublicKeyShape(record.publicKey)) {
    throw new IntakeCryptoError("malformed");
  }
  const kek = await deriveKek(passphrase, record.salt, record.iterations);
  const privateKey = await aesGcmDecrypt(await importAesGcmKey(kek), record.nonce, await aad(record.publicKey), record.wrappedKey);
  kek.fill(0);
  if (privateKey === null) {
    throw new IntakeCryptoError("wrong-passphrase-or-tampered");
  }
  let matches = false;
  try {
    matches = fixedTimeEqual(await publicKeyFromPrivate(privateKey), record.publicKey);
  } catch {
    matches = false;
  }
  if (!matches) {
    privateKey.fill(0);
    throw new IntakeCryptoError("wrong-passphrase-or-tampered");
  }
  return privateKey;
}

/** {"v":1,"alg":…,"iterations":…,"salt":…,"nonce":…,"publicKey":…,"wrappedKey":…} in this order. */
export function wrappedAdvocateKeyToJson(record: WrappedAdvocateKey): string {
  return JSON.stringify({
    v: 1,
    alg: WRAP_ALGORITHM,
    iterations: record.iterations,
    salt: b64uEncode(record.salt),
    nonce: b64uEncode(record.nonce),
    publicKey: b64uEncode(record.publicKey),
    wrappedKey: b64uEncode(record.wrappedKey),
  });
}

/** Strict: exactly the seven members, exact lengths. Throws "malformed". */
export function parseWrappedAdvocateKey(json: string): WrappedAdvocateKey {
  const fail = (): never => {
    throw new IntakeCryptoError("malformed");
  };
  let root: unknown;
  try {
    root = JSON.parse(json);
  } catch {
    return fail();
  }
  const members = ["v", "alg", "iterations", "salt", "nonce", "publicKey", "wrappedKey"];
  if (typeof root !== "object" || root === null || Array.isArray(root)) {
    return fail();
  }
  const r = root as Record<string, unknown>;
  const keys = Object.keys(r);
  if (keys.length !== members.length || !keys.every((k) => members.includes(k)) || r.v !== 1 || r.alg !== WRAP_ALGORITHM) {
    return fail();
  }
  const iterations = r.iterations;
  if (typeof iterations !== "number" || !Number.isInteger(iterations)) {
    return fail();
  }
  const bytes = (value: unknown, length: number): Uint8Array<ArrayBuffer> => (typeof value === "string" ? b64uDecode(value, length) : null) ?? fail();
  const publicKey = bytes(r.publicKey, 65);
  if (!hasPublicKeyShape(publicKey)) {
    fail();
  }
  return { iterations, salt: bytes(r.salt, SALT_LENGTH), nonce: bytes(r.nonce, NONCE_LENGTH), publicKey, wrappedKey: bytes(r.wrappedKey, WRAPPED_LENGTH) };
}
