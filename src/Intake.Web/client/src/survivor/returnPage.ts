// Coming back with the receipt: it is parsed and checked here (typos are caught before any request), only the
// derived lookup id is sent, and the vault is opened in this browser to get the case content key.
import { b64uDecode, b64uEncode, deriveReceiptSecrets, openReceiptVault, parseReceipt, type ReceiptParseError } from "../crypto";
import { AttachmentPicker } from "./attachments";
import { downloadProof, lookupCase, withdrawCase, type CaseView } from "./caseApi";
import { channelName, listChannels } from "./channels";
import { find, say, setBusy, show } from "./dom";
import { describeError } from "./errors";
import { sendFollowUp, submissionHeaderHash } from "./followUp";
import { progressView } from "./progressView";
import { renderReplies, type ReplyItem } from "./replies";
import { t } from "./text";

const parseErrors: Record<ReceiptParseError, string> = {
  empty: "Js_ReceiptEmpty",
  "invalid-character": "Js_ReceiptInvalid",
  "missing-check-character": "Js_ReceiptMissingCheck",
  "wrong-length": "Js_ReceiptWrongLength",
  typo: "Js_ReceiptTypo",
};

interface OpenCase {
  lookupId: string;
  view: CaseView;
  contentKey: Uint8Array<ArrayBuffer> | null;
  replyPrivateKey: Uint8Array<ArrayBuffer> | null;
}

async function channelLabel(id: string): Promise<string> {
  try {
    const channel = (await listChannels()).find((c) => c.id === id);
    return channel === undefined ? id : channelName(channel);
  } catch {
    return id;
  }
}

async function openCase(receipt: string): Promise<OpenCase | string> {
  const parsed = parseReceipt(receipt);
  if (!parsed.ok) {
    return t(parseErrors[parsed.error]);
  }
  const { lookupId, vaultKey } = await deriveReceiptSecrets(parsed.secret);
  const id = b64uEncode(lookupId);
  const view = await lookupCase(id);
  if (view === null) {
    return t("Js_ReceiptNotFound");
  }
  let contentKey: Uint8Array<ArrayBuffer> | null = null;
  let replyPrivateKey: Uint8Array<ArrayBuffer> | null = null;
  const vault = b64uDecode(view.vault ?? "");
  if (vault !== null) {
    try {
      const opened = await openReceiptVault(vaultKey, vault);
      replyPrivateKey = opened.replyPrivateKey;
      contentKey = opened.contentKey;
    } catch {
      contentKey = null;
    }
  }
  return { lookupId: id, view, contentKey, replyPrivateKey };
}

async function showCase(root: HTMLElement, opened: OpenCase): Promise<void> {
  const { view } = opened;
  find("[data-case-status]", root).textContent = t(`Js_Status_${view.status}`);
  find("[data-case-opened]", root).textContent = view.openedOn;
  find("[data-case-channel]", root).textContent = await channelLabel(view.channel);
  const followUps = view.followUps?.length ?? 0;
  say(find("[data-followup-count]", root), followUps === 0 ? "" : t("Js_FollowUpCount", followUps));
  const replies = view.replies?.length ?? 0;
  find("[data-replies]", root).textContent = replies === 0 ? t("Js_RepliesNone") : t("Js_RepliesCount", replies);
  const headerHash = await submissionHeaderHash(view.submission).catch(() => null);
  if (replies > 0 && opened.replyPrivateKey !== null && headerHash !== null) {
    await renderReplies(find("[data-reply-list]", root), opened.lookupId, headerHash, view.replies as ReplyItem[], opened.replyPrivateKey);
  }
  show(root);
  find("[data-case-heading]", root).focus();
}

function wireFollowUp(root: HTMLElement, opened: OpenCase): void {
  const form = find<HTMLFormElement>("form[data-followup-form]", root);
  const picker = new AttachmentPicker(find("[data-attachments]", form));
  const error = find("[data-followup-error]", form);
  const status = find("[data-followup-status]", form);
  const bar = find<HTMLProgressElement>("progress", form);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    void (async () => {
      say(error, "");
      say(status, "");
      await picker.settled();
      const message = (form.elements.namedItem("message") as HTMLTextAreaElement).value.trim();
      const problem = message === "" && picker.attachments.length === 0 ? t("Js_FollowUpEmpty") : picker.problem();
      const headerHash = await submissionHeaderHash(opened.view.submission).catch(() => null);
      if (problem !== null || opened.contentKey === null || headerHash === null) {
        say(error, problem ?? t("Js_ErrorServer"));
        return;
      }
      setBusy(form, true);
      show(bar);
      try {
        await sendFollowUp(opened.lookupId, opened.contentKey, headerHash, message, picker.attachments, progressView(status, bar));
        form.reset();
        picker.clear();
        say(status, t("Js_FollowUpDone"));
      } catch (failure) {
        say(status, "");
        say(error, describeError(failure));
      } finally {
        show(bar, false);
        setBusy(form, false);
      }
    })();
  });
}

function wireProof(root: HTMLElement, opened: OpenCase): void {
  const error = find("[data-proof-error]", root);
  find<HTMLButtonElement>("[data-proof]", root).addEventListener("click", () => {
    say(error, "");
    downloadProof(opened.lookupId, opened.view.openedOn).catch((failure: unknown) => say(error, describeError(failure)));
  });
}

function wireWithdraw(root: HTMLElement, opened: OpenCase, onWithdrawn: () => void): void {
  const start = find<HTMLButtonElement>("[data-withdraw]", root);
  const confirm = find("[data-withdraw-confirm]", root);
  const error = find("[data-withdraw-error]", root);
  start.addEventListener("click", () => {
    show(start, false);
    show(confirm);
    find("[data-withdraw-confirm-heading]", confirm).focus();
  });
  find<HTMLButtonElement>("[data-withdraw-no]", confirm).addEventListener("click", () => {
    show(confirm, false);
    show(start);
    start.focus();
  });
  const yes = find<HTMLButtonElement>("[data-withdraw-yes]", confirm);
  yes.addEventListener("click", () => {
    say(error, "");
    yes.disabled = true;
    withdrawCase(opened.lookupId).then(onWithdrawn, (failure: unknown) => {
      yes.disabled = false;
      say(error, describeError(failure));
    });
  });
}

export function initReturnPage(): void {
  const form = find<HTMLFormElement>("form[data-lookup-form]");
  const input = find<HTMLInputElement>("input[name=receipt]", form);
  const error = find("[data-lookup-error]", form);
  const status = find("[data-lookup-status]");
  const caseRoot = find("[data-case]");
  const withdrawn = find("[data-withdrawn]");

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    void (async () => {
      say(error, "");
      say(status, t("Js_Looking"));
      setBusy(form, true);
      try {
        const opened = await openCase(input.value);
        say(status, "");
        if (typeof opened === "string") {
          say(error, opened);
          input.setAttribute("aria-invalid", "true");
          setBusy(form, false);
          input.focus();
          return;
        }
        // The code has done its job: take it off the screen so it is not left visible.
        input.value = "";
        input.removeAttribute("aria-invalid");
        show(form, false);
        await showCase(caseRoot, opened);
        wireFollowUp(caseRoot, opened);
        wireProof(caseRoot, opened);
        wireWithdraw(caseRoot, opened, () => {
          opened.contentKey?.fill(0);
          opened.replyPrivateKey?.fill(0);
          show(caseRoot, false);
          show(withdrawn);
          find("[data-withdrawn-heading]", withdrawn).focus();
        });
      } catch (failure) {
        say(status, "");
        say(error, describeError(failure));
        setBusy(form, false);
      }
    })();
  });
}
