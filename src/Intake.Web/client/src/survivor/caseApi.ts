// The case endpoints a survivor reaches with her receipt (docs/intake-api.md, "Coming back with a receipt").
// The lookup id travels only in POST bodies, never in a URL.
import { saveBlob, suggestedName } from "./download";
import { ApiError, postJson, postJsonFor } from "./http";

export type CaseStatus = "new" | "in_review" | "waiting_for_survivor" | "referred" | "closed" | "withdrawn";

export interface CaseView {
  status: CaseStatus;
  openedOn: string;
  channel: string;
  vault: string;
  submission: { entry: number; record: unknown; headerHash?: string };
  followUps: { entry: number; stream: unknown }[];
  replies: unknown[];
}

/** Null when there is no such case (wrong code, withdrawn or purged). */
export async function lookupCase(lookupId: string): Promise<CaseView | null> {
  try {
    return await postJsonFor<CaseView>("/api/cases/lookup", JSON.stringify({ lookupId }));
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) {
      return null;
    }
    throw error;
  }
}

export async function addFollowUp(lookupId: string, upload: string): Promise<{ entry: number; day: string }> {
  return postJsonFor("/api/cases/follow-ups", JSON.stringify({ lookupId, upload }));
}

export async function withdrawCase(lookupId: string): Promise<void> {
  await postJsonFor("/api/cases/withdraw", JSON.stringify({ lookupId, confirm: true }));
}

/** Fetches the proof-of-submission bundle and saves it as a file. */
export async function downloadProof(lookupId: string, day: string): Promise<void> {
  const response = await postJson("/api/cases/proof", JSON.stringify({ lookupId }));
  if (!response.ok) {
    throw new ApiError(response.status);
  }
  saveBlob(await response.blob(), suggestedName(response, `intake-proof-${day || "submission"}.json`));
}
