// Property-based tests (fast-check): mutate a valid delivery and check that only the
// untouched one verifies, that equivalent forms of it all verify, and that nothing but a
// WebhookVerificationError ever escapes verify().
import fc from "fast-check";
import { describe, expect, it, vi } from "vitest";
import { signatureOf } from "../../../test/support/independent-signer.js";
import { createVerifier, type Verifier } from "../src/index.js";
import { attempt, type Delivery, ID, NOW_MS, NOW_S, SECRET, SUCCESS_BODY, TS } from "./hostile-cases.js";

const BODY_BYTES = Buffer.from(SUCCESS_BODY);
const SIGNATURE = signatureOf(SECRET, ID, TS, SUCCESS_BODY);
const ORIGINAL = { id: ID, timestamp: TS, signature: SIGNATURE } as const;
type Field = keyof typeof ORIGINAL;
const FIELDS: readonly Field[] = ["id", "timestamp", "signature"];
const NAMES: Record<Field, string> = { id: "svix-id", timestamp: "svix-timestamp", signature: "svix-signature" };
const REJECTION_CODES = [
  "missing_headers",
  "invalid_timestamp",
  "timestamp_too_old",
  "timestamp_too_new",
  "invalid_signature",
];

const nodeVerifier = createVerifier({ secret: SECRET, now: () => NOW_MS });
const webVerifier = (() => {
  const spy = vi.spyOn(process, "getBuiltinModule").mockReturnValue(undefined as never);
  try {
    return createVerifier({ secret: SECRET, now: () => NOW_MS });
  } finally {
    spy.mockRestore();
  }
})();

// ---- single mutations of one string field ----
type StringMutation =
  | { op: "flip"; at: number; char: string }
  | { op: "insert"; at: number; text: string }
  | { op: "delete"; at: number; count: number }
  | { op: "replace"; text: string };

const anyText = fc.oneof(
  fc.string({ minLength: 1, maxLength: 3 }),
  fc.string({ minLength: 1, maxLength: 3, unit: "binary" }),
  fc.constantFrom(" ", ",", "=", "v1,", "\t", "\n", "0", "+", "/", "-", "_", "\u0000", "\u00e9", "\ud800"),
);

const stringMutation: fc.Arbitrary<StringMutation> = fc.oneof(
  fc.record({ op: fc.constant("flip" as const), at: fc.nat(), char: anyText.map((t) => t.charAt(0) || "x") }),
  fc.record({ op: fc.constant("insert" as const), at: fc.nat(), text: anyText }),
  fc.record({ op: fc.constant("delete" as const), at: fc.nat(), count: fc.integer({ min: 1, max: 3 }) }),
  fc.record({
    op: fc.constant("replace" as const),
    text: fc.oneof(fc.string({ maxLength: 60 }), fc.stringMatching(/^v1,[A-Za-z0-9+/]{43}=$/), fc.nat().map(String)),
  }),
);

/**
 * Applies one mutation. Signature insertions stay strictly inside the entry: a space or
 * comma added at either end is an equivalent form (tested as such below), not a mutation.
 */
function mutateString(value: string, m: StringMutation, insideOnly: boolean): string {
  switch (m.op) {
    case "flip": {
      const at = m.at % value.length;
      return value.slice(0, at) + m.char + value.slice(at + 1);
    }
    case "insert": {
      const at = insideOnly ? 1 + (m.at % (value.length - 1)) : m.at % (value.length + 1);
      return value.slice(0, at) + m.text + value.slice(at);
    }
    case "delete": {
      const at = m.at % value.length;
      return value.slice(0, at) + value.slice(at + m.count);
    }
    case "replace":
      return m.text;
  }
}

type BytesMutation =
  | { op: "flip"; at: number; mask: number }
  | { op: "insert"; at: number; bytes: Uint8Array }
  | { op: "delete"; at: number; count: number }
  | { op: "replace"; bytes: Uint8Array };

const bytesMutation: fc.Arbitrary<BytesMutation> = fc.oneof(
  fc.record({ op: fc.constant("flip" as const), at: fc.nat(), mask: fc.integer({ min: 1, max: 255 }) }),
  fc.record({ op: fc.constant("insert" as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 4 }) }),
  fc.record({ op: fc.constant("delete" as const), at: fc.nat(), count: fc.integer({ min: 1, max: 4 }) }),
  fc.record({ op: fc.constant("replace" as const), bytes: fc.uint8Array({ maxLength: 300 }) }),
);

