// One case, opened in the advocate's browser: her passphrase unwraps her private key(s) here; the case file arrives
// as ciphertext with the content keys sealed to her; testimony, follow-ups, replies and notes are decrypted here,
// and attachments are saved from here. Replies and notes are sealed here before they are uploaded.
import {
  b64uDecode,
  b64uEncode,
  createStreamHeader,
  decodeStreamHeader,
  generateContentKey,
  parseWrappedAdvocateKey,
  sealEnvelope,
  StreamPurpose,
  unwrapAdvocateKey,
  type EnvelopeHeader,
  type StreamHeader,
} from "../crypto";
import { openDownloaded, openRecord, readMessageBody, streamName, type OpenedRecord } from "../caseRecords";
import { find, say, setBusy } from "../survivor/dom";
import { saveBlob } from "../survivor/download";
import { getJson, postJson, request } from "../survivor/http";
import { sealAndUpload, type Progress } from "../survivor/streams";
import { t } from "../survivor/text";

interface KeyView {
  kid: string;
  status: string;
  wrapped: unknown;
}

interface EntryView {
  entry: number;
  kind: "submission" | "follow-up" | "reply" | "note";
  day: string;
  record: Record<string, unknown>;
  sealedKeys: Record<string, string>;
  mine: boolean;
}

interface CaseFile {
  id: string;
  channel: string;
  status: string;
  headerHash: string;
  entries: EntryView[];
}

interface Unlocked {
  caseId: string;
  file: CaseFile;
  submission: OpenedRecord;
  keys: { kid: string; key: Uint8Array<ArrayBuffer> }[];
}

const quiet: Progress = { stage() {}, uploaded() {} };

export function initCasePage(): void {
  const root = document.querySelector<HTMLElement>("[data-case]");
  if (root === null) {
    return;
  }
  const caseId = root.dataset.case ?? "";
  const unlock = find<HTMLFormElement>("[data-unlock-form]", root);
  const status = find("[data-unlock-status]", unlock);
  unlock.addEventListener("submit", (event) => {
    event.preventDefault();
    void (async () => {
      setBusy(unlock, true);
      say(status, t("Js_Case_Unlocking"));
      try {
        const opened = await openCase(caseId, find<HTMLInputElement>("[name=passphrase]", unlock).value);
        if (opened === null) {
          say(status, t("Js_Case_WrongPassphrase"));
          return;
        }
        unlock.reset();
        unlock.hidden = true;
        await render(root, opened);
        enableForms(root, opened);
      } catch (error) {
        say(status, error instanceof Error && error.message !== "" ? `${t("Js_Case_Failed")} (${error.message})` : t("Js_Case_Failed"));
      } finally {
        setBusy(unlock, false);
      }
    })();
  });
}

async function openCase(caseId: string, passphrase: string): Promise<Unlocked | null> {
  const mine = await getJson<KeyView[]>("/api/staff/keys/mine");
  const keys: { kid: string; key: Uint8Array<ArrayBuffer> }[] = [];
  for (const view of mine.filter((k) => k.status !== "pending")) {
    try {
      keys.push({ kid: view.kid, key: await unwrapAdvocateKey(parseWrappedAdvocateKey(JSON.stringify(view.wrapped)), passphrase) });
    } catch {
      // A wrong passphrase for this key; another key may still open.
    }
  }
  if (keys.length === 0) {
    return null;
  }
  const file = await getJson<CaseFile>(`/api/staff/cases/${caseId}`);
  const first = file.entries.find((e) => e.kind === "submission");
  if (first === undefined) {
    throw new Error("no submission");
  }
  const submission = await openRecord(first.record, first.sealedKeys, keys);
  if (b64uEncode(submission.headerHash) !== file.headerHash) {
    throw new Error("header hash");
  }
  return { caseId, file, submission, keys };
}

function streamUrl(caseId: string, header: StreamHeader): string {
  return `/api/staff/cases/${caseId}/streams/${streamName(header)}`;
}

