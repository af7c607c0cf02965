// The survivor's receipt (docs/crypto.md §7): 120 random bits shown as 24 Crockford base32 symbols plus a Luhn mod 32
// check symbol; the lookup id and vault key derived from it; the vault holding her reply key and content key.
import { aesGcmDecrypt, aesGcmEncrypt, concat, hkdfSha256, importAesGcmKey, IntakeCryptoError, randomBytes } from "./bytes";
import { RECEIPT_LOOKUP_ID_INFO, RECEIPT_SALT, RECEIPT_VAULT_AAD, RECEIPT_VAULT_KEY_INFO } from "./labels";

export const RECEIPT_SECRET_LENGTH = 15;
export const VAULT_LENGTH = 92;
const ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const DATA_SYMBOLS = 24;
const VAULT_NONCE_LENGTH = 12;

export type ReceiptParseError = "empty" | "invalid-character" | "missing-check-character" | "wrong-length" | "typo";

export type ReceiptParseResult = { ok: true; secret: Uint8Array<ArrayBuffer> } | { ok: false; error: ReceiptParseError };

export function generateReceiptSecret(): Uint8Array<ArrayBuffer> {
  return randomBytes(RECEIPT_SECRET_LENGTH);
}

function luhnMod32(values: readonly number[]): number {
  let factor = 2;
  let sum = 0;
  for (let i = values.length - 1; i >= 0; i--) {
    const addend = factor * (values[i] as number);
    factor = factor === 2 ? 1 : 2;
    sum += Math.floor(addend / 32) + (addend % 32);
  }
  return (32 - (sum % 32)) % 32;
}

/** XXXX-XXXX-XXXX-XXXX-XXXX-XXXX-C */
export function formatReceipt(secret: Uint8Array): string {
  if (secret.length !== RECEIPT_SECRET_LENGTH) {
    throw new IntakeCryptoError("invalid-argument", "A receipt secret is 15 bytes.");
  }
  const values: number[] = [];
  for (let i = 0; i < DATA_SYMBOLS; i++) {
    let value = 0;
    for (let bit = 0; bit < 5; bit++) {
      const position = i * 5 + bit;
      value = (value << 1) | (((secret[position >> 3] as number) >> (7 - (position % 8))) & 1);
    }
    values.push(value);
  }
  const symbols = values.map((v) => ALPHABET[v] as string);
  const groups: string[] = [];
  for (let i = 0; i < DATA_SYMBOLS; i += 4) {
    groups.push(symbols.slice(i, i + 4).join(""));
  }
  return `${groups.join("-")}-${ALPHABET[luhnMod32(values)] as string}`;
}

// .NET char.IsWhiteSpace, so both sides accept the same spellings.
const WHITESPACE = /[\u0009-\u000d\u0020\u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]/;
const HYPHENS = /[-\u2010-\u2015\u2212\u30fc]/;

/** §7.2: NFKC, uppercase, drop whitespace and hyphens, I/L → 1, O → 0, then length and check symbol. */
export function parseReceipt(text: string): ReceiptParseResult {
  const values: number[] = [];
  for (const raw of text.normalize("NFKC").toUpperCase()) {
    if (WHITESPACE.test(raw) || HYPHENS.test(raw)) {
      continue;
    }
    const c = raw === "I" || raw === "L" ? "1" : raw === "O" ? "0" : raw;
    const value = c.length === 1 ? ALPHABET.indexOf(c) : -1;
    if (value < 0) {
      return { ok: false, error: "invalid-character" };
    }
    values.push(value);
  }
  if (values.length === 0) {
    return { ok: false, error: "empty" };
  }
  if (values.length === DATA_SYMBOLS) {
    return { ok: false, error: "missing-check-character" };
  }
  if (values.length !== DATA_SYMBOLS + 1) {
    return { ok: false, error: "wrong-length" };
  }
  if (luhnMod32(values.slice(0, DATA_SYMBOLS)) !== values[DATA_SYMBOLS]) {
    return { ok: false, error: "typo" };
  }
  const secret = new Uint8Array(RECEIPT_SECRET_LENGTH);
  for (let position = 0; position < RECEIPT_SECRET_LENGTH * 8; position++) {
    const bit = ((values[Math.floor(position / 5)] as number) >> (4 - (position % 5))) & 1;
    secret[position >> 3] = (secret[position >> 3] as number) | (bit << (7 - (position % 8)));
  }
  return { ok: true, secret };
}

export interface ReceiptSecrets {
  lookupId: Uint8Array<ArrayBuffer>;
  vaultKey: Uint8Array<ArrayBuffer>;
}

/** lookupId and vaultKey = HKDF-SHA256(salt = "intake/v1/receipt", ikm = receipt15, info = …, L = 32). */
export async function deriveReceiptSecrets(secret: Uint8Array<ArrayBuffer>): Promise<ReceiptSecrets> {
  if (secret.length !== RECEIPT_SECRET_LENGTH) {
    throw new IntakeCryptoError("invalid-argument", "A receipt secret is 15 bytes.");
  }
  return {
    lookupId: await hkdfSha256(RECEIPT_SALT, secret, RECEIPT_LOOKUP_ID_INFO, 32),
    vaultKey: await hkdfSha256(RECEIPT_SALT, secret, RECEIPT_VAULT_KEY_INFO, 32),
  };
}

/** vault = nonce(12) || AES-256-GCM(vaultKey, nonce, "intake/v1/receipt/vault", replyPrivateKey || contentKey). */
export async function sealReceiptVault(
  vaultKey: Uint8Array<ArrayBuffer>,
  replyPrivateKey: Uint8Array<ArrayBuffer>,
  contentKey: Uint8Array<ArrayBuffer>,
  nonce: Uint8Array<ArrayBuffer> = randomBytes(VAULT_NONCE_LENGTH),
): Promise<Uint8Array<ArrayBuffer>> {
  if (replyPrivateKey.length !== 32 || contentKey.length !== 32 || nonce.length !== VAULT_NONCE_LENGTH) {
    throw new IntakeCryptoError("invalid-argument", "The vault holds a 32-byte private key and a 32-byte content key under a 12-byte nonce.");
  }
  const plaintext = concat(replyPrivateKey, contentKey);
  const sealed = await aesGcmEncrypt(await importAesGcmKey(vaultKey), nonce, RECEIPT_VAULT_AAD, plaintext);
  plaintext.fill(0);
  return concat(nonce, sealed);
}

/** Throws "vault" if the vault is malformed, altered, or not for this key. */
export async function openReceiptVault(
  vaultKey: Uint8Array<ArrayBuffer>,
  vault: Uint8Array<ArrayBuffer>,
): Promise<{ replyPrivateKey: Uint8Array<ArrayBuffer>; contentKey: Uint8Array<ArrayBuffer> }> {
  if (vault.length !== VAULT_LENGTH) {
    throw new IntakeCryptoError("vault");
  }
  const plaintext = await aesGcmDecrypt(await importAesGcmKey(vaultKey), vault.slice(0, VAULT_NONCE_LENGTH), RECEIPT_VAULT_AAD, vault.slice(VAULT_NONCE_LENGTH));
  if (plaintext === null) {
    throw new IntakeCryptoError("vault");
  }
  return { replyPrivateKey: plaintext.slice(0, 32), contentKey: plaintext.slice(32) };
}
