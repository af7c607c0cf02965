// Envelopes (docs/crypto.md §4): the canonical header, its hash, the JSON wire form, sealing the content key to every
// recipient and opening it with one recipient's private key.
import { ascii, b64uDecode, b64uEncode, bytesEqual, compareBytes, concat, IntakeCryptoError, randomBytes, sha256 } from "./bytes";
import { openContentKey, sealContentKey } from "./hpke";
import { hasPublicKeyShape, KEY_ID_LENGTH, keyId, PUBLIC_KEY_LENGTH, publicKeyFromPrivate } from "./keys";
import { ENVELOPE_HEADER_MAGIC, PROTOCOL_VERSION } from "./labels";
import { decodeStreamHeader, encodeStreamHeader, STREAM_HEADER_LENGTH, StreamPurpose, type StreamHeader } from "./streamHeader";

export const CONTENT_KEY_LENGTH = 32;
export const HASH_LENGTH = 32;
export const SEALED_KEY_LENGTH = 48;
export const MAX_RECIPIENTS = 32;
export const MAX_STREAMS = 17;
export const MAX_ENVELOPE_JSON_BYTES = 16384;

export type EnvelopeKind = "submission" | "reply";

export interface EnvelopeHeader {
  kind: EnvelopeKind;
  channel: string;
  /** The submission's header hash; present if and only if kind is "reply". */
  parent: Uint8Array<ArrayBuffer> | null;
  replyPublicKey: Uint8Array<ArrayBuffer>;
  /** Sorted ascending bytewise, distinct. */
  recipientKeyIds: Uint8Array<ArrayBuffer>[];
  /** Body first, then attachments. */
  streams: StreamHeader[];
}

export interface EnvelopeRecipient {
  kid: Uint8Array<ArrayBuffer>;
  enc: Uint8Array<ArrayBuffer>;
  sealedKey: Uint8Array<ArrayBuffer>;
}

export interface Envelope {
  header: EnvelopeHeader;
  /** In header key-id order. */
  recipients: EnvelopeRecipient[];
}

export function generateContentKey(): Uint8Array<ArrayBuffer> {
  return randomBytes(CONTENT_KEY_LENGTH);
}

export function isValidChannelId(channel: string): boolean {
  return /^[a-z0-9]([a-z0-9-]{0,30}[a-z0-9])?$/.test(channel);
}

function checkHeader(header: EnvelopeHeader): void {
  const fail = (message: string): never => {
    throw new IntakeCryptoError("invalid-envelope", message);
  };
  if (header.kind !== "submission" && header.kind !== "reply") {
    fail("Unknown envelope kind.");
  }
  if (!isValidChannelId(header.channel)) {
    fail("A channel id is 1 to 32 of a-z, 0-9 and '-', not starting or ending with '-'.");
  }
  if ((header.kind === "reply") !== (header.parent !== null) || (header.parent !== null && header.parent.length !== HASH_LENGTH)) {
    fail("A reply has a 32-byte parent header hash; a submission has none.");
  }
  if (!hasPublicKeyShape(header.replyPublicKey)) {
    fail("The reply key must be a 65-byte uncompressed P-256 point.");
  }
  const kids = header.recipientKeyIds;
  if (
    kids.length < 1 ||
    kids.length > MAX_RECIPIENTS ||
    kids.some((k) => k.length !== KEY_ID_LENGTH) ||
    kids.some((k, i) => i > 0 && compareBytes(kids[i - 1] as Uint8Array, k) >= 0)
  ) {
    fail(`An envelope has 1 to ${MAX_RECIPIENTS} distinct 16-byte key ids in ascending order.`);
  }
  const streams = header.streams;
  const ids = new Set(streams.map((s) => b64uEncode(s.streamId)));
  if (
    streams.length < 1 ||
    streams.length > MAX_STREAMS ||
    streams[0]?.purpose !== StreamPurpose.body ||
    streams.slice(1).some((s) => s.purpose !== StreamPurpose.attachment) ||
    ids.size !== streams.length
  ) {
    fail(`An envelope lists a body stream first, then up to ${MAX_STREAMS - 1} attachments, all with distinct ids.`);
  }
}

