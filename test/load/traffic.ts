// The hostile mix: what each kind of request is, what it must be answered with, and the
// tally of what actually happened. Genuine deliveries are delivered like Svix delivers them:
// a 409 (another attempt of the same id is in flight) is retried until a 2xx.
import { Agent } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import { newId } from "../conformance/deliveries.js";
import { type Delivery, nowSeconds, randomSignatureEntry, Signer } from "./deliveries.js";
import { abortMidUpload, exchange, type Outcome, type Upload } from "./http.js";
import type { Target } from "./targets.js";

/** Transport errors after which no answer came back: the sender retries the delivery. */
const RESET_ERRORS: ReadonlySet<string> = new Set(["ECONNRESET", "EPIPE"]);

export type Kind =
  | "valid"
  | "large"
  | "race"
  | "replay"
  | "tampered"
  | "stale"
  | "future"
  | "unsigned"
  | "wrongSecret"
  | "garbageSignature"
  | "notJson"
  | "oversizedDeclared"
  | "oversizedStreamed"
  | "abort"
  | "trickle";

/** Relative share of each kind in the mix (per request; a race is three requests). */
export const WEIGHTS: Record<Kind, number> = {
  valid: 34,
  large: 1,
  race: 9,
  replay: 10,
  tampered: 6,
  stale: 4,
  future: 2,
  unsigned: 5,
  wrongSecret: 5,
  garbageSignature: 6,
  notJson: 3,
  oversizedDeclared: 3,
  oversizedStreamed: 3,
  abort: 5,
  trickle: 4,
};

const REQUESTS_PER_UNIT: Partial<Record<Kind, number>> = { race: 3 };

/** The exact answer each rejected kind must get. */
const REJECTION: Partial<Record<Kind, { status: number; code: string; or?: { status: number; code: string } }>> = {
  tampered: { status: 401, code: "invalid_signature" },
  stale: { status: 401, code: "timestamp_too_old" },
  future: { status: 401, code: "timestamp_too_new" },
  unsigned: { status: 401, code: "missing_headers" },
  wrongSecret: { status: 401, code: "invalid_signature" },
  garbageSignature: { status: 401, code: "invalid_signature" },
  notJson: { status: 400, code: "invalid_payload" },
  oversizedDeclared: { status: 413, code: "payload_too_large" },
  // A 1 MiB upload a saturated server has not finished reading within the read timeout is
  // refused as that, before its size is known; either answer closes the connection.
  oversizedStreamed: { status: 413, code: "payload_too_large", or: { status: 408, code: "request_timeout" } },
  trickle: { status: 408, code: "request_timeout" },
};

/** These answers must also close the connection (the rest of the upload is not read). */
const CLOSES = new Set<Kind>(["oversizedDeclared", "oversizedStreamed", "trickle"]);

const KiB = 1024;
const MiB = 1024 * KiB;
/** A body just over the default 1 MiB limit, shared by every oversized request. */
const OVERSIZED = Buffer.alloc(MiB + 64 * KiB, 0x20);
/** Replays pick among the most recent genuine ids: the default memory store keeps 10,000. */
const REPLAY_WINDOW = 5000;
/** Whatever happens, no single exchange may take longer than this. */
const EXCHANGE_TIMEOUT_MS = 30_000;
/** A delivery still answered 409 after this long is a violation. */
const DELIVERY_DEADLINE_MS = 60_000;

/** A deterministic random source (mulberry32), so a run's mix can be replayed by its seed. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Kinds in a shuffled order whose requests add up to at least `requests`. */
export function plan(requests: number, seed: number, kinds: Kind[]): Kind[] {
  const next = random(seed);
  const total = kinds.reduce((sum, kind) => sum + WEIGHTS[kind], 0);
  const units: Kind[] = [];
  let planned = 0;
  for (const kind of kinds) {
    const per = REQUESTS_PER_UNIT[kind] ?? 1;
    const count = Math.max(1, Math.round((requests * WEIGHTS[kind]) / total / per));
    for (let i = 0; i < count; i++) units.push(kind);
    planned += count * per;
  }
  while (planned < requests) {
    units.push("valid");
    planned++;
  }
  for (let i = units.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [units[i], units[j]] = [units[j] as Kind, units[i] as Kind];
  }
  return units;
}

/** Runs `count` tasks, at most `concurrency` at a time. */
export async function pool(count: number, concurrency: number, task: (index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) await task(next++);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
}

function errorCode(body: string): string | undefined {
  try {
    return (JSON.parse(body) as { error?: { code?: string } }).error?.code;
  } catch {
    return undefined;
  }
}

function isDuplicate(body: string): boolean {
  try {
    return (JSON.parse(body) as { duplicate?: unknown }).duplicate === true;
  } catch {
    return false;
  }
}

