import type { ColivaraEvent, RegisteredMetadata, VerifiedWebhook } from "@colivara/webhooks";
import type { AnswerCallback } from "@colivara/webhooks/adapter";

/** A delivery the capture verified, and how its route's answer reaches the core. */
interface Verified {
  readonly webhook: VerifiedWebhook<ColivaraEvent<RegisteredMetadata>>;
  readonly answered: AnswerCallback;
}

// Keyed by Node's IncomingMessage (Express's `req`, Fastify's `request.raw`): nothing is
// written on the framework's own request objects.
const verified = new WeakMap<object, Verified>();

/** The Node request under a platform's request: Fastify wraps it in `raw`, Express is it. */
export function nodeRequestOf(request: object): object {
  const raw = (request as { raw?: unknown }).raw;
  return typeof raw === "object" && raw !== null ? raw : request;
}

/** Records what the capture verified for this request, for the guard and the param decorators. */
export function markVerified(request: object, webhook: VerifiedWebhook, answered: AnswerCallback): void {
  verified.set(nodeRequestOf(request), { webhook: webhook as Verified["webhook"], answered });
}

/** What the capture verified for this request (Express `req` or Fastify `request`), if anything. */
export function verifiedOf(request: object): Verified | undefined {
  return verified.get(nodeRequestOf(request));
}
