// "My key": her key pair is made here, wrapped under her passphrase (docs/crypto.md §6), and only the wrapped record
// leaves the page. The passphrase and the private key never do.
import { generateAdvocateKey, wrapAdvocateKey, wrappedAdvocateKeyToJson } from "../crypto";
import { find, say, setBusy } from "../survivor/dom";
import { postJson } from "../survivor/http";
import { t } from "../survivor/text";

export const MINIMUM_PASSPHRASE_LENGTH = 14;

export function initKeysPage(): void {
  const form = document.querySelector<HTMLFormElement>("[data-key-form]");
  if (form === null) {
    return;
  }
  const status = find("[data-key-status]", form);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    void enrol(form, status);
  });
}

async function enrol(form: HTMLFormElement, status: HTMLElement): Promise<void> {
  const passphrase = find<HTMLInputElement>("[name=passphrase]", form).value;
  const confirm = find<HTMLInputElement>("[name=confirm]", form).value;
  if ([...passphrase].length < MINIMUM_PASSPHRASE_LENGTH) {
    say(status, t("Js_Keys_TooShort", MINIMUM_PASSPHRASE_LENGTH));
    return;
  }
  if (passphrase !== confirm) {
    say(status, t("Js_Keys_Mismatch"));
    return;
  }
  setBusy(form, true);
  say(status, t("Js_Keys_Working"));
  try {
    const pair = await generateAdvocateKey();
    const record = await wrapAdvocateKey(pair.privateKey, passphrase);
    pair.privateKey.fill(0);
    const response = await postJson("/api/staff/keys", `{"wrapped":${wrappedAdvocateKeyToJson(record)}}`);
    if (!response.ok) {
      const problem = (await response.json().catch(() => ({}))) as { detail?: string; title?: string };
      say(status, problem.detail ?? problem.title ?? t("Js_Keys_Failed"));
      return;
    }
    const created = (await response.json()) as { fingerprint: string };
    say(status, t("Js_Keys_Enrolled", created.fingerprint));
    form.reset();
    form.dataset.enrolled = "true";
  } catch {
    say(status, t("Js_Keys_Failed"));
  } finally {
    setBusy(form, false);
  }
}
