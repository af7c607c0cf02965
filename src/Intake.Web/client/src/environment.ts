// WebCrypto exists only in a secure context (HTTPS, an onion address in Tor Browser, or
// 127.0.0.1/localhost). Every page that encrypts checks this first and says plainly when it
// cannot work, instead of failing later in the middle of a submission.

export interface CryptoEnvironment {
  secureContext: boolean;
  webCrypto: boolean;
}

export function inspectEnvironment(): CryptoEnvironment {
  const secureContext = globalThis.isSecureContext === true;
  const webCrypto = typeof globalThis.crypto?.subtle?.generateKey === "function";
  return { secureContext, webCrypto };
}

// Proves the platform can do what Intake needs: a P-256 ECDH key pair and AES-GCM.
export async function selfTest(): Promise<boolean> {
  const { secureContext, webCrypto } = inspectEnvironment();
  if (!secureContext || !webCrypto) {
    return false;
  }
  const pair = await crypto.subtle.generateKey({ name: "ECDH", namedCurve: "P-256" }, false, ["deriveBits"]);
  const bits = await crypto.subtle.deriveBits({ name: "ECDH", public: pair.publicKey }, pair.privateKey, 256);
  const key = await crypto.subtle.importKey("raw", bits, "AES-GCM", false, ["encrypt", "decrypt"]);
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const probe = new TextEncoder().encode("intake");
  const sealed = await crypto.subtle.encrypt({ name: "AES-GCM", iv }, key, probe);
  const opened = new Uint8Array(await crypto.subtle.decrypt({ name: "AES-GCM", iv }, key, sealed));
  return opened.length === probe.length && opened.every((b, i) => b === probe[i]);
}
