// What every survivor page does once the bundle runs: swap the no-JavaScript notes for the interactive parts,
// and install the quick exit.
import { installQuickExit, keepOneHistoryEntry } from "./quickExit";

export function enhanceEveryPage(): void {
  document.documentElement.dataset.js = "on";
  for (const element of Array.from(document.querySelectorAll<HTMLElement>("[data-nojs]"))) {
    element.hidden = true;
  }
  for (const element of Array.from(document.querySelectorAll<HTMLElement>("[data-needs-js]"))) {
    element.hidden = false;
  }
  installQuickExit();
  keepOneHistoryEntry();
}
