// Uploads one sealed stream in parts of at most 1 MiB (docs/intake-api.md, "Uploading a stream"). The stream is
// encrypted while it is sent, so memory holds one part whatever the file size. A failed part is retried with
// backoff; before each retry the upload's status is fetched, because a part whose answer was lost may have arrived.
import { b64uEncode } from "../crypto";
import { ApiError, delay, getJson, NetworkError, postJsonFor, request } from "./http";

export interface UploadStatus {
  id: string;
  totalLength: number;
  receivedLength: number;
  nextPart: number;
  complete: boolean;
  maxPartLength: number;
}

export interface UploadEvents {
  /** Bytes the server has acknowledged, for the progress bar. */
  sent(bytes: number): void;
  /** A part failed and will be tried again. */
  retrying(): void;
}

const MAX_PART_LENGTH = 1024 * 1024;
const RETRIES = 7;

// 1 s, 2 s, 4 s … 30 s, with jitter so many browsers coming back after an outage do not arrive in step.
function backoff(attempt: number): number {
  return Math.min(30_000, 1000 * 2 ** attempt) * (0.75 + Math.random() * 0.5);
}

function isTransient(status: number): boolean {
  return status >= 500 || status === 408 || status === 429;
}

async function withRetries<T>(events: UploadEvents, action: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await action();
    } catch (error) {
      const transient = error instanceof NetworkError || (error instanceof ApiError && isTransient(error.status));
      if (!transient || attempt >= RETRIES) {
        throw error;
      }
    }
    events.retrying();
    await delay(backoff(attempt));
  }
}

async function status(id: string): Promise<UploadStatus> {
  return getJson<UploadStatus>(`/api/uploads/${encodeURIComponent(id)}`);
}

async function putPart(id: string, index: number, bytes: Uint8Array<ArrayBuffer>, events: UploadEvents): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    let failure: unknown;
    try {
      const response = await request(`/api/uploads/${encodeURIComponent(id)}/parts/${index}`, {
        method: "PUT",
        headers: { "Content-Type": "application/octet-stream" },
        body: bytes,
      });
      if (response.ok) {
        return;
      }
      failure = new ApiError(response.status);
      if (!isTransient(response.status) && response.status !== 409) {
        throw failure;
      }
    } catch (error) {
      if (!(error instanceof NetworkError)) {
        throw error;
      }
      failure = error;
    }
    // 409 or a lost answer: the status says whether this part already arrived (a resend is then not needed).
    const resumed = await withRetries(events, () => status(id)).catch(() => null);
    if (resumed !== null && resumed.nextPart > index) {
      return;
    }
    if (resumed !== null && resumed.nextPart < index) {
      throw new ApiError(409, "The server lost earlier parts of this upload.");
    }
    if (attempt >= RETRIES || (failure instanceof ApiError && failure.status === 409)) {
      throw failure;
    }
    events.retrying();
    await delay(backoff(attempt));
  }
}

/** Creates the upload for `header` (the stream's first 30 bytes), sends every byte of `pieces`, returns its id. */
export async function uploadStream(
  header: Uint8Array<ArrayBuffer>,
  pieces: AsyncIterable<Uint8Array<ArrayBuffer>>,
  events: UploadEvents,
): Promise<string> {
  const created = await withRetries(events, () => postJsonFor<UploadStatus>("/api/uploads", JSON.stringify({ header: b64uEncode(header) })));
  const partLength = Math.min(MAX_PART_LENGTH, created.maxPartLength || MAX_PART_LENGTH);
  let part = new Uint8Array(partLength);
  let filled = 0;
  let index = 0;
  for await (const piece of pieces) {
    let offset = 0;
    while (offset < piece.length) {
      const take = Math.min(partLength - filled, piece.length - offset);
      part.set(piece.subarray(offset, offset + take), filled);
      filled += take;
      offset += take;
      if (filled === partLength) {
        await putPart(created.id, index++, part, events);
        events.sent(partLength);
        part = new Uint8Array(partLength);
        filled = 0;
      }
    }
  }
  if (filled > 0) {
    await putPart(created.id, index, part.slice(0, filled), events);
    events.sent(filled);
  }
  return created.id;
}
