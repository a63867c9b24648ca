// A genuinely signed delivery whose svix-id is megabytes long (possible where no HTTP header
// limit applies: the Fetch handler on Bun or Deno, Node with --max-http-header-size). The
// stores keep a bounded key for it, the handler sees the id as sent, and exactly-once holds.
import { createHash } from "node:crypto";
import { afterEach, describe, expect, it, vi } from "vitest";
import { newSecret, signedFetchRequest } from "../../../test/support/independent-signer.js";
import { DEDUPE_KEY_MAX_BYTES, DIGEST_KEY_PREFIX, dedupeKey } from "../src/adapter.js";
import {
  createWebhookHandler,
  type DedupeStore,
  memoryStore,
  type VerifiedWebhook,
  WebhookVerificationError,
} from "../src/index.js";
import { upsertSuccessEvent } from "../src/testing.js";

const secret = newSecret();
const MiB = 1024 * 1024;

const signedRequest = (id: string): Request => signedFetchRequest(secret, JSON.stringify(upsertSuccessEvent()), id);

/** A store that hands every call to `inner` and keeps the keys it was given. */
function recording(inner: DedupeStore): DedupeStore & { keys: string[] } {
  const keys: string[] = [];
  const seen = (key: string) => {
    keys.push(key);
    return key;
  };
  return {
    keys,
    claim: (key) => inner.claim(seen(key)),
    complete: (key, token) => inner.complete(seen(key), token),
    release: (key, token) => inner.release(seen(key), token),
  };
}

const sha256 = (text: string) => createHash("sha256").update(text, "utf8").digest("hex");

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllGlobals();
});

describe("dedupeKey", () => {
  it("keeps real ids, and any id up to 256 UTF-8 bytes, as they are", () => {
    expect(dedupeKey("msg_2bVxUmNs7jE4c1QAdYWfHkPt")).toBe("msg_2bVxUmNs7jE4c1QAdYWfHkPt");
    const ascii = "a".repeat(DEDUPE_KEY_MAX_BYTES);
    expect(dedupeKey(ascii)).toBe(ascii);
    const wide = "é".repeat(DEDUPE_KEY_MAX_BYTES / 2); // 2 bytes each: exactly 256
    expect(dedupeKey(wide)).toBe(wide);
    const astral = "😀".repeat(DEDUPE_KEY_MAX_BYTES / 4); // 4 bytes (2 UTF-16 units) each
    expect(dedupeKey(astral)).toBe(astral);
  });

  it("replaces a longer id by ~sha256- and the hex digest of its UTF-8 bytes", () => {
    for (const id of ["a".repeat(257), "é".repeat(129), "€".repeat(86), "x".repeat(MiB)]) {
      expect(dedupeKey(id)).toBe(`${DIGEST_KEY_PREFIX}${sha256(id)}`);
    }
  });

  it("digests every id starting with ~, so no id kept as it is equals another id's digest key", () => {
    const long = "y".repeat(1000);
    const lookalike = dedupeKey(long) as string;
    expect(lookalike.length).toBeLessThanOrEqual(DEDUPE_KEY_MAX_BYTES);
    // Were short ids kept whatever they start with, this id would take the long one's key.
    expect(dedupeKey(lookalike)).not.toBe(lookalike);
    expect(dedupeKey(lookalike)).toBe(`${DIGEST_KEY_PREFIX}${sha256(lookalike)}`);
    expect(dedupeKey("~")).toBe(`${DIGEST_KEY_PREFIX}${sha256("~")}`);
  });

  it("gives the same key through Web Crypto (asynchronously) where node:crypto is missing", async () => {
    const id = "z".repeat(300);
    vi.spyOn(process, "getBuiltinModule").mockReturnValue(undefined as never);
    const key = dedupeKey(id);
    expect(key).toBeInstanceOf(Promise);
    expect(await key).toBe(`${DIGEST_KEY_PREFIX}${sha256(id)}`);
    expect(dedupeKey("msg_short")).toBe("msg_short");
  });

  it("fails with invalid_config naming both digests where neither node:crypto nor Web Crypto exists", async () => {
    vi.spyOn(process, "getBuiltinModule").mockReturnValue(undefined as never);
    vi.stubGlobal("crypto", undefined);
    const error = await Promise.resolve(dedupeKey("z".repeat(300))).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WebhookVerificationError);
    expect(error).toMatchObject({ code: "invalid_config" });
    expect((error as Error).message).toContain("node:crypto");
    expect((error as Error).message).toContain("Web Crypto (crypto.subtle)");
    // Short ids need no digest at all.
    expect(dedupeKey("msg_short")).toBe("msg_short");
  });
});

