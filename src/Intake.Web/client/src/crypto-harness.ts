// Test harness: puts the protocol functions on window.intakeCrypto so the Playwright tests in
// tests/Intake.Web.Tests/Crypto can drive them. Bytes cross the page boundary as standard base64 strings.
// Built to src/Intake.Web/obj/client-harness/ (never wwwroot): no product page loads it and the server does not serve
// it; the tests hand it to the browser themselves.
import * as ic from "./crypto/index";

type B64 = string;

const bytes = (text: B64): Uint8Array<ArrayBuffer> => {
  const decoded = ic.b64Decode(text);
  if (decoded === null) {
    throw new Error("The harness takes canonical standard base64.");
  }
  return decoded;
};
const b64 = (data: Uint8Array): B64 => ic.b64Encode(data);

type Outcome<T> = ({ ok: true } & T) | { ok: false; code: string };

async function attempt<T extends object>(action: () => Promise<T>): Promise<Outcome<T>> {
  try {
    return { ok: true, ...(await action()) };
  } catch (error) {
    if (error instanceof ic.IntakeCryptoError) {
      return { ok: false, code: error.code };
    }
    return { ok: false, code: `unexpected: ${String(error)}` };
  }
}

// A Blob whose slice() calls are recorded, to show that sealing reads the content one chunk at a time.
function recordingBlob(content: Uint8Array<ArrayBuffer>, reads: number[]): Blob {
  const blob = new Blob([content]);
  const slice = blob.slice.bind(blob);
  blob.slice = (start?: number, end?: number, type?: string): Blob => {
    const part = slice(start, end, type);
    reads.push(part.size);
    return part;
  };
  return blob;
}

async function sealToParts(contentKey: Uint8Array<ArrayBuffer>, headerHash: Uint8Array<ArrayBuffer>, header: ic.StreamHeader, content: B64) {
  const reads: number[] = [];
  const pieces: number[] = [];
  const parts: Uint8Array[] = [];
  for await (const part of ic.sealStream(contentKey, headerHash, header, recordingBlob(bytes(content), reads))) {
    pieces.push(part.length);
    parts.push(part);
  }
  return { stream: b64(ic.concat(...parts)), pieces, reads };
}

// Feeds the opener in pieces of `pieceSize` bytes, to exercise reads that straddle chunk boundaries.
async function* inPieces(data: Uint8Array, pieceSize: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < data.length; i += pieceSize) {
    yield data.subarray(i, i + pieceSize);
  }
}

async function openToBytes(contentKey: Uint8Array<ArrayBuffer>, headerHash: Uint8Array<ArrayBuffer>, expected: ic.StreamHeader | null, stream: B64, pieceSize: number) {
  const data = bytes(stream);
  const source = pieceSize > 0 ? inPieces(data, pieceSize) : new Blob([data]);
  const blob = await ic.openStreamToBlob(contentKey, headerHash, expected, source);
  return b64(new Uint8Array(await blob.arrayBuffer()));
}

interface CaseInput {
  kind: ic.EnvelopeKind;
  channel: string;
  parent: B64 | null;
  /** Absent for a new submission: the browser makes the survivor's reply key pair. */
  replyPublicKey: B64 | null;
  recipientPublicKeys: B64[];
  /** Body first, then attachments. */
  contents: B64[];
}

interface RfcVector {
  info: B64;
  ikmE: B64;
  ikmR: B64;
  encryptions: { sequence: number; plaintext: B64; aad: B64; ciphertext: B64 }[];
  exports: { context: B64; length: number }[];
}