/** What one run saw, and every way it went wrong. */
export class Tally {
  requests = 0;
  /** Retries of 409 answers (another attempt of the same id in flight). */
  retries = 0;
  /** Genuine deliveries resent after a connection reset with no answer (a reused keep-alive socket). */
  resetRetries = 0;
  readonly sent: Partial<Record<Kind, number>> = {};
  /** Each genuine id, to be handled exactly once. */
  readonly genuine = new Set<string>();
  /** Ids that must never reach a handler: forged, stale, unreadable, aborted, cut off. */
  readonly refused = new Set<string>();
  wrongStatuses = 0;
  transportErrors = 0;
  /**
   * Over-limit and slow uploads whose connection the server closed while the client was
   * still sending: TCP then resets it and the client may never read the 413/408 that was
   * sent first. Cut off all the same; counted apart from the exact answers.
   */
  resets = 0;
  /**
   * Genuine deliveries answered 408 because a saturated server did not read their body
   * within the read timeout: retried as Svix retries any non-2xx, then handled once.
   */
  busy408 = 0;
  /** Over-limit streamed uploads refused with 408 for the same reason, before 1 MiB was read. */
  oversized408 = 0;
  readonly violations: string[] = [];
  /** Genuine deliveries answered as handled, most recent last (replays copy these). */
  readonly answered: Delivery[] = [];

  violation(message: string): void {
    if (this.violations.length < 50) this.violations.push(message);
  }

  count(kind: Kind): void {
    this.sent[kind] = (this.sent[kind] ?? 0) + 1;
  }

  /** Checks the handled-log against the ids sent: returns the figures and records violations. */
  reconcile(handled: Map<string, number>): { lost: number; doubly: number; forged: number } {
    let lost = 0;
    let doubly = 0;
    let forged = 0;
    for (const id of this.genuine) {
      const times = handled.get(id) ?? 0;
      if (times === 0) {
        lost++;
        this.violation(`genuine delivery ${id} was never handled`);
      } else if (times > 1) {
        doubly++;
        this.violation(`genuine delivery ${id} was handled ${times} times`);
      }
    }
    for (const [id, times] of handled) {
      if (this.genuine.has(id)) continue;
      forged++;
      this.violation(
        this.refused.has(id)
          ? `refused delivery ${id} reached the handler ${times} time(s)`
          : `unknown delivery ${id} reached the handler`,
      );
    }
    return { lost, doubly, forged };
  }
}

/** Sends the mix to one target. */
export class Traffic {
  readonly agent: Agent = new Agent({ keepAlive: true, maxSockets: Number.POSITIVE_INFINITY });
  readonly #signer: Signer;
  readonly #forger = new Signer(`whsec_${Buffer.alloc(24, 7).toString("base64")}`);
  #oversized: Delivery | undefined;

  constructor(
    readonly target: Target,
    secret: string,
    readonly tally: Tally,
  ) {
    this.#signer = new Signer(secret);
  }

  close(): void {
    this.agent.destroy();
  }

  /** The kinds this target is sent: all but its platform's {@link Target.unsupported} ones. */
  kinds(only?: Kind[]): Kind[] {
    return (Object.keys(WEIGHTS) as Kind[]).filter(
      (kind) => (only === undefined || only.includes(kind)) && this.target.unsupported[kind] === undefined,
    );
  }