/** "intake/envelope" || 1 || kind || len(channel) || channel || [parent] || replyKey || n || kids || m || streams. */
export function encodeEnvelopeHeader(header: EnvelopeHeader): Uint8Array<ArrayBuffer> {
  checkHeader(header);
  const channel = ascii(header.channel);
  return concat(
    ENVELOPE_HEADER_MAGIC,
    new Uint8Array([PROTOCOL_VERSION, header.kind === "submission" ? 0x01 : 0x02, channel.length]),
    channel,
    header.parent ?? new Uint8Array(0),
    header.replyPublicKey,
    new Uint8Array([header.recipientKeyIds.length]),
    ...header.recipientKeyIds,
    new Uint8Array([header.streams.length]),
    ...header.streams.map(encodeStreamHeader),
  );
}

export async function envelopeHeaderHash(header: EnvelopeHeader): Promise<Uint8Array<ArrayBuffer>> {
  return sha256(encodeEnvelopeHeader(header));
}

export interface SealEnvelopeInput {
  kind: EnvelopeKind;
  channel: string;
  parent?: Uint8Array<ArrayBuffer> | null;
  replyPublicKey: Uint8Array<ArrayBuffer>;
  recipientPublicKeys: Uint8Array<ArrayBuffer>[];
  streams: StreamHeader[];
  contentKey: Uint8Array<ArrayBuffer>;
  /** One per recipient, in input order: fixes HPKE's ephemeral keys for known-answer tests only. */
  ephemeralPrivateKeys?: Uint8Array<ArrayBuffer>[];
}

export interface SealedEnvelope {
  envelope: Envelope;
  headerBytes: Uint8Array<ArrayBuffer>;
  headerHash: Uint8Array<ArrayBuffer>;
  json: string;
}

/** Builds the header for these recipients and seals the content key to each of them. */
export async function sealEnvelope(input: SealEnvelopeInput): Promise<SealedEnvelope> {
  if (input.contentKey.length !== CONTENT_KEY_LENGTH) {
    throw new IntakeCryptoError("invalid-key", "A content key is 32 bytes.");
  }
  const ephemerals = input.ephemeralPrivateKeys;
  if (ephemerals !== undefined && ephemerals.length !== input.recipientPublicKeys.length) {
    throw new IntakeCryptoError("invalid-argument", "One ephemeral key per recipient.");
  }
  const keyed = await Promise.all(
    input.recipientPublicKeys.map(async (publicKey, i) => ({ publicKey, kid: await keyId(publicKey), ephemeral: ephemerals?.[i] })),
  );
  keyed.sort((a, b) => compareBytes(a.kid, b.kid));
  const header: EnvelopeHeader = {
    kind: input.kind,
    channel: input.channel,
    parent: input.parent ?? null,
    replyPublicKey: input.replyPublicKey,
    recipientKeyIds: keyed.map((k) => k.kid),
    streams: input.streams,
  };
  const headerBytes = encodeEnvelopeHeader(header);
  const headerHash = await sha256(headerBytes);
  const recipients: EnvelopeRecipient[] = [];
  for (const k of keyed) {
    const { enc, sealedKey } = await sealContentKey(k.publicKey, headerHash, input.contentKey, k.ephemeral);
    recipients.push({ kid: k.kid, enc, sealedKey });
  }
  const envelope = { header, recipients };
  return { envelope, headerBytes, headerHash, json: envelopeToJson(envelope) };
}

