import { setTimeout as sleep } from "node:timers/promises";
import { signWebhook } from "@colivara/webhooks/testing";
import type { DeliveryReport, ReplayMode } from "./delivery-report.js";
import { bodyBytes, passOnHeaders } from "./forward.js";
import type { ListenerContext } from "./listener-context.js";
import { ownUrl } from "./request-target.js";

const WEBHOOK_HEADER = /^(svix|webhook)-(id|timestamp|signature)$/i;

/** The headers and body a replay sends, and the signature header that identifies it on arrival. */
interface ReplayRequest {
  headers: Headers;
  body: Uint8Array | string;
  signature: string;
}

function asItWas(headers: ReadonlyArray<readonly [string, string]>, body: Uint8Array): ReplayRequest {
  const signature = headers.find(([name]) => /^(svix|webhook)-signature$/i.test(name))?.[1] ?? "";
  return { headers: passOnHeaders(headers), body, signature };
}

function resigned(headers: ReadonlyArray<readonly [string, string]>, body: Uint8Array, secret: string): ReplayRequest {
  const signed = signWebhook({ secret, payload: Buffer.from(body).toString("utf8") });
  const out = passOnHeaders(headers.filter(([name]) => !WEBHOOK_HEADER.test(name)));
  for (const [name, value] of Object.entries(signed.headers)) out.set(name, value);
  return { headers: out, body: signed.body, signature: signed.headers["svix-signature"] };
}

/**
 * What a replay came to: the listener's answer status, and the replayed copy's own report
 * (its verdict and code) when the listener recorded it.
 */
export interface ReplayResult {
  status: number;
  report?: DeliveryReport | undefined;
}

/** How long to wait for the copy's report after its answer: it is recorded right after answering. */
const REPORT_WAIT_MS = 5000;

function within<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  return Promise.race([promise, sleep(ms, undefined, { ref: false })]);
}

/**
 * Sends delivery `seq` of the session to the listener again: `resign` signs its body anew
 * (first secret, new id, fresh timestamp), so it is accepted; `as-is` repeats the exact
 * bytes and headers, so the listener must refuse it (duplicate, or stale once 5 minutes
 * have passed). The copy goes through the listener like any delivery and is marked as a
 * replay in the history. Resolves to the listener's answer and the copy's report, or
 * undefined when the delivery is no longer kept.
 *
 * @example
 * ```ts
 * const result = await replayDelivery(ctx, 3, "as-is"); // { status: 200, report: { verdict: "duplicate", … } }
 * ```
 */
export async function replayDelivery(
  ctx: ListenerContext,
  seq: number,
  mode: ReplayMode,
): Promise<ReplayResult | undefined> {
  const raw = ctx.log.raw(seq);
  if (raw === undefined) return undefined;
  const [secret] = ctx.options.secret;
  const request =
    mode === "resign" && secret !== undefined
      ? resigned(raw.headers, raw.body, secret)
      : asItWas(raw.headers, raw.body);
  const arrived = request.signature === "" ? undefined : ctx.log.expectReplay(request.signature, seq, mode);
  // The listener's own endpoint, whatever target the delivery carried: a planted
  // `http://attacker/x` was reduced to its path on arrival, and is checked again here.
  const response = await fetch(ownUrl(ctx.origin, ctx.options.path ?? raw.path), {
    method: "POST",
    headers: request.headers,
    body: typeof request.body === "string" ? request.body : bodyBytes(request.body),
    redirect: "manual",
  });
  await response.arrayBuffer();
  const report = arrived === undefined ? undefined : await within(arrived, REPORT_WAIT_MS);
  return { status: response.status, report };
}
