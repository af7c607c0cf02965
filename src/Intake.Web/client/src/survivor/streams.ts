// Seals and uploads a list of streams that belong to one envelope, reporting overall progress in bytes.
import { ciphertextLength, sealStream, type StreamHeader } from "../crypto";
import { uploadStream } from "./upload";

export interface Progress {
  stage(name: "keys" | "encrypt" | "upload" | "retry" | "work" | "record"): void;
  /** Fraction of all stream bytes the server has acknowledged, 0..1. */
  uploaded(fraction: number): void;
}

export interface PlannedStream {
  header: StreamHeader;
  content: Blob;
}

async function* prepend<T>(first: T, rest: AsyncIterator<T>): AsyncGenerator<T, void, undefined> {
  yield first;
  for (let next = await rest.next(); next.done !== true; next = await rest.next()) {
    yield next.value;
  }
}

/** Encrypts each stream while it is uploaded (one part in memory at a time); returns the upload ids in order. */
export async function sealAndUpload(
  contentKey: Uint8Array<ArrayBuffer>,
  headerHash: Uint8Array<ArrayBuffer>,
  streams: PlannedStream[],
  progress: Progress,
): Promise<string[]> {
  const total = streams.reduce((sum, s) => sum + ciphertextLength(s.header.paddedLength), 0);
  let sent = 0;
  const ids: string[] = [];
  progress.stage("upload");
  progress.uploaded(0);
  for (const stream of streams) {
    const pieces = sealStream(contentKey, headerHash, stream.header, stream.content);
    const first = await pieces.next(); // the 30-byte stream header, which creates the upload
    if (first.done === true) {
      throw new Error("A sealed stream has no header.");
    }
    ids.push(
      await uploadStream(first.value, prepend(first.value, pieces), {
        sent(bytes) {
          sent += bytes;
          progress.uploaded(total === 0 ? 1 : sent / total);
        },
        retrying() {
          progress.stage("retry");
        },
      }),
    );
  }
  return ids;
}