/** The canonical JSON: fixed member order, no whitespace. */
export function envelopeToJson(envelope: Envelope): string {
  const h = envelope.header;
  return JSON.stringify({
    v: 1,
    kind: h.kind,
    channel: h.channel,
    ...(h.parent === null ? {} : { parent: b64uEncode(h.parent) }),
    replyKey: b64uEncode(h.replyPublicKey),
    recipients: envelope.recipients.map((r) => ({ kid: b64uEncode(r.kid), enc: b64uEncode(r.enc), sealedKey: b64uEncode(r.sealedKey) })),
    streams: h.streams.map((s) => b64uEncode(encodeStreamHeader(s))),
  });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function hasOnlyMembers(value: Record<string, unknown>, allowed: readonly string[]): boolean {
  return Object.keys(value).every((k) => allowed.includes(k));
}

/**
 * Parses and shape-checks an envelope (the client-side subset of §4.5, without a known-key list). Duplicate members
 * cannot be seen through JSON.parse; the server's validator rejects them before any client reads an envelope.
 */
export function parseEnvelope(json: string): Envelope {
  const fail = (message: string): never => {
    throw new IntakeCryptoError("invalid-envelope", message);
  };
  if (new TextEncoder().encode(json).length > MAX_ENVELOPE_JSON_BYTES) {
    fail("The envelope is larger than 16,384 bytes.");
  }
  let root: unknown;
  try {
    root = JSON.parse(json);
  } catch {
    return fail("The envelope is not JSON.");
  }
  if (!isRecord(root) || !hasOnlyMembers(root, ["v", "kind", "channel", "parent", "replyKey", "recipients", "streams"])) {
    return fail("The envelope has unknown members.");
  }
  if (root.v !== 1 || (root.kind !== "submission" && root.kind !== "reply") || typeof root.channel !== "string") {
    return fail("Not a version 1 envelope.");
  }
  const bytes = (value: unknown, length: number, name: string): Uint8Array<ArrayBuffer> =>
    (typeof value === "string" ? b64uDecode(value, length) : null) ?? fail(`${name} is not ${length} bytes of base64url.`);
  const parent = root.kind === "reply" ? bytes(root.parent, HASH_LENGTH, "parent") : root.parent === undefined ? null : fail("A submission has no parent.");
  const replyPublicKey = bytes(root.replyKey, PUBLIC_KEY_LENGTH, "replyKey");
  if (!Array.isArray(root.recipients) || !Array.isArray(root.streams)) {
    return fail("recipients and streams are arrays.");
  }
  const recipients = root.recipients.map((r: unknown, i): EnvelopeRecipient => {
    if (!isRecord(r) || !hasOnlyMembers(r, ["kid", "enc", "sealedKey"])) {
      return fail(`recipients[${i}] has unknown members.`);
    }
    const enc = bytes(r.enc, PUBLIC_KEY_LENGTH, `recipients[${i}].enc`);
    if (enc[0] !== 0x04) {
      fail(`recipients[${i}].enc is not an uncompressed point.`);
    }
    return { kid: bytes(r.kid, KEY_ID_LENGTH, `recipients[${i}].kid`), enc, sealedKey: bytes(r.sealedKey, SEALED_KEY_LENGTH, `recipients[${i}].sealedKey`) };
  });
  const streams = root.streams.map(
    (s: unknown, i): StreamHeader => decodeStreamHeader(bytes(s, STREAM_HEADER_LENGTH, `streams[${i}]`)) ?? fail(`streams[${i}] is not a valid stream header.`),
  );
  const header: EnvelopeHeader = { kind: root.kind, channel: root.channel, parent, replyPublicKey, recipientKeyIds: recipients.map((r) => r.kid), streams };
  checkHeader(header);
  return { header, recipients };
}

/**
 * Finds this private key's entry by kid and opens it against the header hash recomputed from the envelope's own
 * fields. Throws "not-a-recipient" or "authentication".
 */
export async function openEnvelope(envelope: Envelope, recipientPrivateKey: Uint8Array<ArrayBuffer>): Promise<Uint8Array<ArrayBuffer>> {
  const kid = await keyId(await publicKeyFromPrivate(recipientPrivateKey));
  const entry = envelope.recipients.find((r) => bytesEqual(r.kid, kid));
  if (entry === undefined) {
    throw new IntakeCryptoError("not-a-recipient");
  }
  const contentKey = await openContentKey(recipientPrivateKey, entry.enc, await envelopeHeaderHash(envelope.header), entry.sealedKey);
  if (contentKey.length !== CONTENT_KEY_LENGTH) {
    throw new IntakeCryptoError("authentication");
  }
  return contentKey;
}
