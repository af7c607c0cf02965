// Content streams (docs/crypto.md §5): Padmé-padded, framed plaintext sealed in 64 KiB chunks with AES-256-GCM
// (the STREAM construction). Both directions work chunk by chunk, so memory stays bounded for any size:
// sealing reads the Blob/File one slice at a time and yields each sealed chunk as soon as it exists; opening reads
// exactly one sealed chunk at a time from any byte source and yields plaintext only after that chunk authenticates.
import {
  aesGcmDecrypt,
  aesGcmEncrypt,
  concat,
  hkdfSha256,
  importAesGcmKey,
  IntakeCryptoError,
  readU64be,
  u64be,
} from "./bytes";
import { STREAM_KEY_INFO } from "./labels";
import { padme } from "./padme";
import {
  chunkCount,
  chunkLength,
  decodeStreamHeader,
  encodeStreamHeader,
  LENGTH_PREFIX_LENGTH,
  STREAM_HEADER_LENGTH,
  streamHeadersEqual,
  TAG_LENGTH,
  type StreamHeader,
} from "./streamHeader";

const CONTENT_KEY_LENGTH = 32;
const HEADER_HASH_LENGTH = 32;

/** streamKey = HKDF-SHA256(salt = streamId, ikm = contentKey, info = "intake/v1/stream-key", L = 32). */
export async function deriveStreamKeyBytes(contentKey: Uint8Array<ArrayBuffer>, streamId: Uint8Array<ArrayBuffer>): Promise<Uint8Array<ArrayBuffer>> {
  if (contentKey.length !== CONTENT_KEY_LENGTH) {
    throw new IntakeCryptoError("invalid-key", "A content key is 32 bytes.");
  }
  return hkdfSha256(streamId, contentKey, STREAM_KEY_INFO, 32);
}

/** nonce_i = 11-byte big-endian i || final_i. */
export function chunkNonce(index: number, final: boolean): Uint8Array<ArrayBuffer> {
  const nonce = new Uint8Array(12);
  nonce.set(u64be(index), 3);
  nonce[11] = final ? 1 : 0;
  return nonce;
}

interface ChunkCipher {
  key: CryptoKey;
  aad: Uint8Array<ArrayBuffer>;
  count: number;
}

async function chunkCipher(contentKey: Uint8Array<ArrayBuffer>, headerHash: Uint8Array<ArrayBuffer>, header: StreamHeader): Promise<ChunkCipher> {
  if (headerHash.length !== HEADER_HASH_LENGTH) {
    throw new IntakeCryptoError("invalid-argument", "A header hash is 32 bytes.");
  }
  const key = await importAesGcmKey(await deriveStreamKeyBytes(contentKey, header.streamId));
  return { key, aad: concat(headerHash, encodeStreamHeader(header)), count: chunkCount(header.paddedLength) };
}

/**
 * Seals `content` (a File or Blob, read slice by slice) as the stream `header` plans. Yields the 30-byte header, then
 * each sealed chunk (ciphertext || tag) in order; concatenated they are the stream's exact wire bytes. The header must
 * have been created for `content.size` bytes.
 */
export async function* sealStream(
  contentKey: Uint8Array<ArrayBuffer>,
  headerHash: Uint8Array<ArrayBuffer>,
  header: StreamHeader,
  content: Blob,
): AsyncGenerator<Uint8Array<ArrayBuffer>, void, undefined> {
  const contentLength = content.size;
  if (padme(contentLength + LENGTH_PREFIX_LENGTH) !== header.paddedLength) {
    throw new IntakeCryptoError("invalid-argument", "The stream header was planned for a different content length.");
  }
  const cipher = await chunkCipher(contentKey, headerHash, header);
  yield encodeStreamHeader(header);
  const contentEnd = LENGTH_PREFIX_LENGTH + contentLength;
  for (let index = 0; index < cipher.count; index++) {
    const start = index * 65536;
    const length = chunkLength(header.paddedLength, index);
    const plaintext = new Uint8Array(length);
    if (index === 0) {
      plaintext.set(u64be(contentLength), 0);
    }
    const from = Math.max(start, LENGTH_PREFIX_LENGTH);
    const to = Math.min(start + length, contentEnd);
    if (from < to) {
      const piece = new Uint8Array(await content.slice(from - LENGTH_PREFIX_LENGTH, to - LENGTH_PREFIX_LENGTH).arrayBuffer());
      if (piece.length !== to - from) {
        throw new IntakeCryptoError("content-changed", "The file changed while it was being encrypted.");
      }
      plaintext.set(piece, from - start);
    }
    const sealed = await aesGcmEncrypt(cipher.key, chunkNonce(index, index === cipher.count - 1), cipher.aad, plaintext);
    plaintext.fill(0);
    yield sealed;
  }
}

/** Seals into a Blob (the browser may keep its parts on disk); for uploads as application/octet-stream. */
export async function sealStreamToBlob(
  contentKey: Uint8Array<ArrayBuffer>,
  headerHash: Uint8Array<ArrayBuffer>,
  header: StreamHeader,
  content: Blob,
): Promise<Blob> {
  const parts: Uint8Array<ArrayBuffer>[] = [];
  for await (const part of sealStream(contentKey, headerHash, header, content)) {
    parts.push(part);
  }
  return new Blob(parts, { type: "application/octet-stream" });
}

