// Intake protocol v1 in the browser (docs/crypto.md), on WebCrypto and @hpke/core.
export * from "./bytes";
export * from "./envelope";
export * from "./hpke";
export * from "./keys";
export * from "./keywrap";
export * from "./labels";
export * from "./note";
export * from "./padme";
export * from "./receipt";
export * from "./stream";
export * from "./streamHeader";
