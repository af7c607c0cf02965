// Saves a Blob as a file without a server round trip that would put anything in a URL.
export function saveBlob(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = fileName;
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  // Revoked later: the download reads the URL asynchronously after the click.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** The file name the server suggests (Content-Disposition), or `fallback`. Path characters are dropped. */
export function suggestedName(response: Response, fallback: string): string {
  const header = response.headers.get("Content-Disposition") ?? "";
  const match = /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(header);
  const name = match?.[1] === undefined ? "" : decodeURIComponent(match[1]).replace(/[\\/:*?"<>|]/g, "");
  return name === "" ? fallback : name;
}
