// Re-encodes JPEG, PNG and WebP pictures through a canvas before they are encrypted: the canvas keeps only pixels,
// so EXIF (with GPS), XMP, text chunks and colour profiles are gone. The orientation EXIF asked for is applied
// first, so the picture still looks the way she saw it.
import { findMetadata, type MetadataKind } from "./metadata";

export const CLEANABLE_TYPES = ["image/jpeg", "image/png", "image/webp"] as const;

export type Prepared =
  | { kind: "cleaned"; blob: Blob; found: Set<MetadataKind> }
  | { kind: "other"; blob: Blob }
  | { kind: "failed" };

export function isCleanable(file: File): boolean {
  return (CLEANABLE_TYPES as readonly string[]).includes(file.type);
}

async function reencode(file: File): Promise<Blob | null> {
  const bitmap = await createImageBitmap(file, { imageOrientation: "from-image" });
  try {
    const canvas = document.createElement("canvas");
    canvas.width = bitmap.width;
    canvas.height = bitmap.height;
    const context = canvas.getContext("2d");
    if (context === null) {
      return null;
    }
    context.drawImage(bitmap, 0, 0);
    return await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, file.type, 0.92));
  } finally {
    bitmap.close();
  }
}

/** What will be encrypted for this file: a cleaned picture, the file as it is (other types), or nothing. */
export async function prepareAttachment(file: File): Promise<Prepared> {
  if (!isCleanable(file)) {
    return { kind: "other", blob: file };
  }
  try {
    const found = findMetadata(new Uint8Array(await file.arrayBuffer()));
    const blob = await reencode(file);
    return blob === null ? { kind: "failed" } : { kind: "cleaned", blob, found };
  } catch {
    return { kind: "failed" };
  }
}
