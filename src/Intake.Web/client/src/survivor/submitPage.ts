// The "give testimony" page: channel choice, questions, narrative and attachments; then encryption, upload and the
// receipt, shown once.
import { AttachmentPicker } from "./attachments";
import { channelName, listChannels } from "./channels";
import { downloadProof } from "./caseApi";
import { find, say, setBusy, show } from "./dom";
import { describeError } from "./errors";
import { progressView } from "./progressView";
import { submitTestimony, type Answers, type ExtraAnswer, type Submitted } from "./submission";
import { t } from "./text";

function value(form: HTMLFormElement, name: string): string {
  const field = form.elements.namedItem(name);
  return field instanceof HTMLInputElement || field instanceof HTMLTextAreaElement ? field.value.trim() : "";
}

function answers(form: HTMLFormElement): Answers {
  const data = new FormData(form);
  return {
    what: value(form, "what"),
    when: String(data.get("when") ?? ""),
    where: value(form, "where"),
    relationship: value(form, "relationship"),
    witnesses: value(form, "witnesses"),
    wants: data.getAll("wants").map(String),
  };
}

/** The period she chose herself, in days, or undefined for the service's policy (docs/retention.md §1). */
function keepDays(form: HTMLFormElement): number | undefined {
  const days = Number(new FormData(form).get("keep") ?? "");
  return Number.isInteger(days) && days > 0 ? days : undefined;
}

/** The chosen channel's own questions, each as she read it, with her answer. */
function extraAnswers(form: HTMLFormElement, channel: string): ExtraAnswer[] {
  const fieldset = Array.from(form.querySelectorAll<HTMLElement>("[data-channel-questions]")).find((f) => f.dataset.channelQuestions === channel);
  return fieldset === undefined
    ? []
    : Array.from(fieldset.querySelectorAll<HTMLTextAreaElement>("textarea[data-question]")).map((field) => ({
        question: field.dataset.question ?? "",
        answer: field.value.trim(),
      }));
}

/** Shows only the chosen channel's own questions (without JavaScript, all are shown, each saying which channel it is for). */
function showChannelQuestions(form: HTMLFormElement): void {
  const channel = String(new FormData(form).get("channel") ?? "");
  for (const fieldset of Array.from(form.querySelectorAll<HTMLElement>("[data-channel-questions]"))) {
    show(fieldset, fieldset.dataset.channelQuestions === channel);
  }
}

async function renderChannels(container: HTMLElement): Promise<void> {
  if (container.querySelector("input[name=channel]") !== null) {
    return; // listed by the server with the page (the same form works without JavaScript); she may have chosen already
  }
  try {
    const channels = await listChannels();
    if (channels.length === 0) {
      say(container, t("Js_ErrorNoChannels"));
      return;
    }
    container.replaceChildren(
      ...channels.map((channel) => {
        const label = document.createElement("label");
        label.className = "choice";
        const input = document.createElement("input");
        input.type = "radio";
        input.name = "channel";
        input.value = channel.id;
        input.required = true;
        label.append(input, ` ${channelName(channel)}`);
        return label;
      }),
    );
    if (channels.length === 1) {
      (container.querySelector("input") as HTMLInputElement).checked = true;
    }
  } catch (error) {
    say(container, describeError(error));
  }
}

function showReceipt(done: HTMLElement, submitted: Submitted): void {
  find("[data-receipt]", done).textContent = submitted.receipt;
  find("[data-ledger]", done).textContent = t("Js_LedgerEntry", submitted.entry, submitted.day);
  const copied = find("[data-copied]", done);
  find<HTMLButtonElement>("[data-copy]", done).addEventListener("click", () => {
    navigator.clipboard.writeText(submitted.receipt).then(
      () => say(copied, t("Js_Copied")),
      () => say(copied, t("Js_CopyFailed")),
    );
  });
  const proofError = find("[data-proof-error]", done);
  find<HTMLButtonElement>("[data-proof]", done).addEventListener("click", () => {
    say(proofError, "");
    downloadProof(submitted.lookupId, submitted.day).catch((error: unknown) => say(proofError, describeError(error)));
  });
  show(done);
  find("[data-done-heading]", done).focus();
}

export function initSubmitPage(): void {
  const form = find<HTMLFormElement>("form[data-submit-form]");
  const error = find("[data-form-error]", form);
  const sending = find("[data-sending]");
  const done = find("[data-done]");
  const picker = new AttachmentPicker(find("[data-attachments]", form));
  void renderChannels(find("[data-channel-list]", form));
  showChannelQuestions(form);
  form.addEventListener("change", (event) => {
    if (event.target instanceof HTMLInputElement && event.target.name === "channel") {
      showChannelQuestions(form);
    }
  });

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    void (async () => {
      say(error, "");
      await picker.settled();
      const channel = String(new FormData(form).get("channel") ?? "");
      const testimony = {
        channel,
        answers: answers(form),
        narrative: value(form, "narrative"),
        attachments: picker.attachments,
        extra: extraAnswers(form, channel),
        keepDays: keepDays(form),
      };
      const problem =
        channel === ""
          ? t("Js_ErrorChannel")
          : testimony.narrative === "" && testimony.answers.what === "" && testimony.attachments.length === 0
            ? t("Js_ErrorEmpty")
            : picker.problem();
      if (problem !== null) {
        say(error, problem);
        error.focus();
        return;
      }
      setBusy(form, true);
      show(sending);
      const progress = progressView(find("[data-stage]", sending), find<HTMLProgressElement>("progress", sending));
      try {
        const submitted = await submitTestimony(testimony, progress);
        // What she wrote is no longer needed on this page; the receipt is shown once and kept nowhere.
        form.reset();
        picker.clear();
        show(form, false);
        show(sending, false);
        showReceipt(done, submitted);
      } catch (failure) {
        show(sending, false);
        setBusy(form, false);
        say(error, describeError(failure));
        error.focus();
      }
    })();
  });
}
