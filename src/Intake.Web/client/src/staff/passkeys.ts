// Passkeys (WebAuthn): adding one on /staff/passkeys, and signing in or re-authenticating with one.
// The server makes the options and checks the answers (ASP.NET Core Identity); this only carries
// them between the server and navigator.credentials, converting base64url to bytes and back.
import { find, say, setBusy } from "../survivor/dom";
import { postJson } from "../survivor/http";
import { t } from "../survivor/text";

export function initPasskeys(): void {
  const supported = typeof window.PublicKeyCredential === "function" && navigator.credentials !== undefined;
  const add = document.querySelector<HTMLFormElement>("[data-passkey-add-form]");
  if (add !== null && supported) {
    add.hidden = false;
    add.addEventListener("submit", (event) => {
      event.preventDefault();
      void addPasskey(add);
    });
  }
  for (const button of Array.from(document.querySelectorAll<HTMLButtonElement>("[data-passkey-sign-in]"))) {
    if (!supported) {
      continue;
    }
    const container = button.closest<HTMLElement>("[data-passkey-block]");
    if (container !== null) {
      container.hidden = false;
    }
    button.addEventListener("click", () => void usePasskey(button));
  }
}

async function addPasskey(form: HTMLFormElement): Promise<void> {
  const status = find("[data-passkey-status]", form);
  const name = find<HTMLInputElement>("[name=name]", form).value.trim();
  if (name === "") {
    say(status, t("Js_Passkey_NeedName"));
    return;
  }
  setBusy(form, true);
  say(status, t("Js_Passkey_Working"));
  try {
    const optionsResponse = await postJson("/api/staff/passkeys/creation-options", "{}");
    if (optionsResponse.status === 401 || optionsResponse.status === 403) {
      location.assign(`/staff/reauth?returnUrl=${encodeURIComponent(location.pathname + location.search)}`);
      return;
    }
    if (!optionsResponse.ok) {
      say(status, t("Js_Passkey_Failed"));
      return;
    }
    const options = creationOptions(await optionsResponse.json());
    const credential = (await navigator.credentials.create({ publicKey: options })) as PublicKeyCredential | null;
    if (credential === null) {
      say(status, t("Js_Passkey_Cancelled"));
      return;
    }
    const response = await postJson("/api/staff/passkeys", JSON.stringify({ name, credential: credentialJson(credential) }));
    if (!response.ok) {
      const problem = (await response.json().catch(() => ({}))) as { detail?: string };
      say(status, problem.detail ?? t("Js_Passkey_Failed"));
      return;
    }
    say(status, t("Js_Passkey_Added"));
    location.reload();
  } catch (error) {
    say(status, error instanceof DOMException && error.name === "NotAllowedError" ? t("Js_Passkey_Cancelled") : t("Js_Passkey_Failed"));
  } finally {
    setBusy(form, false);
  }
}

/** Signs in (data-passkey-sign-in="sign-in") or re-authenticates ("reauth") with a passkey, then follows the server's answer. */
async function usePasskey(button: HTMLButtonElement): Promise<void> {
  const block = button.closest<HTMLElement>("[data-passkey-block]") ?? document.body;
  const status = find("[data-passkey-status]", block);
  const base = button.dataset.passkeySignIn === "reauth" ? "/api/staff/reauth/passkey" : "/api/staff/sign-in/passkey";
  const returnUrl = new URLSearchParams(location.search).get("returnUrl") ?? "";
  button.disabled = true;
  say(status, t("Js_Passkey_Working"));
  try {
    const optionsResponse = await postJson(`${base}/options`, "{}");
    if (!optionsResponse.ok) {
      say(status, t("Js_Passkey_Failed"));
      return;
    }
    const options = requestOptions(await optionsResponse.json());
    const credential = (await navigator.credentials.get({ publicKey: options })) as PublicKeyCredential | null;
    if (credential === null) {
      say(status, t("Js_Passkey_Cancelled"));
      return;
    }
    const query = returnUrl === "" ? "" : `?returnUrl=${encodeURIComponent(returnUrl)}`;
    const response = await postJson(`${base}${query}`, JSON.stringify({ credential: credentialJson(credential) }));
    if (!response.ok) {
      const problem = (await response.json().catch(() => ({}))) as { detail?: string };
      say(status, problem.detail ?? t("Js_Passkey_Failed"));
      return;
    }
    const next = (await response.json()) as { location: string };
    location.assign(next.location);
  } catch (error) {
    say(status, error instanceof DOMException && error.name === "NotAllowedError" ? t("Js_Passkey_Cancelled") : t("Js_Passkey_Failed"));
  } finally {
    button.disabled = false;
  }
}

type Json = Record<string, unknown>;

function creationOptions(json: Json): PublicKeyCredentialCreationOptions {
  const user = json.user as Json;
  return {
    ...(json as object),
    challenge: fromBase64Url(json.challenge as string),
    user: { ...(user as object), id: fromBase64Url(user.id as string) } as unknown as PublicKeyCredentialUserEntity,
    excludeCredentials: ((json.excludeCredentials as Json[] | undefined) ?? []).map(descriptor),
  } as unknown as PublicKeyCredentialCreationOptions;
}

function requestOptions(json: Json): PublicKeyCredentialRequestOptions {
  return {
    ...(json as object),
    challenge: fromBase64Url(json.challenge as string),
    allowCredentials: ((json.allowCredentials as Json[] | undefined) ?? []).map(descriptor),
  } as unknown as PublicKeyCredentialRequestOptions;
}

function descriptor(json: Json): PublicKeyCredentialDescriptor {
  return { ...(json as object), id: fromBase64Url(json.id as string) } as unknown as PublicKeyCredentialDescriptor;
}

/** The credential in the WebAuthn JSON form (RegistrationResponseJSON / AuthenticationResponseJSON) Identity parses. */
function credentialJson(credential: PublicKeyCredential): Json {
  const response = credential.response as AuthenticatorAttestationResponse & AuthenticatorAssertionResponse;
  const body: Json = { clientDataJSON: toBase64Url(response.clientDataJSON) };
  if ("attestationObject" in response && response.attestationObject !== undefined) {
    body.attestationObject = toBase64Url(response.attestationObject);
    body.transports = typeof response.getTransports === "function" ? response.getTransports() : [];
  } else {
    body.authenticatorData = toBase64Url(response.authenticatorData);
    body.signature = toBase64Url(response.signature);
    if (response.userHandle !== null) {
      body.userHandle = toBase64Url(response.userHandle);
    }
  }
  return {
    id: credential.id,
    rawId: toBase64Url(credential.rawId),
    type: credential.type,
    authenticatorAttachment: credential.authenticatorAttachment ?? undefined,
    clientExtensionResults: credential.getClientExtensionResults(),
    response: body,
  };
}

function fromBase64Url(text: string): Uint8Array<ArrayBuffer> {
  const base64 = text.replace(/-/g, "+").replace(/_/g, "/").padEnd(Math.ceil(text.length / 4) * 4, "=");
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) {
    bytes[i] = binary.charCodeAt(i);
  }
  return bytes;
}

function toBase64Url(buffer: ArrayBuffer): string {
  let binary = "";
  for (const byte of new Uint8Array(buffer)) {
    binary += String.fromCharCode(byte);
  }
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}