function mutateBytes(value: Buffer, m: BytesMutation): Buffer {
  switch (m.op) {
    case "flip": {
      const copy = Buffer.from(value);
      const at = m.at % copy.length;
      copy[at] = (copy[at] as number) ^ m.mask;
      return copy;
    }
    case "insert": {
      const at = m.at % (value.length + 1);
      return Buffer.concat([value.subarray(0, at), m.bytes, value.subarray(at)]);
    }
    case "delete": {
      const at = m.at % value.length;
      return Buffer.concat([value.subarray(0, at), value.subarray(at + m.count)]);
    }
    case "replace":
      return Buffer.from(m.bytes);
  }
}

type NameMutation =
  | { op: "permute"; order: Field[] }
  | { op: "rename"; field: Field; name: string }
  | { op: "drop"; field: Field };

const nameMutation: fc.Arbitrary<NameMutation> = fc.oneof(
  fc.record({
    op: fc.constant("permute" as const),
    order: fc.shuffledSubarray([...FIELDS], { minLength: 3, maxLength: 3 }),
  }),
  fc.record({
    op: fc.constant("rename" as const),
    field: fc.constantFrom(...FIELDS),
    name: fc.oneof(
      fc.constantFrom("webhook-id", "webhook-timestamp", "webhook-signature", "svix_id", "svix-ids", "x-svix-id"),
      fc.string({ maxLength: 20 }),
    ),
  }),
  fc.record({ op: fc.constant("drop" as const), field: fc.constantFrom(...FIELDS) }),
);

interface Mutations {
  body?: BytesMutation | undefined;
  id?: StringMutation | undefined;
  timestamp?: StringMutation | undefined;
  signature?: StringMutation | undefined;
  names?: NameMutation | undefined;
}

const mutations: fc.Arbitrary<Mutations> = fc
  .record(
    {
      body: bytesMutation,
      id: stringMutation,
      timestamp: stringMutation,
      signature: stringMutation,
      names: nameMutation,
    },
    { requiredKeys: [] },
  )
  .filter((m) => Object.keys(m).length > 0);

/** Builds the mutated delivery, and whether it is still byte-for-byte the original one. */
function build(m: Mutations): { delivery: Delivery; untouched: boolean } {
  const body = m.body ? mutateBytes(BODY_BYTES, m.body) : BODY_BYTES;
  const values: Record<Field, string> = {
    id: m.id ? mutateString(ID, m.id, false) : ID,
    timestamp: m.timestamp ? mutateString(TS, m.timestamp, false) : TS,
    signature: m.signature ? mutateString(SIGNATURE, m.signature, true) : SIGNATURE,
  };
  let untouched = body.equals(BODY_BYTES) && FIELDS.every((f) => values[f] === ORIGINAL[f]);
  const headers: Record<string, string> = {};
  const names = m.names;
  if (names?.op === "permute") {
    FIELDS.forEach((field, i) => {
      headers[NAMES[field]] = values[names.order[i] as Field];
    });
    untouched &&= names.order.every((field, i) => field === FIELDS[i]);
  } else {
    for (const field of FIELDS) {
      if (names?.op === "drop" && names.field === field) {
        untouched = false;
        continue;
      }
      if (names?.op === "rename" && names.field === field && names.name.toLowerCase() !== NAMES[field]) {
        headers[names.name] = values[field];
        untouched = false;
        continue;
      }
      headers[NAMES[field]] = values[field];
    }
  }
  return { delivery: { body, headers }, untouched };
}