async function download(caseId: string, contentKey: Uint8Array<ArrayBuffer>, headerHash: Uint8Array<ArrayBuffer>, header: StreamHeader): Promise<Blob> {
  const response = await request(streamUrl(caseId, header));
  if (!response.ok) {
    throw new Error(`HTTP ${response.status}`);
  }
  return openDownloaded(contentKey, headerHash, header, response);
}

function paragraph(parent: HTMLElement, text: string, className?: string): HTMLElement {
  const p = document.createElement("p");
  p.textContent = text;
  if (className !== undefined) {
    p.className = className;
  }
  parent.append(p);
  return p;
}

function attachmentButtons(
  parent: HTMLElement,
  caseId: string,
  opened: { contentKey: Uint8Array<ArrayBuffer>; headerHash: Uint8Array<ArrayBuffer> },
  names: { name: string; type: string }[],
  headers: StreamHeader[],
): void {
  headers.forEach((header, i) => {
    const name = names[i]?.name || `attachment-${i + 1}`;
    const button = document.createElement("button");
    button.type = "button";
    button.className = "secondary";
    button.dataset.attachment = name;
    button.textContent = t("Js_Case_SaveAttachment", name);
    button.addEventListener("click", () => {
      void (async () => {
        button.disabled = true;
        try {
          saveBlob(await download(caseId, opened.contentKey, opened.headerHash, header), name);
        } catch {
          button.textContent = t("Js_Case_AttachmentFailed", name);
        } finally {
          button.disabled = false;
        }
      })();
    });
    parent.append(button);
  });
}

async function render(root: HTMLElement, opened: Unlocked): Promise<void> {
  const list = find("[data-case-entries]", root);
  list.replaceChildren();
  const { caseId, file, submission } = opened;
  for (const entry of file.entries) {
    const item = document.createElement("article");
    item.className = `entry entry-${entry.kind}`;
    item.dataset.entry = String(entry.entry);
    item.dataset.kind = entry.kind;
    const heading = document.createElement("h3");
    heading.textContent = `${t(`Js_Case_Kind_${entry.kind}`)} · ${entry.day}`;
    item.append(heading);
    try {
      if (entry.kind === "submission") {
        const body = JSON.parse(await (await download(caseId, submission.contentKey, submission.headerHash, submission.header.streams[0])).text()) as {
          answers?: Record<string, unknown>;
          narrative?: string;
          attachments?: { name: string; type: string }[];
          extra?: { question?: unknown; answer?: unknown }[];
        };
        const answers = document.createElement("dl");
        for (const [question, answer] of Object.entries(body.answers ?? {})) {
          const dt = document.createElement("dt");
          dt.textContent = t(`Js_Case_Question_${question}`);
          const dd = document.createElement("dd");
          dd.textContent = Array.isArray(answer) ? answer.join(", ") : String(answer ?? "");
          answers.append(dt, dd);
        }
        // The channel's own questions, as the survivor read them (text, never markup).
        for (const extra of Array.isArray(body.extra) ? body.extra : []) {
          const dt = document.createElement("dt");
          dt.textContent = String(extra.question ?? "");
          const dd = document.createElement("dd");
          dd.textContent = String(extra.answer ?? "");
          dd.dataset.extraAnswer = "";
          answers.append(dt, dd);
        }
        item.append(answers);
        paragraph(item, body.narrative ?? "", "narrative").dataset.narrative = "";
        attachmentButtons(item, caseId, submission, body.attachments ?? [], submission.header.streams.slice(1));
      } else if (entry.kind === "follow-up") {
        const raw = typeof entry.record.stream === "string" ? b64uDecode(entry.record.stream, 30) : null;
        const header = raw === null ? null : decodeStreamHeader(raw);
        if (header === null) {
          throw new Error("stream");
        }
        const blob = await download(caseId, submission.contentKey, submission.headerHash, header);
        if (header.purpose === StreamPurpose.followUp) {
          try {
            paragraph(item, (await readMessageBody(blob)).message, "message");
          } catch {
            attachmentButtons(item, caseId, submission, [{ name: `follow-up-${entry.entry}`, type: "" }], [header]);
          }
        }
      } else {
        const message = await openRecord(entry.record, entry.sealedKeys, opened.keys);
        const body = await readMessageBody(await download(caseId, message.contentKey, message.headerHash, message.header.streams[0]));
        paragraph(item, entry.mine ? t("Js_Case_ByYou") : t("Js_Case_ByTeam"), "byline");
        paragraph(item, body.message, "message");
        attachmentButtons(item, caseId, message, body.attachments, message.header.streams.slice(1));
      }
    } catch {
      paragraph(item, t("Js_Case_EntryUnreadable"), "error");
    }
    list.append(item);
  }
  find("[data-case-status]", root).textContent = t(`Js_Status_${file.status}`);
}

