// fetch wrappers for the survivor API (docs/intake-api.md). Requests never carry a referrer, cookies or a cache entry:
// a shared device should keep as little as possible.

/** The server answered with an error status. */
export class ApiError extends Error {
  readonly status: number;

  constructor(status: number, message?: string) {
    super(message ?? `HTTP ${status}`);
    this.name = "ApiError";
    this.status = status;
  }
}

/** The request did not get an answer (offline, dropped connection). */
export class NetworkError extends Error {
  constructor() {
    super("network");
    this.name = "NetworkError";
  }
}

const common: RequestInit = { credentials: "same-origin", cache: "no-store", referrerPolicy: "no-referrer", redirect: "error" };

export async function request(path: string, init: RequestInit = {}): Promise<Response> {
  try {
    return await fetch(path, { ...common, ...init });
  } catch {
    throw new NetworkError();
  }
}

export async function getJson<T>(path: string): Promise<T> {
  const response = await request(path, { headers: { Accept: "application/json" } });
  if (!response.ok) {
    throw new ApiError(response.status);
  }
  return (await response.json()) as T;
}

/** POSTs a JSON text (already serialised, so embedded JSON such as the envelope stays byte for byte). */
export async function postJson(path: string, json: string): Promise<Response> {
  return request(path, { method: "POST", headers: { "Content-Type": "application/json", Accept: "application/json" }, body: json });
}

export async function postJsonFor<T>(path: string, json: string): Promise<T> {
  const response = await postJson(path, json);
  if (!response.ok) {
    throw new ApiError(response.status);
  }
  return (await response.json()) as T;
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
