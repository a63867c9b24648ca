import { WebhookVerificationError } from "../shared/errors.js";
import { nodeBuiltin } from "../shared/node-builtin.js";

/**
 * The two HMAC-SHA256 back ends. node:crypto is an order of magnitude faster than Web
 * Crypto inside Node, so it is used wherever it exists; Web Crypto serves Edge, Workers,
 * Deno and Bun builds without Node built-ins.
 */
export interface MacEngine {
  readonly kind: "node" | "web";
  /**
   * The index of the first configured key whose MAC over prefix+body equals any given
   * signature, or -1. Every key and every signature is compared whatever matched, so the
   * time taken says nothing about which key (or whether one) matched.
   */
  matchingKey(prefix: string, body: Uint8Array | string, signatures: readonly Uint8Array[]): number | Promise<number>;
  /** Strict UTF-8 decode (no replacement characters, BOM kept), or undefined. */
  decodeUtf8(bytes: Uint8Array): string | undefined;
  /** True when the bytes are valid UTF-8; decodes nothing where the runtime can tell without. */
  isUtf8(bytes: Uint8Array): boolean;
}

type NodeCrypto = typeof import("node:crypto");
type NodeBuffer = typeof import("node:buffer");
type KeyObject = import("node:crypto").KeyObject;

function nodeEngine(keys: readonly Uint8Array[], crypto: NodeCrypto, buffer: NodeBuffer): MacEngine {
  const prepared = keys.map((key) => crypto.createSecretKey(key));
  const { Buffer, isUtf8 } = buffer;
  return {
    kind: "node",
    matchingKey(prefix, body, signatures) {
      let found = -1;
      for (let index = 0; index < prepared.length; index++) {
        const mac = crypto
          .createHmac("sha256", prepared[index] as KeyObject)
          .update(prefix)
          .update(body)
          .digest();
        for (const signature of signatures) {
          // Both sides are 32 bytes by construction; no early exit on a match.
          if (crypto.timingSafeEqual(mac, signature) && found < 0) found = index;
        }
      }
      return found;
    },
    decodeUtf8(bytes) {
      if (!isUtf8(bytes)) return undefined;
      // A Buffer (what the Node adapters pass) is decoded as is, without building a view;
      // toString() without arguments is Node's direct UTF-8 path.
      const view = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      return view.toString();
    },
    isUtf8,
  };
}

function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  // Stryker disable next-line ConditionalExpression,BooleanLiteral: both are 32 bytes (an HMAC-SHA256, and parseSignatures keeps only 32-byte entries); the guard is defence in depth
  if (a.length !== b.length) return false;
  let diff = 0;
  // Stryker disable next-line EqualityOperator: one step past the end XORs undefined with undefined, which is 0
  for (let i = 0; i < a.length; i++) diff |= (a[i] as number) ^ (b[i] as number);
  return diff === 0;
}

function decodeStrict(decoder: TextDecoder, bytes: Uint8Array): string | undefined {
  try {
    return decoder.decode(bytes);
  } catch /* Stryker disable next-line BlockStatement: an empty catch falls off the end, which returns undefined too */ {
    return undefined;
  }
}

function webEngine(keys: readonly Uint8Array[]): MacEngine {
  const subtle = globalThis.crypto?.subtle;
  if (subtle === undefined) {
    throw new WebhookVerificationError(
      "invalid_config",
      "Neither node:crypto nor Web Crypto (crypto.subtle) is available in this runtime.",
    );
  }
  let prepared: Promise<CryptoKey[]> | undefined;
  const encoder = new TextEncoder();
  const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
  const importKeys = () =>
    Promise.all(
      keys.map((key) =>
        // Stryker disable next-line BooleanLiteral: extractable only matters to code holding the CryptoKey, and it never leaves this engine
        subtle.importKey("raw", key as Uint8Array<ArrayBuffer>, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]),
      ),
    );
  return {
    kind: "web",
    async matchingKey(prefix, body, signatures) {
      prepared ??= importKeys();
      const cryptoKeys = await prepared;
      const head = encoder.encode(prefix);
      const tail = typeof body === "string" ? encoder.encode(body) : body;
      const data = new Uint8Array(head.length + tail.length);
      data.set(head);
      data.set(tail, head.length);
      let found = -1;
      for (let index = 0; index < cryptoKeys.length; index++) {
        const mac = new Uint8Array(await subtle.sign("HMAC", cryptoKeys[index] as CryptoKey, data));
        for (const signature of signatures) if (constantTimeEqual(mac, signature) && found < 0) found = index;
      }
      return found;
    },
    decodeUtf8: (bytes) => decodeStrict(decoder, bytes),
    isUtf8: (bytes) => decodeStrict(decoder, bytes) !== undefined,
  };
}

/** Picks node:crypto when the runtime has it, Web Crypto otherwise. */
export function createMacEngine(keys: readonly Uint8Array[]): MacEngine {
  const crypto = nodeBuiltin<NodeCrypto>("node:crypto");
  const buffer = nodeBuiltin<NodeBuffer>("node:buffer");
  if (crypto?.createHmac && buffer?.isUtf8) return nodeEngine(keys, crypto, buffer);
  return webEngine(keys);
}
