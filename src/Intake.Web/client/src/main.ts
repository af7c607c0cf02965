import { selfTest } from "./environment";

// Pages mark the element that reports whether this browser can encrypt with
// data-crypto-status; the text for each state comes from the page (and its resource files).
async function reportCryptoStatus(): Promise<void> {
  const target = document.querySelector<HTMLElement>("[data-crypto-status]");
  if (!target) {
    return;
  }
  let ok = false;
  try {
    ok = await selfTest();
  } catch {
    ok = false;
  }
  target.dataset.cryptoStatus = ok ? "ready" : "unavailable";
  const message = ok ? target.dataset.readyText : target.dataset.unavailableText;
  if (message) {
    target.textContent = message;
  }
}

void reportCryptoStatus();
