import type { VerifiedWebhook } from "@colivara/webhooks";
import {
  createReceiver,
  type ReceiveInput,
  type ReceiveResult,
  type ReceiverOptions,
  sendNodeResponse,
  settleWhenAnswered,
} from "@colivara/webhooks/adapter";
import type { NextFunction, Request, RequestHandler, Response } from "express";
import { readRawBody } from "./raw-body.js";

declare global {
  namespace Express {
    interface Request {
      /** The verified delivery; set on routes behind `verifyColivara()`. */
      colivara: VerifiedWebhook;
    }
  }
}

/**
 * Options of {@link verifyColivara}: `secret`, `toleranceSeconds`, `limit`, `on`, `onError`.
 *
 * @example
 * ```ts
 * const options: VerifyColivaraOptions = { limit: "256kb" };
 * ```
 */
export type VerifyColivaraOptions = ReceiverOptions;

/**
 * Express middleware (Express 4 and 5) that verifies a ColiVara delivery from its raw
 * bytes, then sets `req.colivara` and calls `next()`. With an `on` handler map it answers
 * itself. Failures answer with the status and JSON body of the failure table and never
 * reach the next handler. Bad configuration throws here, at start-up.
 *
 * @example
 * ```ts
 * import express from "express";
 * import { verifyColivara } from "@colivara/webhooks-express";
 *
 * const app = express();
 * app.post("/webhooks/colivara", verifyColivara(), (req, res) => {
 *   console.log(req.colivara.event.type);
 *   res.sendStatus(204);
 * });
 * ```
 */
export function verifyColivara(options: VerifyColivaraOptions = {}): RequestHandler {
  const receiver = createReceiver(options);
  return function colivaraWebhook(req: Request, res: Response, next: NextFunction): void {
    const write = (result: ReceiveResult) => {
      if (result.response) return sendNodeResponse(res, result.response);
      req.colivara = result.webhook;
      // Dedupe learns the outcome from the user's answer: 2xx is handled, else retried.
      settleWhenAnswered(res, result.settle);
      next();
    };
    const answer = (input: ReceiveInput) => {
      const result = receiver.receiveNow(input);
      if (result instanceof Promise) result.then(write).catch(next);
      else write(result);
    };
    if (req.method !== "POST") answer({ method: req.method, headers: req.headers });
    else {
      readRawBody(req, receiver.limit, receiver.readTimeoutMs, (bodyError, body) =>
        answer({ method: req.method, headers: req.headers, body, bodyError }),
      );
    }
  };
}
