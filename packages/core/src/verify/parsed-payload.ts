import type { ColivaraEvent } from "../shared/events.js";
import { eventOf, invalid, parseEvent } from "./payload.js";

/**
 * What a framework's own body parser made of the verified bytes: its `value`, or the error it
 * `refused` them with.
 */
export type ParsedPayload = { readonly value: unknown } | { readonly refused: unknown };

/**
 * Hands the verified bytes to the framework's own parser (Fastify's content-type parser) and
 * calls back once with its result, so a route's body is parsed once, not by the framework and
 * again by the pack.
 */
export type PayloadParser = (body: Uint8Array | string, done: (parsed: ParsedPayload) => void) => void;

/**
 * The typed event from the framework's parse, checked as the pack's own parse is. When that
 * value is not an event (a parser that kept the bytes, a parser of the app's own that wraps
 * them) the pack parses the text itself, so a genuine delivery is never refused for how the
 * app parses JSON, and a refusal names what is wrong with the body itself.
 */
export function eventFromParsed(parsed: ParsedPayload, text: () => string): ColivaraEvent {
  if ("value" in parsed) {
    try {
      return eventOf(parsed.value);
    } catch {
      return parseEvent(text());
    }
  }
  // The framework refused what the pack would take: the route could never read this body.
  parseEvent(text());
  throw invalid(
    "the app's body parser refused it, so the route could not read it (a JSON parser of the app's own, or a prototype-poisoning setting that refuses what the pack accepts)",
  );
}
