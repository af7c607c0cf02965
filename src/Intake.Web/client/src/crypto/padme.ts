// Padmé with a 1 KiB floor (docs/crypto.md §5.1). framedLength = 8 + content length.
export const MINIMUM_PADDED_LENGTH = 1024;
export const MAXIMUM_PADDED_LENGTH = 2 ** 40;

export function padme(framedLength: number): number {
  if (!Number.isSafeInteger(framedLength) || framedLength < 0 || framedLength > MAXIMUM_PADDED_LENGTH) {
    throw new RangeError("The framed length is outside 0..2^40.");
  }
  if (framedLength <= MINIMUM_PADDED_LENGTH) {
    return MINIMUM_PADDED_LENGTH;
  }
  const e = floorLog2(framedLength);
  const s = floorLog2(e) + 1;
  const step = 2 ** (e - s);
  return Math.ceil(framedLength / step) * step;
}

/** 1024 ≤ P ≤ 2^40 and Padme(P) = P. */
export function isValidPaddedLength(paddedLength: number): boolean {
  return (
    Number.isSafeInteger(paddedLength) &&
    paddedLength >= MINIMUM_PADDED_LENGTH &&
    paddedLength <= MAXIMUM_PADDED_LENGTH &&
    padme(paddedLength) === paddedLength
  );
}

// Exact integer floor(log2 x) for 1 ≤ x ≤ 2^53 (Math.log2 may round near powers of two).
function floorLog2(x: number): number {
  let e = 0;
  while (2 ** (e + 1) <= x) {
    e++;
  }
  return e;
}