describe("mutating a valid delivery", () => {
  it("the untouched delivery verifies (control)", async () => {
    const { delivery, untouched } = build({});
    expect(untouched).toBe(true);
    const outcome = await attempt(nodeVerifier, delivery);
    expect(outcome.ok).toBe(true);
  });

  it("only the untouched delivery verifies; failures are WebhookVerificationErrors (node:crypto)", async () => {
    await fc.assert(
      fc.asyncProperty(mutations, async (m) => {
        const { delivery, untouched } = build(m);
        // attempt() rethrows anything that is not a WebhookVerificationError.
        const outcome = await attempt(nodeVerifier, delivery);
        if (untouched) {
          expect(outcome.ok).toBe(true);
        } else {
          expect(outcome.ok ? "verified" : "rejected").toBe("rejected");
          if (!outcome.ok) expect(REJECTION_CODES).toContain(outcome.code);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it("the Web Crypto engine gives the same verdicts", async () => {
    await fc.assert(
      fc.asyncProperty(mutations, async (m) => {
        const { delivery } = build(m);
        const [node, web] = [await attempt(nodeVerifier, delivery), await attempt(webVerifier, delivery)];
        expect(web.ok ? "verified" : web.code).toBe(node.ok ? "verified" : node.code);
      }),
      { numRuns: 300 },
    );
  });
});

// ---- equivalent forms of the valid delivery: all must verify ----
interface Equivalent {
  casing: boolean[];
  prefix: "svix" | "webhook";
  container: "record" | "headers" | "node-arrays";
  wrongBefore: number;
  junkAfter: string[];
  pad: [number, number];
  trailingComma: boolean;
  body: "string" | "buffer" | "arraybuffer" | "view";
  extra: [string, string][];
}

const equivalent: fc.Arbitrary<Equivalent> = fc.record({
  casing: fc.array(fc.boolean(), { minLength: 20, maxLength: 20 }),
  prefix: fc.constantFrom("svix" as const, "webhook" as const),
  container: fc.constantFrom("record" as const, "headers" as const, "node-arrays" as const),
  wrongBefore: fc.integer({ min: 0, max: 10 }),
  junkAfter: fc.array(
    fc.oneof(
      fc.stringMatching(/^v[02-9],[A-Za-z0-9+/=]{0,60}$/),
      fc.stringMatching(/^v1,[A-Za-z0-9+/=]{0,40}$/),
      fc.stringMatching(/^[A-Za-z0-9+/=]{1,50}$/),
    ),
    { maxLength: 4 },
  ),
  pad: fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 3 })),
  trailingComma: fc.boolean(),
  body: fc.constantFrom("string" as const, "buffer" as const, "arraybuffer" as const, "view" as const),
  extra: fc.array(fc.tuple(fc.stringMatching(/^x-[a-z0-9-]{1,20}$/), fc.stringMatching(/^[!-~]{0,30}$/)), {
    maxLength: 4,
  }),
});

function recase(name: string, casing: readonly boolean[]): string {
  return [...name].map((c, i) => (casing[i] ? c.toUpperCase() : c)).join("");
}

function buildEquivalent(e: Equivalent): Delivery {
  const wrong = Array.from({ length: e.wrongBefore }, (_, i) => `v1,${Buffer.alloc(32, i + 1).toString("base64")}`);
  const signature = `${" ".repeat(e.pad[0])}${[...wrong, `${SIGNATURE}${e.trailingComma ? "," : ""}`, ...e.junkAfter].join(" ")}${" ".repeat(e.pad[1])}`;
  const values: Record<Field, string> = { id: ID, timestamp: TS, signature };
  const name = (field: Field) => recase(`${e.prefix}-${field}`, e.casing);
  let headers: unknown;
  if (e.container === "headers") {
    const h = new Headers(e.extra);
    for (const field of FIELDS) h.set(name(field), values[field]);
    headers = h;
  } else {
    const record: Record<string, string | string[]> = Object.fromEntries(e.extra);
    for (const field of FIELDS) {
      record[name(field)] = e.container === "node-arrays" ? [values[field]] : values[field];
    }
    if (e.container === "node-arrays") record[name("signature")] = [...wrong, SIGNATURE];
    headers = record;
  }
  const backing = Buffer.concat([Buffer.from("xx"), BODY_BYTES, Buffer.from("yy")]);
  const bodies = {
    string: SUCCESS_BODY,
    buffer: Buffer.from(BODY_BYTES),
    arraybuffer: new Uint8Array(BODY_BYTES).buffer,
    view: new Uint8Array(backing.buffer, backing.byteOffset + 2, BODY_BYTES.length),
  };
  return { body: bodies[e.body], headers };
}

describe("equivalent forms of the valid delivery", () => {
  it("all verify to the same event on both engines", async () => {
    await fc.assert(
      fc.asyncProperty(equivalent, async (e) => {
        const delivery = buildEquivalent(e);
        for (const verifier of [nodeVerifier, webVerifier]) {
          const outcome = await attempt(verifier, delivery);
          expect(outcome.ok ? JSON.stringify(outcome.webhook.event) : outcome.code).toBe(SUCCESS_BODY);
          if (outcome.ok) expect(outcome.webhook.id).toBe(ID);
        }
      }),
      { numRuns: 300 },
    );
  });
});

// ---- arbitrary junk ----
const headerName = fc.oneof(
  fc.constantFrom(
    "svix-id",
    "svix-timestamp",
    "svix-signature",
    "webhook-id",
    "webhook-timestamp",
    "webhook-signature",
    "SVIX-ID",
    "Webhook-Signature",
    "get",
    "__proto__",
    "constructor",
  ),
  fc.string({ maxLength: 20 }),
);
const headerValue = fc.oneof(
  fc.string({ maxLength: 80 }),
  fc.string({ maxLength: 20, unit: "binary" }),
  fc.array(fc.string({ maxLength: 60 }), { maxLength: 4 }),
  fc.integer(),
  fc.double(),
  fc.constantFrom(null, undefined, true, String(NOW_S), SIGNATURE),
  fc.stringMatching(/^v1,[A-Za-z0-9+/]{43}=$/),
  fc.integer({ min: NOW_S - 400, max: NOW_S + 400 }).map(String),
  fc.anything(),
);
const anyHeaders = fc.oneof(
  fc.dictionary(headerName, headerValue, { maxKeys: 8 }),
  fc.anything(),
  fc
    .record({
      id: fc.string({ minLength: 1, maxLength: 30 }),
      timestamp: fc.integer({ min: NOW_S - 400, max: NOW_S + 400 }),
      signature: fc.array(fc.stringMatching(/^v1,[A-Za-z0-9+/]{43}=$/), { minLength: 1, maxLength: 20 }),
    })
    .map((h) => ({ "svix-id": h.id, "svix-timestamp": String(h.timestamp), "svix-signature": h.signature.join(" ") })),
);
const anyBody = fc.oneof(
  fc.string(),
  fc.string({ unit: "binary" }),
  fc.uint8Array({ maxLength: 200 }),
  fc.json(),
  fc.anything(),
);

describe("arbitrary input", () => {
  it("never verifies and never throws anything but WebhookVerificationError", async () => {
    await fc.assert(
      fc.asyncProperty(anyBody, anyHeaders, fc.boolean(), async (body, headers, web) => {
        const outcome = await attempt(web ? webVerifier : nodeVerifier, { body, headers });
        expect(outcome.ok).toBe(false);
        if (!outcome.ok) expect([...REJECTION_CODES, "body_already_parsed"]).toContain(outcome.code);
      }),
      { numRuns: 800 },
    );
  });

  it("any correctly signed body passes the signature step, on both engines", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b)),
          fc.string({ unit: "binary", maxLength: 200 }),
          fc.json(),
          fc.record({ type: fc.string(), data: fc.jsonValue() }).map((v) => JSON.stringify(v)),
        ),
        fc.string({ minLength: 1, maxLength: 40, unit: "binary" }),
        fc.integer({ min: NOW_S - 300, max: NOW_S + 300 }),
        async (body, id, ts) => {
          const headers = {
            "svix-id": id,
            "svix-timestamp": String(ts),
            "svix-signature": signatureOf(SECRET, id, ts, body),
          };
          const results: string[] = [];
          for (const verifier of [nodeVerifier, webVerifier] as Verifier[]) {
            const outcome = await attempt(verifier, { body, headers });
            results.push(outcome.ok ? `ok:${outcome.webhook.event.type}` : outcome.code);
          }
          expect(results[0]).toBe(results[1]);
          expect(["ok:upsert.success", "ok:upsert.fail", "ok:unknown", "invalid_payload"]).toContain(results[0]);
        },
      ),
      { numRuns: 400 },
    );
  });
});
