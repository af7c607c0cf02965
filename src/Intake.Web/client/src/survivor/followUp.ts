// A follow-up to her own case: streams with purpose 0x03 under the case content key and the submission envelope's
// header hash (docs/crypto.md §5, §5.4), each uploaded and then recorded with POST /api/cases/follow-ups.
// The first stream is a small JSON message that names the attachment streams which follow it.
import { b64uDecode, createStreamHeader, decodeStreamHeader, envelopeHeaderHash, parseEnvelope, StreamPurpose, type StreamHeader } from "../crypto";
import type { Attachment } from "./attachments";
import { addFollowUp } from "./caseApi";
import { sealAndUpload, type Progress } from "./streams";

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * The submission's header hash, from the lookup's `submission`: preferably rebuilt here from the envelope its record
 * holds, otherwise the `headerHash` the server states. Either way, a wrong hash only makes a follow-up no one can open.
 */
export async function submissionHeaderHash(submission: unknown): Promise<Uint8Array<ArrayBuffer> | null> {
  if (!isRecord(submission)) {
    return null;
  }
  const fromRecord = await envelopeHash(submission.record).catch(() => null);
  return fromRecord ?? (typeof submission.headerHash === "string" ? b64uDecode(submission.headerHash, 32) : null);
}

async function envelopeHash(record: unknown): Promise<Uint8Array<ArrayBuffer> | null> {
  if (typeof record === "string") {
    try {
      return await envelopeHash(JSON.parse(record));
    } catch {
      return null;
    }
  }
  if (!isRecord(record)) {
    return null;
  }
  if (isRecord(record.envelope) || typeof record.envelope === "string") {
    return envelopeHash(record.envelope);
  }
  if (record.kind === "submission" && Array.isArray(record.kids) && Array.isArray(record.streams)) {
    return ledgerRecordHash(record);
  }
  if (record.kind === "submission" && Array.isArray(record.recipients)) {
    return envelopeHeaderHash(parseEnvelope(JSON.stringify(record)).header);
  }
  return null;
}

// The ledger's submission record (docs/ledger.md): the envelope's header fields, with kids instead of sealed keys.
async function ledgerRecordHash(record: Record<string, unknown>): Promise<Uint8Array<ArrayBuffer> | null> {
  const bytes = (value: unknown, length: number) => (typeof value === "string" ? b64uDecode(value, length) : null);
  const replyPublicKey = bytes(record.replyKey, 65);
  const kids = (record.kids as unknown[]).map((k) => bytes(k, 16));
  const streams = (record.streams as unknown[]).map((s) => {
    const raw = bytes(s, 30);
    return raw === null ? null : decodeStreamHeader(raw);
  });
  if (typeof record.channel !== "string" || replyPublicKey === null || kids.includes(null) || streams.includes(null)) {
    return null;
  }
  return envelopeHeaderHash({
    kind: "submission",
    channel: record.channel,
    parent: null,
    replyPublicKey,
    recipientKeyIds: kids as Uint8Array<ArrayBuffer>[],
    streams: streams as StreamHeader[],
  });
}

export async function sendFollowUp(
  lookupId: string,
  contentKey: Uint8Array<ArrayBuffer>,
  headerHash: Uint8Array<ArrayBuffer>,
  message: string,
  attachments: Attachment[],
  progress: Progress,
): Promise<void> {
  const body = new Blob([JSON.stringify({ v: 1, message, attachments: attachments.map((a) => ({ name: a.name, type: a.type })) })], {
    type: "application/json",
  });
  const streams = [body, ...attachments.map((a) => a.blob)].map((content) => ({
    header: createStreamHeader(StreamPurpose.followUp, content.size),
    content,
  }));
  const uploads = await sealAndUpload(contentKey, headerHash, streams, progress);
  progress.stage("record");
  for (const upload of uploads) {
    await addFollowUp(lookupId, upload);
  }
}
