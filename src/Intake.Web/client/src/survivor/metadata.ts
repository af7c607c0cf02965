// Finds the hidden details a picture carries, by reading its bytes, so the page can tell her what re-encoding
// removed. Only container structure is read (JPEG segments, PNG chunks, WebP RIFF chunks, the EXIF IFD0 entries);
// the image data itself is not decoded here.

export type MetadataKind = "location" | "camera" | "xmp" | "text";

const XMP_JPEG = "http://ns.adobe.com/xap/1.0/\0";
const EXIF_TAG_GPS_IFD = 0x8825;

function ascii(bytes: Uint8Array, start: number, length: number): string {
  return String.fromCharCode(...bytes.subarray(start, Math.min(bytes.length, start + length)));
}

/** EXIF (a TIFF structure): camera details always; location when IFD0 points to a GPS IFD. */
function scanTiff(bytes: Uint8Array, start: number, found: Set<MetadataKind>): void {
  found.add("camera");
  if (start + 8 > bytes.length) {
    return;
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const order = ascii(bytes, start, 2);
  if (order !== "II" && order !== "MM") {
    return;
  }
  const little = order === "II";
  const ifd = start + view.getUint32(start + 4, little);
  if (ifd + 2 > bytes.length) {
    return;
  }
  const count = view.getUint16(ifd, little);
  for (let i = 0; i < count && ifd + 2 + i * 12 + 2 <= bytes.length; i++) {
    if (view.getUint16(ifd + 2 + i * 12, little) === EXIF_TAG_GPS_IFD) {
      found.add("location");
    }
  }
}

function scanJpeg(bytes: Uint8Array, found: Set<MetadataKind>): void {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let offset = 2;
  while (offset + 4 <= bytes.length && bytes[offset] === 0xff) {
    const marker = bytes[offset + 1] as number;
    if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7) || marker === 0xff) {
      offset += marker === 0xff ? 1 : 2;
      continue;
    }
    if (marker === 0xda || marker === 0xd9) {
      return; // start of scan: metadata segments come before the image data
    }
    const length = view.getUint16(offset + 2);
    const data = offset + 4;
    if (marker === 0xe1 && ascii(bytes, data, 6) === "Exif\0\0") {
      scanTiff(bytes, data + 6, found);
    } else if (marker === 0xe1 && ascii(bytes, data, XMP_JPEG.length) === XMP_JPEG) {
      found.add("xmp");
    } else if (marker === 0xed || marker === 0xfe) {
      found.add("text"); // Photoshop/IPTC captions, or a comment
    }
    offset += 2 + length;
  }
}

function scanPng(bytes: Uint8Array, found: Set<MetadataKind>): void {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let offset = 8;
  while (offset + 8 <= bytes.length) {
    const length = view.getUint32(offset);
    const type = ascii(bytes, offset + 4, 4);
    if (type === "eXIf") {
      scanTiff(bytes, offset + 8, found);
    } else if (type === "iTXt" && ascii(bytes, offset + 8, 17) === "XML:com.adobe.xmp") {
      found.add("xmp");
    } else if (type === "tEXt" || type === "iTXt" || type === "zTXt") {
      found.add("text");
    } else if (type === "IEND") {
      return;
    }
    offset += 12 + length;
  }
}

function scanWebp(bytes: Uint8Array, found: Set<MetadataKind>): void {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let offset = 12;
  while (offset + 8 <= bytes.length) {
    const type = ascii(bytes, offset, 4);
    const length = view.getUint32(offset + 4, true);
    if (type === "EXIF") {
      // Some writers keep JPEG's "Exif\0\0" prefix inside the chunk.
      scanTiff(bytes, offset + 8 + (ascii(bytes, offset + 8, 6) === "Exif\0\0" ? 6 : 0), found);
    } else if (type === "XMP ") {
      found.add("xmp");
    }
    offset += 8 + length + (length % 2);
  }
}

/** The kinds of hidden detail in a JPEG, PNG or WebP file; empty for anything else or a clean picture. */
export function findMetadata(bytes: Uint8Array): Set<MetadataKind> {
  const found = new Set<MetadataKind>();
  try {
    if (bytes[0] === 0xff && bytes[1] === 0xd8) {
      scanJpeg(bytes, found);
    } else if (ascii(bytes, 0, 8) === "\x89PNG\r\n\x1a\n") {
      scanPng(bytes, found);
    } else if (ascii(bytes, 0, 4) === "RIFF" && ascii(bytes, 8, 4) === "WEBP") {
      scanWebp(bytes, found);
    }
  } catch {
    // A malformed structure (a read past the end): report what was found before it. The picture is re-encoded anyway.
  }
  return found;
}
