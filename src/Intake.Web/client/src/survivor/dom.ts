// Small DOM helpers. Elements are found by data- attributes so markup and styling can change freely.

export function find<T extends HTMLElement = HTMLElement>(selector: string, root: ParentNode = document): T {
  const element = root.querySelector<T>(selector);
  if (element === null) {
    throw new Error(`The page has no ${selector}.`);
  }
  return element;
}

export function show(element: HTMLElement, visible = true): void {
  element.hidden = !visible;
}

/** Puts a message in a live region; role="alert" or role="status" is set in the markup. */
export function say(element: HTMLElement, message: string): void {
  element.textContent = message;
  element.hidden = message === "";
}

export function setBusy(form: HTMLFormElement, busy: boolean): void {
  form.setAttribute("aria-busy", busy ? "true" : "false");
  for (const control of Array.from(form.elements)) {
    if (control instanceof HTMLButtonElement || control instanceof HTMLInputElement || control instanceof HTMLTextAreaElement || control instanceof HTMLSelectElement) {
      control.disabled = busy;
    }
  }
}
