import type { ServerResponse } from "node:http";
import { WebhookVerificationError } from "@colivara/webhooks";
import { responses, sendNodeResponse, type WebhookResponse } from "@colivara/webhooks/adapter";
import {
  type ArgumentsHost,
  type CanActivate,
  type ExceptionFilter,
  type ExecutionContext,
  Logger,
} from "@nestjs/common";
import { type FastifyReplyLike, sendFastify } from "./fastify-capture.js";
import { verifiedOf } from "./verified-requests.js";

const logger = new Logger("ColivaraWebhooks");

const NOT_VERIFIED =
  "This @ColivaraWebhook() route was reached by a request the module did not verify: its full path (global prefix " +
  "included) is not the path of ColivaraWebhooksModule.forRoot({ path }), or the module is not imported. Give both the same path.";

/** Fails closed: a route marked `@ColivaraWebhook()` runs only for a delivery the capture verified. */
export const colivaraRouteGuard: CanActivate = {
  canActivate(context: ExecutionContext): boolean {
    if (verifiedOf(context.switchToHttp().getRequest<object>()) !== undefined) return true;
    throw new WebhookVerificationError("invalid_config", NOT_VERIFIED);
  },
};

/** Express's response is Node's; Fastify's reply wraps it (`raw`) and must write it itself. */
function send(response: unknown, answer: WebhookResponse): void {
  const reply = response as Partial<FastifyReplyLike>;
  if (typeof reply.code === "function" && reply.raw !== undefined) sendFastify(reply as FastifyReplyLike, answer);
  else sendNodeResponse(response as ServerResponse, answer);
}

/**
 * Every error on a `@ColivaraWebhook()` route answers from the failure table, never in Nest's
 * exception shape: after verification, the handler's throw reaches `onError` and answers 500
 * `handler_failed` (so ColiVara retries, and the claim is freed for that retry); before it
 * (the guard), 500 `invalid_config`, its detail in the log only.
 */
export const colivaraRouteFilter: ExceptionFilter = {
  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const verified = verifiedOf(http.getRequest<object>());
    if (verified === undefined) {
      logger.error(error instanceof Error ? error.message : String(error));
      send(http.getResponse(), responses.rejected(error));
      return;
    }
    verified.answered(500, error);
    send(http.getResponse(), responses.handlerFailed());
  },
};