  #send(headers: Record<string, string>, body: Buffer | string, upload: Upload = { kind: "whole" }): Promise<Outcome> {
    this.tally.requests++;
    return exchange({
      url: this.target.url,
      headers,
      body,
      upload,
      agent: this.agent,
      timeoutMs: EXCHANGE_TIMEOUT_MS,
    });
  }

  /**
   * Delivers a genuine delivery like Svix: 409 is retried (re-signed with a fresh
   * timestamp, as each Svix attempt is) until a 2xx. Returns the final answer's kind.
   */
  async #deliver(delivery: Delivery, label: string): Promise<"handled" | "duplicate" | "failed"> {
    const deadline = Date.now() + DELIVERY_DEADLINE_MS;
    let attempt = delivery;
    let resent = false;
    for (;;) {
      const outcome = await this.#send(attempt.headers, attempt.body);
      if (outcome.error !== undefined) {
        // A keep-alive socket the server closed just as it was reused: no answer came back,
        // so the sender retries, as Svix retries any delivery it got no answer for.
        if (RESET_ERRORS.has(outcome.error) && Date.now() < deadline) {
          this.tally.resetRetries++;
          resent = true;
          attempt = this.#signer.sign(delivery.id, delivery.body);
          continue;
        }
        this.tally.transportErrors++;
        this.tally.violation(`${label} ${delivery.id}: ${outcome.error}`);
        return "failed";
      }
      const { status, body } = outcome.answer;
      const retry =
        (status === 409 && errorCode(body) === "delivery_in_progress") ||
        (status === 408 && errorCode(body) === "request_timeout");
      if (retry && Date.now() < deadline) {
        if (status === 409) this.tally.retries++;
        else this.tally.busy408++;
        await sleep(20 + Math.random() * 80);
        attempt = this.#signer.sign(delivery.id, delivery.body);
        continue;
      }
      // After a lost answer, a duplicate means the first attempt was handled: still once.
      if (status === 200) return isDuplicate(body) && !resent ? "duplicate" : "handled";
      this.tally.wrongStatuses++;
      this.tally.violation(`${label} ${delivery.id}: answered ${status} ${body.slice(0, 120)}`);
      return "failed";
    }
  }

  #expectHandled(delivery: Delivery, result: Awaited<ReturnType<Traffic["deliver"]>>, label: string): void {
    if (result === "handled") {
      if (label === "valid") this.tally.answered.push(delivery);
      if (this.tally.answered.length > 2 * REPLAY_WINDOW) this.tally.answered.splice(0, REPLAY_WINDOW);
    } else if (result === "duplicate") {
      this.tally.wrongStatuses++;
      this.tally.violation(`${label} ${delivery.id}: a first delivery was answered as a duplicate`);
    }
  }

  /** A fresh genuine delivery: must be answered 200 by the handler and handled once. */
  async genuine(label = "valid", padding?: number): Promise<void> {
    const delivery = this.#signer.valid(padding === undefined ? {} : { padding });
    this.tally.genuine.add(delivery.id);
    this.#expectHandled(delivery, await this.#deliver(delivery, label), label);
  }

  deliver(delivery: Delivery, label: string): Promise<"handled" | "duplicate" | "failed"> {
    return this.#deliver(delivery, label);
  }

  async #reject(kind: Kind, id: string, headers: Record<string, string>, body: Buffer | string, upload?: Upload) {
    this.tally.refused.add(id);
    const outcome = await this.#send(headers, body, upload);
    let expected = REJECTION[kind] as { status: number; code: string; or?: { status: number; code: string } };
    if (outcome.error !== undefined) {
      if (CLOSES.has(kind) && (outcome.error === "ECONNRESET" || outcome.error === "EPIPE")) {
        this.tally.resets++;
        return;
      }
      this.tally.transportErrors++;
      this.tally.violation(`${kind} ${id}: ${outcome.error}`);
      return;
    }
    const { status, body: text, connection } = outcome.answer;
    const code = errorCode(text);
    if (expected.or !== undefined && status === expected.or.status && code === expected.or.code) {
      expected = expected.or;
      this.tally.oversized408++;
    }
    if (status !== expected.status || code !== expected.code) {
      this.tally.wrongStatuses++;
      this.tally.violation(
        `${kind} ${id}: expected ${expected.status} ${expected.code}, got ${status} ${text.slice(0, 120)}`,
      );
    } else if (CLOSES.has(kind) && connection !== "close") {
      this.tally.wrongStatuses++;
      this.tally.violation(`${kind} ${id}: ${status} without connection: close (got ${connection})`);
    }
  }

  /**
   * A validly signed over-limit delivery (the size check must come first, whatever the
   * signature). Signing 1 MiB is slow in the svix package's pure-JS HMAC, so one signature
   * serves every oversized request for a minute.
   */
  #oversizedDelivery(): Delivery {
    const age = this.#oversized
      ? nowSeconds() - Number(this.#oversized.headers["svix-timestamp"])
      : Number.POSITIVE_INFINITY;
    if (this.#oversized === undefined || age > 60) {
      this.#oversized = this.#signer.sign(newId(), OVERSIZED.toString("latin1"));
    }
    return this.#oversized;
  }

  /** Sends one unit of the mix. */
  async unit(kind: Kind): Promise<void> {
    this.tally.count(kind);
    const signer = this.#signer;
    switch (kind) {
      case "valid":
        return this.genuine();
      case "large":
        // Near the limit: 256 KiB to 960 KiB of metadata, still under 1 MiB.
        return this.genuine("large", 256 * KiB + Math.floor(Math.random() * 704 * KiB));
      case "race": {
        // Three copies of one new delivery at once: exactly one is handled, the others are
        // duplicates (or 409 while the first is in flight, then duplicates on retry).
        const delivery = signer.valid();
        this.tally.genuine.add(delivery.id);
        const results = await Promise.all([0, 1, 2].map(() => this.#deliver(delivery, "race")));
        const handled = results.filter((r) => r === "handled").length;
        const duplicates = results.filter((r) => r === "duplicate").length;
        if (results.includes("failed")) return;
        if (handled !== 1 || duplicates !== 2) {
          this.tally.wrongStatuses++;
          this.tally.violation(`race ${delivery.id}: ${handled} handled answers and ${duplicates} duplicates of 3`);
        } else {
          this.tally.answered.push(delivery);
        }
        return;
      }
      case "replay": {
        // A delivery already answered, sent again: the captured request as it was (while
        // its timestamp is fresh), or re-signed with a new timestamp as a Svix retry is.
        // Either must be answered as a duplicate and never handled again.
        const { answered } = this.tally;
        const original =
          answered[answered.length - 1 - Math.floor(Math.random() * Math.min(answered.length, REPLAY_WINDOW))];
        if (original === undefined) return this.genuine();
        const age = nowSeconds() - Number(original.headers["svix-timestamp"]);
        const copy = Math.random() < 0.5 && age < 240 ? original : signer.sign(original.id, original.body);
        const result = await this.#deliver(copy, "replay");
        if (result === "handled") {
          this.tally.wrongStatuses++;
          this.tally.violation(`replay ${original.id}: handled again instead of answered as a duplicate`);
        }
        return;
      }
      case "tampered": {
        const d = signer.valid();
        const body = d.body.replace('"metadata":{', '"metadata":{"tampered":true,');
        return this.#reject(kind, d.id, d.headers, body);
      }
      case "stale": {
        const id = newId();
        const d = signer.sign(id, signer.valid().body, nowSeconds() - 301 - Math.floor(Math.random() * 86_400));
        return this.#reject(kind, id, d.headers, d.body);
      }
      case "future": {
        const id = newId();
        const d = signer.sign(id, signer.valid().body, nowSeconds() + 301 + Math.floor(Math.random() * 86_400));
        return this.#reject(kind, id, d.headers, d.body);
      }
      case "unsigned": {
        const d = signer.valid();
        const headers = { ...d.headers };
        // Drop one to three of the three headers.
        const drop = ["svix-id", "svix-timestamp", "svix-signature"].filter(() => Math.random() < 0.5);
        for (const name of drop.length > 0 ? drop : ["svix-signature"]) delete headers[name];
        return this.#reject(kind, d.id, headers, d.body);
      }
      case "wrongSecret": {
        const d = this.#forger.valid();
        return this.#reject(kind, d.id, d.headers, d.body);
      }
      case "garbageSignature": {
        // 8 KiB of signature header: one huge entry, or hundreds of well-formed wrong ones.
        const d = signer.valid();
        const signature =
          Math.random() < 0.5
            ? `v1,${"A".repeat(8 * KiB - 3)}`
            : Array.from({ length: 174 }, randomSignatureEntry).join(" ");
        return this.#reject(kind, d.id, { ...d.headers, "svix-signature": signature }, d.body);
      }
      case "notJson": {
        const id = newId();
        const d = signer.sign(id, `not json ${id}`);
        return this.#reject(kind, id, d.headers, d.body);
      }
      case "oversizedDeclared": {
        // Content-Length over the limit; only 1 KiB is ever sent, so only an answer from the
        // declared length ends it. Where the platform waits for the upload, it is all sent.
        const d = this.#oversizedDelivery();
        return this.target.answersBeforeUpload
          ? this.#reject(kind, d.id, d.headers, OVERSIZED.subarray(0, KiB), {
              kind: "partial",
              declaredLength: OVERSIZED.length,
            })
          : this.#reject(kind, d.id, d.headers, OVERSIZED);
      }
      case "oversizedStreamed": {
        // No Content-Length at all: the limit must be enforced while reading.
        const d = this.#oversizedDelivery();
        return this.#reject(kind, d.id, d.headers, OVERSIZED, { kind: "stream" });
      }
      case "abort": {
        const d = signer.valid();
        this.tally.refused.add(d.id);
        this.tally.requests++;
        await abortMidUpload(this.target.url, d.headers, this.agent);
        return;
      }
      case "trickle":
        return this.trickle("slow");
    }
  }

  /**
   * A client that never finishes its upload: "slow" sends 64 bytes every 100 ms, "steady"
   * 16 KiB every 50 ms of a declared 1 MiB (it would need 3 s). Must get 408 and a closed
   * connection once the read timeout is over, and never reach the handler.
   */
  trickle(pace: "slow" | "steady"): Promise<void> {
    const d = this.#signer.valid();
    const upload: Upload =
      pace === "slow"
        ? { kind: "trickle", declaredLength: 64 * KiB, chunk: Buffer.alloc(64, 0x20), everyMs: 100 }
        : { kind: "trickle", declaredLength: MiB, chunk: Buffer.alloc(16 * KiB, 0x20), everyMs: 50 };
    return this.#reject("trickle", d.id, d.headers, d.body.slice(0, 16), upload);
  }
}
