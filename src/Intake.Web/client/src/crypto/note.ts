// Signed notes (docs/crypto.md §8): C2SP signed-note with Intake's stricter rules and ECDSA P-256 / SHA-256 signatures
// in IEEE P1363 form (r || s), exactly what WebCrypto verifies.
import { b64Decode, concat, encoder, IntakeCryptoError, sha256 } from "./bytes";
import { hasPublicKeyShape } from "./keys";
import { NOTE_SIGNATURE_TYPE } from "./labels";

export const MAX_NOTE_LENGTH = 65536;
const SIGNATURE_PREFIX = "\u2014 ";
const KEY_ID_LENGTH = 4;
const SIGNATURE_LENGTH = 64;

export interface NoteVerifierKey {
  name: string;
  /** 65-byte uncompressed P-256 point. */
  publicKey: Uint8Array<ArrayBuffer>;
}

export interface VerifiedNote {
  body: string;
  signedBy: string[];
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
// .NET char.IsWhiteSpace and char.IsControl, to match NoteFormat.IsValidKeyName.
const NAME_FORBIDDEN = /[\u0000-\u0020\u007f-\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000+]/;

function isValidBody(body: string): boolean {
  return (
    body.length > 0 &&
    body.length <= MAX_NOTE_LENGTH &&
    body.endsWith("\n") &&
    !body.startsWith("\n") &&
    !body.includes("\n\n") &&
    !/[\u0000-\u0009\u000b-\u001f]/.test(body) &&
    !LONE_SURROGATE.test(body)
  );
}

export function isValidKeyName(name: string): boolean {
  return name.length > 0 && name.length <= 255 && !NAME_FORBIDDEN.test(name) && !LONE_SURROGATE.test(name);
}

/** keyId = SHA-256(keyName || 0x0A || 0xFF || "intake/v1/ecdsa-p256-sha256-p1363" || publicKey65)[0..4), big-endian. */
export async function noteKeyId(name: string, publicKey: Uint8Array<ArrayBuffer>): Promise<number> {
  const hash = await sha256(concat(encoder.encode(name), new Uint8Array([0x0a]), NOTE_SIGNATURE_TYPE, publicKey));
  return new DataView(hash.buffer).getUint32(0);
}

/**
 * Verifies every signature line against `keys`. Throws IntakeCryptoError "malformed", "unknown-key" (a line whose name
 * and keyId do not both match a known key), "duplicate-signature" or "bad-signature".
 */
export async function verifyNote(note: string, keys: readonly NoteVerifierKey[]): Promise<VerifiedNote> {
  const malformed = (): never => {
    throw new IntakeCryptoError("malformed");
  };
  if (note.length > MAX_NOTE_LENGTH || /[\u0000-\u0009\u000b-\u001f]/.test(note)) {
    malformed();
  }
  const separator = note.indexOf("\n\n");
  if (separator < 0) {
    malformed();
  }
  const body = note.slice(0, separator + 1);
  const signatures = note.slice(separator + 2);
  if (!isValidBody(body) || signatures.length === 0 || !signatures.endsWith("\n")) {
    malformed();
  }
  const known = await Promise.all(
    keys.map(async (k) => {
      if (!isValidKeyName(k.name) || !hasPublicKeyShape(k.publicKey)) {
        throw new IntakeCryptoError("invalid-key", "A note key has a valid name and a 65-byte P-256 public key.");
      }
      return { name: k.name, id: await noteKeyId(k.name, k.publicKey), publicKey: k.publicKey };
    }),
  );
  const message = encoder.encode(body);
  const signedBy: string[] = [];
  const seen = new Set<number>();
  for (const line of signatures.slice(0, -1).split("\n")) {
    if (!line.startsWith(SIGNATURE_PREFIX)) {
      malformed();
    }
    const rest = line.slice(SIGNATURE_PREFIX.length);
    const space = rest.indexOf(" ");
    if (space < 0) {
      malformed();
    }
    const name = rest.slice(0, space);
    const blob = b64Decode(rest.slice(space + 1));
    if (!isValidKeyName(name) || blob === null || blob.length !== KEY_ID_LENGTH + SIGNATURE_LENGTH) {
      return malformed();
    }
    const id = new DataView(blob.buffer).getUint32(0);
    const index = known.findIndex((k) => k.id === id && k.name === name);
    const key = known[index];
    if (key === undefined) {
      throw new IntakeCryptoError("unknown-key");
    }
    if (seen.has(index)) {
      throw new IntakeCryptoError("duplicate-signature");
    }
    seen.add(index);
    const verifier = await crypto.subtle.importKey("raw", key.publicKey, { name: "ECDSA", namedCurve: "P-256" }, false, ["verify"]);
    const ok = await crypto.subtle.verify({ name: "ECDSA", hash: "SHA-256" }, verifier, blob.slice(KEY_ID_LENGTH), message);
    if (!ok) {
      throw new IntakeCryptoError("bad-signature");
    }
    signedBy.push(name);
  }
  return { body, signedBy };
}
