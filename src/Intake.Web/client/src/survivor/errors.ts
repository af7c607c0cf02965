// One calm sentence for each way a request can fail.
import { IntakeCryptoError } from "../crypto";
import { ApiError, NetworkError } from "./http";
import { t } from "./text";

export function describeError(error: unknown): string {
  if (error instanceof NetworkError) {
    return t("Js_ErrorNetwork");
  }
  if (error instanceof ApiError) {
    if (error.status === 429) {
      return t("Js_ErrorBusy");
    }
    if (error.status === 413) {
      return t("Js_ErrorTooBig");
    }
    if (error.status === 404) {
      return t("Js_ErrorChannelGone");
    }
    return t("Js_ErrorServer");
  }
  if (error instanceof IntakeCryptoError || (error instanceof DOMException && error.name === "NotSupportedError")) {
    return t("Js_ErrorCrypto");
  }
  return t("Js_ErrorServer");
}
