// A new testimony, end to end (docs/crypto.md §4, §5, §7; docs/intake-api.md): the channel's keys, a fresh content
// key, reply key pair and receipt, the envelope, the encrypted streams, the proof of work, and the submission itself.
// Only ciphertext, the lookup id and the sealed vault leave the browser; the receipt never does.
import {
  b64uDecode,
  b64uEncode,
  createStreamHeader,
  deriveReceiptSecrets,
  formatReceipt,
  generateContentKey,
  generateP256KeyPair,
  generateReceiptSecret,
  sealEnvelope,
  sealReceiptVault,
  StreamPurpose,
} from "../crypto";
import type { Attachment } from "./attachments";
import { ApiError, getJson, postJson } from "./http";
import { proofOfWork } from "./pow";
import { sealAndUpload, type Progress } from "./streams";

export interface Answers {
  what: string;
  when: string;
  where: string;
  relationship: string;
  witnesses: string;
  wants: string[];
}

/** One of the channel's own questions, as she read it, and her answer. */
export interface ExtraAnswer {
  question: string;
  answer: string;
}

export interface Testimony {
  channel: string;
  answers: Answers;
  narrative: string;
  attachments: Attachment[];
  /** Her channel's own questions and answers; absent or empty when it has none. */
  extra?: ExtraAnswer[];
  /** The period she chose herself, in days; absent follows the service's policies. */
  keepDays?: number;
}

export interface Submitted {
  receipt: string;
  lookupId: string;
  entry: number;
  day: string;
}

interface ChannelKeys {
  channel: string;
  keys: { kid: string; publicKey: string }[];
}

/**
 * The body stream: one JSON document. `attachments` lists each attachment stream's name and type, in envelope order,
 * so the advocates know what each stream is; `extra` (only when her channel has questions of its own) holds each
 * such question as she read it, with her answer.
 */
export function bodyJson(testimony: Testimony): string {
  const extra = testimony.extra ?? [];
  return JSON.stringify({
    v: 1,
    answers: testimony.answers,
    narrative: testimony.narrative,
    attachments: testimony.attachments.map((a) => ({ name: a.name, type: a.type })),
    ...(extra.length > 0 ? { extra } : {}),
  });
}

export async function submitTestimony(testimony: Testimony, progress: Progress): Promise<Submitted> {
  progress.stage("keys");
  const directory = await getJson<ChannelKeys>(`/api/channels/${encodeURIComponent(testimony.channel)}/keys`);
  const recipientPublicKeys = directory.keys.map((k) => b64uDecode(k.publicKey, 65) ?? failKeys());
  if (recipientPublicKeys.length === 0) {
    failKeys();
  }

  progress.stage("encrypt");
  const contentKey = generateContentKey();
  const reply = await generateP256KeyPair();
  const receiptSecret = generateReceiptSecret();
  const { lookupId, vaultKey } = await deriveReceiptSecrets(receiptSecret);
  const vault = await sealReceiptVault(vaultKey, reply.privateKey, contentKey);
  reply.privateKey.fill(0);

  const body = new Blob([bodyJson(testimony)], { type: "application/json" });
  const contents = [body, ...testimony.attachments.map((a) => a.blob)];
  const streams = contents.map((content, i) => ({
    header: createStreamHeader(i === 0 ? StreamPurpose.body : StreamPurpose.attachment, content.size),
    content,
  }));
  const sealed = await sealEnvelope({
    kind: "submission",
    channel: testimony.channel,
    replyPublicKey: reply.publicKey,
    recipientPublicKeys,
    streams: streams.map((s) => s.header),
    contentKey,
  });

  const uploads = await sealAndUpload(contentKey, sealed.headerHash, streams, progress);
  contentKey.fill(0);

  progress.stage("work");
  const work = await proofOfWork();

  progress.stage("record");
  // The envelope is embedded as the exact JSON text it was sealed as.
  const request =
    `{"envelope":${sealed.json},"uploads":${JSON.stringify(uploads)},"lookupId":"${b64uEncode(lookupId)}","vault":"${b64uEncode(vault)}"` +
    (work === null ? "" : `,"proofOfWork":${JSON.stringify(work)}`) +
    (testimony.keepDays === undefined ? "" : `,"keepDays":${testimony.keepDays}`) +
    "}";
  const response = await postJson(`/api/channels/${encodeURIComponent(testimony.channel)}/submissions`, request);
  if (!response.ok) {
    throw new ApiError(response.status);
  }
  const accepted = (await response.json()) as { entry: number; day: string };
  return { receipt: formatReceipt(receiptSecret), lookupId: b64uEncode(lookupId), entry: accepted.entry, day: accepted.day };
}

function failKeys(): never {
  throw new ApiError(404, "The channel has no keys.");
}