describe("a signed delivery with a 1 MiB id, through the Fetch handler", () => {
  it("is handled once, its copy is a duplicate, the handler sees the real id, and the store a bounded key", async () => {
    const id = `msg_${"L".repeat(MiB)}`;
    const store = recording(memoryStore());
    const seen: VerifiedWebhook[] = [];
    const handle = createWebhookHandler((webhook) => void seen.push(webhook), { secret, dedupe: store });
    expect((await handle(signedRequest(id))).status).toBe(204);
    const copy = await handle(signedRequest(id));
    expect(copy.status).toBe(200);
    expect(await copy.json()).toEqual({ duplicate: true });
    expect(seen.map((webhook) => webhook.id)).toEqual([id]);
    expect(store.keys.length).toBeGreaterThan(0);
    for (const key of store.keys) expect(key).toBe(`${DIGEST_KEY_PREFIX}${sha256(id)}`);
  });

  it("the same on Web Crypto, where the digest is asynchronous", async () => {
    vi.spyOn(process, "getBuiltinModule").mockReturnValue(undefined as never);
    const id = `msg_${"W".repeat(MiB)}`;
    const store = recording(memoryStore());
    let runs = 0;
    const handle = createWebhookHandler(() => void runs++, { secret, dedupe: store });
    expect((await handle(signedRequest(id))).status).toBe(204);
    expect((await handle(signedRequest(id))).status).toBe(200);
    expect(runs).toBe(1);
    for (const key of store.keys) expect(key).toBe(`${DIGEST_KEY_PREFIX}${sha256(id)}`);
  });

  it("is remembered by a memory store far smaller than the id", async () => {
    let runs = 0;
    // Room for two entries of the longest key: before keys were bounded, the id never fit.
    const handle = createWebhookHandler(() => void runs++, { secret, dedupe: memoryStore({ maxBytes: 832 }) });
    const id = `msg_${"S".repeat(MiB)}`;
    expect((await handle(signedRequest(id))).status).toBe(204);
    expect((await handle(signedRequest(id))).status).toBe(200);
    expect(runs).toBe(1);
  });

  it("does not make the default memory store forget the ids it holds (one 9 MiB id used to empty it)", async () => {
    const handled: string[] = [];
    const handle = createWebhookHandler(({ id }) => void handled.push(id), { secret });
    const ordinary = Array.from({ length: 5 }, (_, i) => `msg_ordinary_${i}`);
    for (const id of ordinary) expect((await handle(signedRequest(id))).status).toBe(204);
    const huge = `msg_${"H".repeat(9 * MiB)}`;
    expect((await handle(signedRequest(huge))).status).toBe(204);
    for (const id of ordinary) expect((await handle(signedRequest(id))).status).toBe(200);
    expect((await handle(signedRequest(huge))).status).toBe(200);
    expect(handled.length).toBe(6);
  });
});

describe("a signed delivery with a 1 MiB id, in what is written about it", () => {
  it("makes a bounded delivery record, the id cut and counted", async () => {
    const id = `msg_${"R".repeat(MiB)}`;
    const lines: string[] = [];
    const logger = {
      info: (record: object, message: string) => void lines.push(JSON.stringify({ ...record, message })),
      warn: (record: object, message: string) => void lines.push(JSON.stringify({ ...record, message })),
      error: (record: object, message: string) => void lines.push(JSON.stringify({ ...record, message })),
    };
    const handle = createWebhookHandler(
      () => {
        throw new Error("handler failed");
      },
      { secret, log: logger, onError: () => {} },
    );
    expect((await handle(signedRequest(id))).status).toBe(500);
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(line.length).toBeLessThan(4096);
    expect(lines.join("\n")).toContain(`${id.slice(0, 100)}`);
    expect(lines.join("\n")).toContain("more characters)");
  });
});
