// Every domain-separation label of protocol v1 (docs/crypto.md §1.1): ASCII, no length prefix, no terminator.
import { ascii, concat } from "./bytes";

export const PROTOCOL_VERSION = 1;
export const ENVELOPE_HEADER_MAGIC = ascii("intake/envelope");
export const CONTENT_KEY_INFO = ascii("intake/v1/content-key");
export const STREAM_KEY_INFO = ascii("intake/v1/stream-key");
export const STREAM_MAGIC = ascii("INTK");
export const RECEIPT_SALT = ascii("intake/v1/receipt");
export const RECEIPT_LOOKUP_ID_INFO = ascii("intake/v1/receipt/lookup-id");
export const RECEIPT_VAULT_KEY_INFO = ascii("intake/v1/receipt/vault-key");
export const RECEIPT_VAULT_AAD = ascii("intake/v1/receipt/vault");
export const ADVOCATE_KEY_AAD_PREFIX = ascii("intake/v1/advocate-key");
export const NOTE_SIGNATURE_TYPE = concat(new Uint8Array([0xff]), ascii("intake/v1/ecdsa-p256-sha256-p1363"));
