// Every string the browser code shows comes from the page: the server renders the resource file of the page's
// language into <script type="application/json" id="text"> (data, never executed), so the bundle holds no text.
let cache: Record<string, string> | null = null;

function strings(): Record<string, string> {
  if (cache === null) {
    const element = document.getElementById("text");
    try {
      cache = element?.textContent ? (JSON.parse(element.textContent) as Record<string, string>) : {};
    } catch {
      cache = {};
    }
  }
  return cache;
}

/** The text for `key`, with {0}, {1}, … replaced by `args`. Falls back to the key so a gap is visible in tests. */
export function t(key: string, ...args: (string | number)[]): string {
  const template = strings()[key] ?? key;
  return template.replace(/\{(\d+)\}/g, (whole, index: string) => {
    const value = args[Number(index)];
    return value === undefined ? whole : String(value);
  });
}

/** The page language ("zh" or "en"), from <html data-lang>. */
export function pageLanguage(): "zh" | "en" {
  return document.documentElement.dataset.lang === "en" ? "en" : "zh";
}

/** Sizes in MiB, the unit the page states its limits in. */
export function formatMiB(bytes: number): string {
  return `${Math.round((bytes / (1024 * 1024)) * 10) / 10} MiB`;
}
