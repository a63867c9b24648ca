import { performance } from "node:perf_hooks";
import type { VerifiedWebhook } from "@colivara/webhooks";
import type { RawDelivery } from "./delivery-log.js";
import type { AppAnswer, DeliveryReport } from "./delivery-report.js";
import type { Answer, ListenerContext } from "./listener-context.js";
import type { Received } from "./read-request.js";
import { showHeaders } from "./shown-headers.js";

/** How much of a body the history shows: a prefix of anything longer, marked as cut. */
export const SHOWN_BODY_BYTES: number = 64 * 1024;

/** What the listener decided and answered for one request. */
export interface Outcome {
  verdict: Answer;
  answer: Answer;
  webhook: VerifiedWebhook | undefined;
  app: AppAnswer | undefined;
}

function header(headers: RawDelivery["headers"], ...names: string[]): string | undefined {
  for (const name of names) {
    const found = headers.find(([n]) => n.toLowerCase() === name);
    if (found) return found[1];
  }
  return undefined;
}

function textOf(body: string | Uint8Array): string {
  return typeof body === "string" ? body : Buffer.from(body).toString("utf8");
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function claimedType(body: string): string | undefined {
  const parsed = parseJson(body) as { type?: unknown } | undefined;
  return typeof parsed?.type === "string" ? parsed.type : undefined;
}

function errorOf(body: string): { code: string; message: string } | undefined {
  const error = (parseJson(body) as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
  if (typeof error?.code !== "string") return undefined;
  return { code: error.code, message: typeof error.message === "string" ? error.message : "" };
}

/** The body as text, cut to {@link SHOWN_BODY_BYTES} (a cut UTF-8 sequence shows as U+FFFD). */
function shownBody(body: Uint8Array): { text: string; cut: boolean } {
  const cut = body.byteLength > SHOWN_BODY_BYTES;
  return { text: Buffer.from(cut ? body.subarray(0, SHOWN_BODY_BYTES) : body).toString("utf8"), cut };
}

/**
 * The report of one request: what arrived, the verdict, the answer, who gave it.
 *
 * @example
 * ```ts
 * const report = await reportOf(ctx, received, { verdict, answer, webhook, app });
 * ```
 */
export async function reportOf(ctx: ListenerContext, received: Received, outcome: Outcome): Promise<DeliveryReport> {
  const shown = shownBody(received.body);
  const verdictBody = textOf(outcome.verdict.body);
  const ok = outcome.verdict.status >= 200 && outcome.verdict.status < 300;
  const duplicate = !outcome.webhook && ok && (parseJson(verdictBody) as { duplicate?: unknown })?.duplicate === true;
  const timestamp = header(received.headers, "svix-timestamp", "webhook-timestamp");
  const seconds = timestamp !== undefined && /^\d{1,11}$/.test(timestamp) ? Number(timestamp) : undefined;
  const event = outcome.webhook?.event;
  const seq = ctx.log.nextSeq();
  return {
    seq,
    receivedAt: received.receivedAt.toISOString(),
    method: received.method,
    path: received.path,
    status: outcome.answer.status,
    verified: outcome.webhook !== undefined,
    duplicate,
    verdict: outcome.webhook ? "accepted" : duplicate ? "duplicate" : "rejected",
    answeredBy: outcome.app ? "app" : outcome.answer === outcome.verdict ? "verifier" : "status",
    id: header(received.headers, "svix-id", "webhook-id"),
    type: event ? (event.type === "unknown" ? event.originalType : event.type) : claimedType(shown.text),
    signedAt: seconds === undefined ? undefined : new Date(seconds * 1000).toISOString(),
    skewSeconds: seconds === undefined ? undefined : Math.round(received.receivedAt.getTime() / 1000 - seconds),
    secretIndex:
      received.method === "POST"
        ? await ctx.whichSecret(received.body, new Headers(received.headers.map(([n, v]) => [n, v])))
        : undefined,
    event,
    error: outcome.webhook || duplicate ? undefined : errorOf(verdictBody),
    headers: showHeaders(received.headers),
    body: shown.text,
    bodyBytes: received.body.length,
    bodyCut: shown.cut,
    app: outcome.app,
    durationMs: Math.round((performance.now() - received.started) * 10) / 10,
    replayOf: ctx.log.takeReplay(header(received.headers, "svix-signature", "webhook-signature"), seq),
  };
}