function enableForms(root: HTMLElement, opened: Unlocked): void {
  for (const form of Array.from(root.querySelectorAll<HTMLFormElement>("[data-message-form]"))) {
    form.hidden = false;
    const status = find("[data-message-status]", form);
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      void (async () => {
        const text = find<HTMLTextAreaElement>("textarea", form).value.trim();
        if (text === "") {
          say(status, t("Js_Case_EmptyMessage"));
          return;
        }
        setBusy(form, true);
        say(status, t("Js_Case_Sending"));
        try {
          await sendMessage(opened, form.dataset.messageForm === "note" ? "notes" : "replies", text);
          form.reset();
          say(status, t("Js_Case_Sent"));
          const refreshed = await getJson<CaseFile>(`/api/staff/cases/${opened.caseId}`);
          opened.file = refreshed;
          await render(root, opened);
        } catch (error) {
          say(status, error instanceof Error && error.message !== "" ? `${t("Js_Case_SendFailed")} (${error.message})` : t("Js_Case_SendFailed"));
        } finally {
          setBusy(form, false);
        }
      })();
    });
  }
  const statusForm = root.querySelector<HTMLFormElement>("[data-status-form]");
  if (statusForm !== null) {
    statusForm.hidden = false;
    const note = find("[data-status-result]", statusForm);
    statusForm.addEventListener("submit", (event) => {
      event.preventDefault();
      void (async () => {
        const value = find<HTMLSelectElement>("select", statusForm).value;
        const response = await postJson(`/api/staff/cases/${opened.caseId}/status`, JSON.stringify({ status: value }));
        say(note, response.ok ? t("Js_Case_StatusSaved") : t("Js_Case_StatusFailed"));
        if (response.ok) {
          find("[data-case-status]", root).textContent = t(`Js_Status_${value}`);
        }
      })();
    });
  }
}

/** A reply goes to the survivor's reply key and the case team (the channel's current keys); a note to the team only. */
async function sendMessage(opened: Unlocked, kind: "replies" | "notes", message: string): Promise<void> {
  const survivor: EnvelopeHeader = opened.submission.header;
  const directory = await getJson<{ keys: { publicKey: string }[] }>(`/api/channels/${encodeURIComponent(survivor.channel)}/keys`);
  const team = directory.keys.map((k) => b64uDecode(k.publicKey, 65)).filter((k): k is Uint8Array<ArrayBuffer> => k !== null);
  const recipients = kind === "replies" ? [survivor.replyPublicKey, ...team] : team;
  const body = new Blob([JSON.stringify({ v: 1, message, attachments: [] })], { type: "application/json" });
  const streams = [{ header: createStreamHeader(StreamPurpose.body, body.size), content: body }];
  const contentKey = generateContentKey();
  const sealed = await sealEnvelope({
    kind: "reply",
    channel: survivor.channel,
    parent: opened.submission.headerHash,
    replyPublicKey: survivor.replyPublicKey,
    recipientPublicKeys: recipients,
    streams: streams.map((s) => s.header),
    contentKey,
  });
  const uploads = await sealAndUpload(contentKey, sealed.headerHash, streams, quiet);
  contentKey.fill(0);
  const response = await postJson(`/api/staff/cases/${opened.caseId}/${kind}`, `{"envelope":${sealed.json},"uploads":${JSON.stringify(uploads)}}`);
  if (!response.ok) {
    const problem = (await response.json().catch(() => ({}))) as { detail?: string; title?: string };
    throw new Error(problem.detail ?? problem.title ?? `HTTP ${response.status}`);
  }
}