const api = {
  padme: (framedLength: number): number => ic.padme(framedLength),
  isValidPaddedLength: (paddedLength: number): boolean => ic.isValidPaddedLength(paddedLength),
  streamLayout: (contentLength: number) => {
    const header = ic.createStreamHeader(ic.StreamPurpose.body, contentLength);
    return {
      paddedLength: header.paddedLength,
      chunkCount: ic.chunkCount(header.paddedLength),
      ciphertextLength: ic.ciphertextLength(header.paddedLength),
    };
  },
  deriveStreamKey: async (contentKey: B64, streamId: B64): Promise<B64> => b64(await ic.deriveStreamKeyBytes(bytes(contentKey), bytes(streamId))),
  chunkNonce: (index: number, final: boolean): B64 => b64(ic.chunkNonce(index, final)),
  createStreamHeader: (purpose: number, contentLength: number, streamId: B64): B64 => {
    if (!ic.isStreamPurpose(purpose)) {
      throw new Error("purpose");
    }
    return b64(ic.encodeStreamHeader(ic.createStreamHeader(purpose, contentLength, bytes(streamId))));
  },
  sealStream: (contentKey: B64, headerHash: B64, streamHeader: B64, content: B64) =>
    attempt(async () => {
      const header = ic.decodeStreamHeader(bytes(streamHeader));
      if (header === null) {
        throw new ic.IntakeCryptoError("invalid-header");
      }
      return sealToParts(bytes(contentKey), bytes(headerHash), header, content);
    }),
  // Benchmark only (tests/Intake.Benchmarks `-- browser`): seals a Blob with a fresh key the way an upload does, each
  // sealed piece handed to a consumer that drops it. Times sealStream alone (stream-key HKDF included), not the set-up.
  sealDiscarding: async (content: Blob) => {
    const header = ic.createStreamHeader(ic.StreamPurpose.body, content.size);
    const contentKey = ic.generateContentKey();
    const headerHash = crypto.getRandomValues(new Uint8Array(32));
    let sealedBytes = 0;
    const started = performance.now();
    for await (const part of ic.sealStream(contentKey, headerHash, header, content)) {
      sealedBytes += part.length;
    }
    return { ms: performance.now() - started, sealedBytes };
  },
  openStream: (contentKey: B64, headerHash: B64, expectedHeader: B64 | null, stream: B64, pieceSize: number) =>
    attempt(async () => ({
      content: await openToBytes(bytes(contentKey), bytes(headerHash), expectedHeader === null ? null : ic.decodeStreamHeader(bytes(expectedHeader)), stream, pieceSize),
    })),

  keyId: async (publicKey: B64): Promise<B64> => b64(await ic.keyId(bytes(publicKey))),
  fingerprint: (publicKey: B64): Promise<string> => ic.fingerprint(bytes(publicKey)),
  publicKeyFromPrivate: async (privateKey: B64): Promise<B64> => b64(await ic.publicKeyFromPrivate(bytes(privateKey))),

  sealEnvelope: async (input: {
    kind: ic.EnvelopeKind;
    channel: string;
    parent: B64 | null;
    replyPublicKey: B64;
    recipientPublicKeys: B64[];
    streams: B64[];
    contentKey: B64;
    ephemeralPrivateKeys: B64[];
  }) => {
    const sealed = await ic.sealEnvelope({
      kind: input.kind,
      channel: input.channel,
      parent: input.parent === null ? null : bytes(input.parent),
      replyPublicKey: bytes(input.replyPublicKey),
      recipientPublicKeys: input.recipientPublicKeys.map(bytes),
      streams: input.streams.map((s) => {
        const header = ic.decodeStreamHeader(bytes(s));
        if (header === null) {
          throw new ic.IntakeCryptoError("invalid-header");
        }
        return header;
      }),
      contentKey: bytes(input.contentKey),
      ephemeralPrivateKeys: input.ephemeralPrivateKeys.map(bytes),
    });
    return { headerBytes: b64(sealed.headerBytes), headerHash: b64(sealed.headerHash), json: sealed.json };
  },
  openEnvelope: (json: string, privateKey: B64) =>
    attempt(async () => {
      const envelope = ic.parseEnvelope(json);
      const contentKey = await ic.openEnvelope(envelope, bytes(privateKey));
      return { contentKey: b64(contentKey), headerHash: b64(await ic.envelopeHeaderHash(envelope.header)) };
    }),

  // What a survivor's (or an advocate's) page does: plan a stream per content, seal the envelope, seal each stream.
  sealCase: (input: CaseInput) =>
    attempt(async () => {
      const reply = input.replyPublicKey === null ? await ic.generateP256KeyPair() : null;
      const replyPublicKey = reply?.publicKey ?? bytes(input.replyPublicKey ?? "");
      const contentKey = ic.generateContentKey();
      const headers = input.contents.map((c, i) =>
        ic.createStreamHeader(i === 0 ? ic.StreamPurpose.body : ic.StreamPurpose.attachment, bytes(c).length),
      );
      const sealed = await ic.sealEnvelope({
        kind: input.kind,
        channel: input.channel,
        parent: input.parent === null ? null : bytes(input.parent),
        replyPublicKey,
        recipientPublicKeys: input.recipientPublicKeys.map(bytes),
        streams: headers,
        contentKey,
      });
      const streams = [];
      for (let i = 0; i < headers.length; i++) {
        streams.push(await sealToParts(contentKey, sealed.headerHash, headers[i] as ic.StreamHeader, input.contents[i] as B64));
      }
      return {
        json: sealed.json,
        headerHash: b64(sealed.headerHash),
        contentKey: b64(contentKey),
        replyPrivateKey: reply === null ? null : b64(reply.privateKey),
        replyPublicKey: b64(replyPublicKey),
        streams,
      };
    }),
  // What an advocate's page does: open the envelope with her key, then every listed stream against its listed header.
  openCase: (json: string, privateKey: B64, streams: B64[]) =>
    attempt(async () => {
      const envelope = ic.parseEnvelope(json);
      const contentKey = await ic.openEnvelope(envelope, bytes(privateKey));
      const headerHash = await ic.envelopeHeaderHash(envelope.header);
      if (streams.length !== envelope.header.streams.length) {
        throw new ic.IntakeCryptoError("stream-count");
      }
      const contents: B64[] = [];
      for (let i = 0; i < streams.length; i++) {
        contents.push(await openToBytes(contentKey, headerHash, envelope.header.streams[i] as ic.StreamHeader, streams[i] as B64, 10_007));
      }
      return { contents };
    }),

  hpkeRfcVector: async (v: RfcVector) => {
    const suite = ic.hpkeSuite;
    const ephemeral = await suite.kem.deriveKeyPair(bytes(v.ikmE));
    const recipient = await suite.kem.deriveKeyPair(bytes(v.ikmR));
    const sender = await suite.createSenderContext({ recipientPublicKey: recipient.publicKey, info: bytes(v.info), ekm: ephemeral });
    const receiver = await suite.createRecipientContext({ recipientKey: recipient, enc: sender.enc, info: bytes(v.info) });
    const last = Math.max(...v.encryptions.map((e) => e.sequence));
    const ciphertexts: B64[] = [];
    const opened: B64[] = [];
    for (let sequence = 0; sequence <= last; sequence++) {
      const listed = v.encryptions.find((e) => e.sequence === sequence);
      const plaintext = listed === undefined ? new Uint8Array(1) : bytes(listed.plaintext);
      const aad = listed === undefined ? new Uint8Array(0) : bytes(listed.aad);
      const sealed = new Uint8Array(await sender.seal(plaintext, aad));
      // The receiver opens the published ciphertext where there is one, so both directions are checked.
      const toOpen = listed === undefined ? sealed : bytes(listed.ciphertext);
      const plain = new Uint8Array(await receiver.open(toOpen, aad));
      if (listed !== undefined) {
        ciphertexts.push(b64(sealed));
        opened.push(b64(plain));
      }
    }
    const exports: B64[] = [];
    for (const e of v.exports) {
      exports.push(b64(new Uint8Array(await sender.export(bytes(e.context), e.length))));
    }
    return {
      pkEm: b64(new Uint8Array(await suite.kem.serializePublicKey(ephemeral.publicKey))),
      skEm: b64(new Uint8Array(await suite.kem.serializePrivateKey(ephemeral.privateKey))),
      pkRm: b64(new Uint8Array(await suite.kem.serializePublicKey(recipient.publicKey))),
      skRm: b64(new Uint8Array(await suite.kem.serializePrivateKey(recipient.privateKey))),
      enc: b64(new Uint8Array(sender.enc)),
      ciphertexts,
      opened,
      exports,
    };
  },

  formatReceipt: (secret: B64): string => ic.formatReceipt(bytes(secret)),
  parseReceipt: (text: string) => {
    const parsed = ic.parseReceipt(text);
    return parsed.ok ? { ok: true, secret: b64(parsed.secret), error: null } : { ok: false, secret: null, error: parsed.error };
  },
  deriveReceipt: async (secret: B64) => {
    const derived = await ic.deriveReceiptSecrets(bytes(secret));
    return { lookupId: b64(derived.lookupId), lookupIdB64u: ic.b64uEncode(derived.lookupId), vaultKey: b64(derived.vaultKey) };
  },
  sealVault: async (vaultKey: B64, replyPrivateKey: B64, contentKey: B64, nonce: B64 | null): Promise<B64> =>
    b64(await ic.sealReceiptVault(bytes(vaultKey), bytes(replyPrivateKey), bytes(contentKey), nonce === null ? undefined : bytes(nonce))),
  openVault: (vaultKey: B64, vault: B64) =>
    attempt(async () => {
      const opened = await ic.openReceiptVault(bytes(vaultKey), bytes(vault));
      return { replyPrivateKey: b64(opened.replyPrivateKey), contentKey: b64(opened.contentKey) };
    }),
  // At submission: a new receipt, its lookup id, and the vault with the reply key and content key.
  newReceipt: async (replyPrivateKey: B64, contentKey: B64) => {
    const secret = ic.generateReceiptSecret();
    const derived = await ic.deriveReceiptSecrets(secret);
    const vault = await ic.sealReceiptVault(derived.vaultKey, bytes(replyPrivateKey), bytes(contentKey));
    return { text: ic.formatReceipt(secret), lookupIdB64u: ic.b64uEncode(derived.lookupId), vaultB64u: ic.b64uEncode(vault) };
  },
  // Later, from the typed receipt: the lookup id to send, and the vault's contents.
  openReceipt: (text: string, vaultB64u: string) =>
    attempt(async () => {
      const parsed = ic.parseReceipt(text);
      if (!parsed.ok) {
        throw new ic.IntakeCryptoError(parsed.error);
      }
      const derived = await ic.deriveReceiptSecrets(parsed.secret);
      const vault = ic.b64uDecode(vaultB64u, ic.VAULT_LENGTH);
      if (vault === null) {
        throw new ic.IntakeCryptoError("vault");
      }
      const opened = await ic.openReceiptVault(derived.vaultKey, vault);
      return { lookupIdB64u: ic.b64uEncode(derived.lookupId), replyPrivateKey: b64(opened.replyPrivateKey), contentKey: b64(opened.contentKey) };
    }),

  generateAdvocateKey: async () => {
    const pair = await ic.generateAdvocateKey();
    return { privateKey: b64(pair.privateKey), publicKey: b64(pair.publicKey) };
  },
  deriveKek: async (passphrase: string, salt: B64, iterations: number): Promise<B64> => b64(await ic.deriveKek(passphrase, bytes(salt), iterations)),
  wrapAdvocateKey: (privateKey: B64, passphrase: string, iterations: number, salt: B64 | null, nonce: B64 | null) =>
    attempt(async () => {
      const record = await ic.wrapAdvocateKey(
        bytes(privateKey),
        passphrase,
        iterations,
        salt === null ? undefined : bytes(salt),
        nonce === null ? undefined : bytes(nonce),
      );
      return { record: ic.wrappedAdvocateKeyToJson(record) };
    }),
  unwrapAdvocateKey: (recordJson: string, passphrase: string) =>
    attempt(async () => ({ privateKey: b64(await ic.unwrapAdvocateKey(ic.parseWrappedAdvocateKey(recordJson), passphrase)) })),

  verifyNote: (note: string, keys: { name: string; publicKey: B64 }[]) =>
    attempt(async () => ic.verifyNote(note, keys.map((k) => ({ name: k.name, publicKey: bytes(k.publicKey) })))),
  noteKeyId: (name: string, publicKey: B64): Promise<number> => ic.noteKeyId(name, bytes(publicKey)),
};

declare global {
  interface Window {
    intakeCrypto: typeof api;
  }
}

window.intakeCrypto = api;
document.documentElement.dataset.harness = "ready";
