// Advocates' replies, read with the reply key from her vault (docs/crypto.md §5.6): each reply's content key is
// sealed to her reply key, its header is rebuilt from the record here, and it must name her submission as parent.
// The streams are fetched with the lookup id in a POST body, never in a URL.
import { b64uEncode, bytesEqual, keyId, publicKeyFromPrivate } from "../crypto";
import { openDownloaded, openRecord, readMessageBody } from "../caseRecords";
import { postJson } from "./http";
import { t } from "./text";

export interface ReplyItem {
  entry: number;
  day: string;
  record: unknown;
  sealedKey: string;
}

export async function renderReplies(
  list: HTMLElement,
  lookupId: string,
  submissionHeaderHash: Uint8Array<ArrayBuffer>,
  replies: ReplyItem[],
  replyPrivateKey: Uint8Array<ArrayBuffer>,
): Promise<void> {
  list.replaceChildren();
  const kid = b64uEncode(await keyId(await publicKeyFromPrivate(replyPrivateKey)));
  for (const reply of replies) {
    const item = document.createElement("li");
    item.className = "reply";
    item.dataset.reply = String(reply.entry);
    const day = document.createElement("p");
    day.className = "reply-day";
    day.textContent = t("Js_ReplyFrom", reply.day);
    const text = document.createElement("p");
    text.className = "reply-text";
    try {
      const opened = await openRecord(reply.record, { [kid]: reply.sealedKey }, [{ kid, key: replyPrivateKey }]);
      if (opened.header.parent === null || !bytesEqual(opened.header.parent, submissionHeaderHash)) {
        throw new Error("parent");
      }
      const body = opened.header.streams[0];
      const response = await postJson("/api/cases/streams", JSON.stringify({ lookupId, stream: b64uEncode(body.streamId) }));
      if (!response.ok) {
        throw new Error(`HTTP ${response.status}`);
      }
      text.textContent = (await readMessageBody(await openDownloaded(opened.contentKey, opened.headerHash, body, response))).message;
      opened.contentKey.fill(0);
    } catch {
      text.textContent = t("Js_ReplyUnreadable");
      text.classList.add("error");
    }
    item.append(day, text);
    list.append(item);
  }
}
