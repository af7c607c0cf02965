// Proof of work (docs/intake-api.md): find a decimal nonce such that SHA-256(UTF-8(challenge + ":" + nonce)) starts
// with `difficulty` zero bits. It makes bulk submissions expensive without storing anything about who asked.
import { ApiError, getJson } from "./http";
import { sha256Sync } from "./sha256";

export interface ProofOfWork {
  challenge: string;
  nonce: string;
}

interface Challenge {
  challenge: string;
  difficulty: number;
}

export function leadingZeroBits(hash: Uint8Array): number {
  let bits = 0;
  for (const byte of hash) {
    if (byte === 0) {
      bits += 8;
      continue;
    }
    return bits + Math.clz32(byte) - 24;
  }
  return bits;
}

/** Solves in slices, yielding to the page between them so the progress text stays live. */
export async function solve(challenge: string, difficulty: number): Promise<string> {
  const encoder = new TextEncoder();
  for (let nonce = 0; ; nonce++) {
    if (leadingZeroBits(sha256Sync(encoder.encode(`${challenge}:${nonce}`))) >= difficulty) {
      return String(nonce);
    }
    if (nonce % 4096 === 4095) {
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
  }
}

/** The proof to send with a submission, or null where the server asks for none (no /api/pow: 404). */
export async function proofOfWork(): Promise<ProofOfWork | null> {
  let challenge: Challenge;
  try {
    challenge = await getJson<Challenge>("/api/pow");
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) {
      return null;
    }
    throw error;
  }
  return { challenge: challenge.challenge, nonce: await solve(challenge.challenge, challenge.difficulty) };
}
