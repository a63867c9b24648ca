import type { VerifiedWebhook } from "@colivara/webhooks";
import type { AnswerCallback, ParsedPayload } from "@colivara/webhooks/adapter";
import type { FastifyRequest, HookHandlerDoneFunction } from "fastify";

// Shared through the global registry, so nested registrations (even of two installed copies)
// read and write the same slot.
export const kWebhook: unique symbol = Symbol.for("@colivara/webhooks-fastify.webhook") as never;
export const kAnswered: unique symbol = Symbol.for("@colivara/webhooks-fastify.answered") as never;
/** Waits for Fastify's parse of the verified bytes (set in preParsing, taken in preValidation). */
export const kParsed: unique symbol = Symbol.for("@colivara/webhooks-fastify.parsed") as never;
/** Lets Fastify go on to the route once the delivery is claimed. */
export const kResume: unique symbol = Symbol.for("@colivara/webhooks-fastify.resume") as never;

/** A request with the plugin's slots (request decorations, so every request has the same shape). */
export type Captured = FastifyRequest & {
  [kWebhook]: VerifiedWebhook | null;
  [kAnswered]?: AnswerCallback;
  [kParsed]?: ((parsed: ParsedPayload) => void) | undefined;
  [kResume]?: HookHandlerDoneFunction | undefined;
};
