// Reading a case's ledger records in the browser (docs/ledger.md, docs/crypto.md §4, §5.6). The server keeps each
// envelope as a record without its sealed keys, and hands each reader the content key sealed to her own key
// (enc || sealedKey). Both survivors and advocates rebuild the header from the record, so the header hash, and with
// it every stream's authenticity, is computed here and never taken from the server.
import {
  b64uDecode,
  b64uEncode,
  decodeStreamHeader,
  envelopeHeaderHash,
  IntakeCryptoError,
  openEnvelope,
  openStreamToBlob,
  PUBLIC_KEY_LENGTH,
  SEALED_KEY_LENGTH,
  type EnvelopeHeader,
  type StreamHeader,
} from "./crypto";

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function fail(message: string): never {
  throw new IntakeCryptoError("invalid-envelope", message);
}

/** The envelope header a submission or reply record describes (kids in place of sealed keys). */
export function headerFromRecord(record: unknown): EnvelopeHeader {
  if (!isRecord(record) || (record.kind !== "submission" && record.kind !== "reply") || typeof record.channel !== "string") {
    return fail("Not a submission or reply record.");
  }
  const bytes = (value: unknown, length: number): Uint8Array<ArrayBuffer> =>
    (typeof value === "string" ? b64uDecode(value, length) : null) ?? fail("A record member is not base64url of the right length.");
  if (!Array.isArray(record.kids) || !Array.isArray(record.streams)) {
    return fail("A record lists kids and streams.");
  }
  return {
    kind: record.kind,
    channel: record.channel,
    parent: record.kind === "reply" ? bytes(record.parent, 32) : null,
    replyPublicKey: bytes(record.replyKey, PUBLIC_KEY_LENGTH),
    recipientKeyIds: record.kids.map((k: unknown) => bytes(k, 16)),
    streams: record.streams.map((s: unknown): StreamHeader => decodeStreamHeader(bytes(s, 30)) ?? fail("A stream header in the record is malformed.")),
  };
}

export interface OpenedRecord {
  header: EnvelopeHeader;
  headerHash: Uint8Array<ArrayBuffer>;
  contentKey: Uint8Array<ArrayBuffer>;
}

/**
 * Opens the content key of a record with one of the reader's private keys, given the sealed keys the server returned
 * (kid -> enc || sealedKey). Throws "not-a-recipient" when none of her keys was a recipient.
 */
export async function openRecord(
  record: unknown,
  sealedKeys: Record<string, string>,
  privateKeys: { kid: string; key: Uint8Array<ArrayBuffer> }[],
): Promise<OpenedRecord> {
  const header = headerFromRecord(record);
  const headerHash = await envelopeHeaderHash(header);
  for (const { kid, key } of privateKeys) {
    const sealed = sealedKeys[kid] === undefined ? null : b64uDecode(sealedKeys[kid], PUBLIC_KEY_LENGTH + SEALED_KEY_LENGTH);
    const kidBytes = b64uDecode(kid, 16);
    if (sealed === null || kidBytes === null) {
      continue;
    }
    const contentKey = await openEnvelope(
      { header, recipients: [{ kid: kidBytes, enc: sealed.slice(0, PUBLIC_KEY_LENGTH), sealedKey: sealed.slice(PUBLIC_KEY_LENGTH) }] },
      key,
    );
    return { header, headerHash, contentKey };
  }
  throw new IntakeCryptoError("not-a-recipient");
}

/** The stream id as the download endpoints name it. */
export function streamName(header: StreamHeader): string {
  return b64uEncode(header.streamId);
}

/** Decrypts a downloaded stream; only a fully authenticated stream becomes a Blob. */
export async function openDownloaded(
  contentKey: Uint8Array<ArrayBuffer>,
  headerHash: Uint8Array<ArrayBuffer>,
  header: StreamHeader,
  response: Response,
): Promise<Blob> {
  return openStreamToBlob(contentKey, headerHash, header, await response.blob());
}

/** A message body (reply, note or follow-up): {"v":1,"message":"...","attachments":[{name,type}]}. */
export interface MessageBody {
  message: string;
  attachments: { name: string; type: string }[];
}

export async function readMessageBody(blob: Blob): Promise<MessageBody> {
  const parsed: unknown = JSON.parse(await blob.text());
  if (!isRecord(parsed) || parsed.v !== 1 || typeof parsed.message !== "string") {
    return fail("The message body is not a version 1 message.");
  }
  const attachments = Array.isArray(parsed.attachments)
    ? parsed.attachments.filter(isRecord).map((a) => ({ name: String(a.name ?? ""), type: String(a.type ?? "") }))
    : [];
  return { message: parsed.message, attachments };
}
