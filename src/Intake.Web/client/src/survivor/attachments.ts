// The attachment picker: every chosen file is prepared at once (pictures cleaned, others flagged), and she sees,
// per file, what was found and removed before anything is encrypted or sent. Files can be added in several goes
// and removed again.
import { prepareAttachment } from "./scrub";
import { formatMiB, t } from "./text";

export interface Attachment {
  name: string;
  type: string;
  blob: Blob;
}

interface Entry {
  name: string;
  type: string;
  /** Null for a picture that could not be cleaned: listed with its note, never sent. */
  blob: Blob | null;
  note: string;
  warning: boolean;
}

function describe(name: string, prepared: Awaited<ReturnType<typeof prepareAttachment>>): { note: string; warning: boolean } {
  switch (prepared.kind) {
    case "cleaned":
      return prepared.found.size === 0
        ? { note: t("Js_FileClean", name), warning: false }
        : { note: t("Js_FileCleaned", name, [...prepared.found].map((kind) => t(`Js_Meta_${kind}`)).join(t("Js_ListSeparator"))), warning: false };
    case "other":
      return { note: t("Js_FileOther", name), warning: true };
    case "failed":
      return { note: t("Js_FileFailed", name), warning: true };
  }
}

export class AttachmentPicker {
  private readonly entries: Entry[] = [];
  private readonly input: HTMLInputElement;
  private readonly list: HTMLUListElement;
  private readonly problems: HTMLElement;
  readonly maxFiles: number;
  readonly maxBytes: number;
  private pending: Promise<void> = Promise.resolve();

  constructor(root: HTMLElement) {
    this.input = root.querySelector<HTMLInputElement>("input[type=file]") as HTMLInputElement;
    this.list = root.querySelector<HTMLUListElement>("[data-file-list]") as HTMLUListElement;
    this.problems = root.querySelector<HTMLElement>("[data-file-problem]") as HTMLElement;
    this.maxFiles = Number(this.input.dataset.maxFiles ?? "16");
    this.maxBytes = Number(this.input.dataset.maxBytes ?? String(200 * 1024 * 1024));
    this.input.addEventListener("change", () => {
      const files = Array.from(this.input.files ?? []);
      this.input.value = ""; // so choosing the same file again still fires "change"
      this.pending = this.pending.then(() => this.add(files));
    });
  }

  /** Resolves once every chosen file has been prepared. */
  async settled(): Promise<void> {
    await this.pending;
  }

  get attachments(): Attachment[] {
    return this.entries.flatMap(({ name, type, blob }) => (blob === null ? [] : [{ name, type, blob }]));
  }

  get totalBytes(): number {
    return this.entries.reduce((sum, e) => sum + (e.blob?.size ?? 0), 0);
  }

  /** The reason these attachments cannot be sent, or null. */
  problem(): string | null {
    if (this.attachments.length > this.maxFiles) {
      return t("Js_ErrorTooMany", this.maxFiles);
    }
    if (this.totalBytes > this.maxBytes) {
      return t("Js_ErrorTooLarge", formatMiB(this.maxBytes));
    }
    return null;
  }

  clear(): void {
    this.entries.length = 0;
    this.render();
  }

  private async add(files: File[]): Promise<void> {
    this.list.setAttribute("aria-busy", "true");
    for (const file of files) {
      const prepared = await prepareAttachment(file);
      const { note, warning } = describe(file.name, prepared);
      const blob = prepared.kind === "failed" ? null : prepared.blob;
      this.entries.push({ name: file.name, type: blob?.type || file.type, blob, note, warning });
    }
    this.list.setAttribute("aria-busy", "false");
    this.render();
  }

  private render(): void {
    this.list.replaceChildren(
      ...this.entries.map((entry, index) => {
        const item = document.createElement("li");
        item.className = entry.warning ? "file warning" : "file";
        const name = document.createElement("span");
        name.className = "file-name";
        name.textContent = entry.blob === null ? entry.name : `${entry.name} (${formatMiB(entry.blob.size)})`;
        const note = document.createElement("span");
        note.className = "file-note";
        note.dataset.fileNote = "";
        note.textContent = entry.note;
        const remove = document.createElement("button");
        remove.type = "button";
        remove.className = "secondary small";
        remove.textContent = t("Js_Remove");
        remove.setAttribute("aria-label", t("Js_RemoveFile", entry.name));
        remove.addEventListener("click", () => {
          this.entries.splice(index, 1);
          this.render();
        });
        item.append(name, note, remove);
        return item;
      }),
    );
    const problem = this.problem();
    this.problems.textContent = problem ?? "";
    this.problems.hidden = problem === null;
  }
}
