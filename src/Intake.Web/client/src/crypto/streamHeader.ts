// The 30-byte stream header (docs/crypto.md §5.2) and the chunk layout it fixes.
import { bytesEqual, concat, IntakeCryptoError, randomBytes, readU64be, u64be } from "./bytes";
import { PROTOCOL_VERSION, STREAM_MAGIC } from "./labels";
import { isValidPaddedLength, MAXIMUM_PADDED_LENGTH, padme } from "./padme";

export const STREAM_HEADER_LENGTH = 30;
export const STREAM_ID_LENGTH = 16;
export const CHUNK_LENGTH = 65536;
export const TAG_LENGTH = 16;
export const LENGTH_PREFIX_LENGTH = 8;

export const StreamPurpose = { body: 1, attachment: 2, followUp: 3 } as const;
export type StreamPurpose = (typeof StreamPurpose)[keyof typeof StreamPurpose];

export function isStreamPurpose(value: number): value is StreamPurpose {
  return value === 1 || value === 2 || value === 3;
}

export interface StreamHeader {
  purpose: StreamPurpose;
  streamId: Uint8Array<ArrayBuffer>;
  paddedLength: number;
}

export function chunkCount(paddedLength: number): number {
  return Math.ceil(paddedLength / CHUNK_LENGTH);
}

/** Plaintext (padded) bytes in chunk `index`: 65,536 except the last, which has 1..65,536. */
export function chunkLength(paddedLength: number, index: number): number {
  return Math.min(CHUNK_LENGTH, paddedLength - index * CHUNK_LENGTH);
}

/** Exact wire length: 30 + P + 16·n. */
export function ciphertextLength(paddedLength: number): number {
  return STREAM_HEADER_LENGTH + paddedLength + TAG_LENGTH * chunkCount(paddedLength);
}

/** Plans a stream for `contentLength` bytes; `streamId` is random unless given (known-answer tests). */
export function createStreamHeader(purpose: StreamPurpose, contentLength: number, streamId?: Uint8Array<ArrayBuffer>): StreamHeader {
  if (!isStreamPurpose(purpose)) {
    throw new IntakeCryptoError("invalid-header", "Unknown stream purpose.");
  }
  if (!Number.isSafeInteger(contentLength) || contentLength < 0 || contentLength > MAXIMUM_PADDED_LENGTH - LENGTH_PREFIX_LENGTH) {
    throw new IntakeCryptoError("too-large", "Content must be between 0 bytes and 1 TiB - 8.");
  }
  const id = streamId ?? randomBytes(STREAM_ID_LENGTH);
  if (id.length !== STREAM_ID_LENGTH) {
    throw new IntakeCryptoError("invalid-header", "A stream id is 16 bytes.");
  }
  return { purpose, streamId: new Uint8Array(id), paddedLength: padme(contentLength + LENGTH_PREFIX_LENGTH) };
}

export function encodeStreamHeader(header: StreamHeader): Uint8Array<ArrayBuffer> {
  return concat(STREAM_MAGIC, new Uint8Array([PROTOCOL_VERSION, header.purpose]), header.streamId, u64be(header.paddedLength));
}

/** Parses 30 bytes; null on bad length, magic, version, purpose or padded length. */
export function decodeStreamHeader(bytes: Uint8Array): StreamHeader | null {
  if (bytes.length !== STREAM_HEADER_LENGTH || !bytesEqual(bytes.subarray(0, 4), STREAM_MAGIC) || bytes[4] !== PROTOCOL_VERSION) {
    return null;
  }
  const purpose = bytes[5] as number;
  const paddedLength = readU64be(bytes, 22);
  if (!isStreamPurpose(purpose) || !isValidPaddedLength(paddedLength)) {
    return null;
  }
  return { purpose, streamId: new Uint8Array(bytes.subarray(6, 22)), paddedLength };
}

export function streamHeadersEqual(a: StreamHeader, b: StreamHeader): boolean {
  return bytesEqual(encodeStreamHeader(a), encodeStreamHeader(b));
}