/** Anything the opener can read from: a Blob/File, a ReadableStream (e.g. a fetch body) or an async iterable. */
export type StreamSource = Blob | ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>;

// Hands out exactly the number of bytes asked for, buffering at most one request plus one source piece.
class ExactReader {
  private readonly pending: Uint8Array[] = [];
  private pendingBytes = 0;
  private ended = false;

  constructor(private readonly next: () => Promise<Uint8Array | null>) {}

  static from(source: StreamSource): ExactReader {
    if (source instanceof Blob) {
      return ExactReader.from(source.stream());
    }
    if (source instanceof ReadableStream) {
      const reader = source.getReader();
      return new ExactReader(async () => {
        const { done, value } = await reader.read();
        return done ? null : value;
      });
    }
    const iterator = source[Symbol.asyncIterator]();
    return new ExactReader(async () => {
      const { done, value } = await iterator.next();
      return done ? null : value;
    });
  }

  /** Exactly `count` bytes, or fewer only at the end of the source. */
  async read(count: number): Promise<Uint8Array<ArrayBuffer>> {
    while (this.pendingBytes < count && !this.ended) {
      const piece = await this.next();
      if (piece === null) {
        this.ended = true;
      } else if (piece.length > 0) {
        this.pending.push(piece);
        this.pendingBytes += piece.length;
      }
    }
    const out = new Uint8Array(Math.min(count, this.pendingBytes));
    let filled = 0;
    while (filled < out.length) {
      const head = this.pending[0] as Uint8Array;
      const take = Math.min(head.length, out.length - filled);
      out.set(head.subarray(0, take), filled);
      filled += take;
      if (take === head.length) {
        this.pending.shift();
      } else {
        this.pending[0] = head.subarray(take);
      }
    }
    this.pendingBytes -= out.length;
    return out;
  }
}

/**
 * Opens a stream (docs/crypto.md §5.5), yielding plaintext content as each chunk authenticates. Throws
 * IntakeCryptoError with code "truncated", "invalid-header", "header-mismatch", "authentication", "invalid-padding"
 * or "trailing-data". A consumer MUST discard everything it received unless the generator finishes without throwing
 * (openStreamToBlob does that).
 */
export async function* openStream(
  contentKey: Uint8Array<ArrayBuffer>,
  headerHash: Uint8Array<ArrayBuffer>,
  expectedHeader: StreamHeader | null,
  source: StreamSource,
): AsyncGenerator<Uint8Array<ArrayBuffer>, void, undefined> {
  const reader = ExactReader.from(source);
  const headerBytes = await reader.read(STREAM_HEADER_LENGTH);
  if (headerBytes.length < STREAM_HEADER_LENGTH) {
    throw new IntakeCryptoError("truncated");
  }
  const header = decodeStreamHeader(headerBytes);
  if (header === null) {
    throw new IntakeCryptoError("invalid-header");
  }
  if (expectedHeader !== null && !streamHeadersEqual(expectedHeader, header)) {
    throw new IntakeCryptoError("header-mismatch");
  }
  const cipher = await chunkCipher(contentKey, headerHash, header);
  let contentEnd = 0;
  for (let index = 0; index < cipher.count; index++) {
    const start = index * 65536;
    const length = chunkLength(header.paddedLength, index);
    const sealed = await reader.read(length + TAG_LENGTH);
    if (sealed.length < length + TAG_LENGTH) {
      throw new IntakeCryptoError("truncated");
    }
    // The final flag comes from P in the header, never from the data.
    const plaintext = await aesGcmDecrypt(cipher.key, chunkNonce(index, index === cipher.count - 1), cipher.aad, sealed);
    if (plaintext === null) {
      throw new IntakeCryptoError("authentication");
    }
    let offset = 0;
    if (index === 0) {
      const contentLength = readU64be(plaintext, 0);
      if (contentLength > header.paddedLength - LENGTH_PREFIX_LENGTH || padme(contentLength + LENGTH_PREFIX_LENGTH) !== header.paddedLength) {
        throw new IntakeCryptoError("invalid-padding");
      }
      contentEnd = LENGTH_PREFIX_LENGTH + contentLength;
      offset = LENGTH_PREFIX_LENGTH;
    }
    const contentInChunk = Math.max(0, Math.min(contentEnd - start, length) - offset);
    if (plaintext.subarray(offset + contentInChunk).some((b) => b !== 0)) {
      throw new IntakeCryptoError("invalid-padding");
    }
    if (contentInChunk > 0) {
      yield plaintext.slice(offset, offset + contentInChunk);
    }
    plaintext.fill(0);
  }
  if ((await reader.read(1)).length !== 0) {
    throw new IntakeCryptoError("trailing-data");
  }
}

/** Opens a whole stream into a Blob that exists only if every chunk authenticated and the padding checked out. */
export async function openStreamToBlob(
  contentKey: Uint8Array<ArrayBuffer>,
  headerHash: Uint8Array<ArrayBuffer>,
  expectedHeader: StreamHeader | null,
  source: StreamSource,
): Promise<Blob> {
  const parts: Uint8Array<ArrayBuffer>[] = [];
  try {
    for await (const part of openStream(contentKey, headerHash, expectedHeader, source)) {
      parts.push(part);
    }
  } catch (error) {
    parts.forEach((p) => p.fill(0));
    throw error;
  }
  return new Blob(parts);
}
