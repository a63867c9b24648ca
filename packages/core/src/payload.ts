import { WebhookVerificationError } from "./errors.js";
import type { ColivaraEvent } from "./events.js";

type FieldKind = "string" | "integer" | "object";

// One schema table: adding an event type is one entry here plus its interface.
const SCHEMAS: Record<string, Record<string, FieldKind>> = {
  "upsert.success": {
    message: "string",
    id: "integer",
    name: "string",
    metadata: "object",
    url: "string",
    num_pages: "integer",
    collection_name: "string",
  },
  "upsert.fail": {
    message: "string",
    name: "string",
    metadata: "object",
    collection_name: "string",
    error: "string",
  },
};

function invalid(detail: string): WebhookVerificationError {
  return new WebhookVerificationError("invalid_payload", `The signature is valid but the payload is not: ${detail}.`);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function hasKind(value: unknown, kind: FieldKind): boolean {
  if (kind === "string") return typeof value === "string";
  if (kind === "integer") return Number.isSafeInteger(value);
  return isPlainObject(value);
}

/**
 * JSON.parse already keeps "__proto__" as an own key, but code that copies the event
 * with Object.assign or spread-into-merge would still be poisoned. Reject such bodies, as
 * Fastify's default parser does; only walked when the text could hold such a key.
 */
function rejectPrototypeKeys(root: unknown): void {
  // Iterative: a deeply nested (validly signed) body must not overflow the call stack.
  const pending: unknown[] = [root];
  while (pending.length > 0) {
    const value = pending.pop();
    if (Array.isArray(value)) {
      for (const item of value) pending.push(item);
    } else if (isPlainObject(value)) {
      if (Object.hasOwn(value, "__proto__")) throw invalid('it contains a "__proto__" key');
      const ctor = Object.hasOwn(value, "constructor") ? value.constructor : undefined;
      if (isPlainObject(ctor) && Object.hasOwn(ctor, "prototype")) {
        throw invalid('it contains a "constructor.prototype" key');
      }
      for (const key in value) pending.push(value[key]);
    }
  }
}

/** Parses and validates the body text into a typed event. */
export function parseEvent(text: string): ColivaraEvent {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw invalid("the body is not valid JSON");
  }
  if (!isPlainObject(data)) throw invalid("the body is not a JSON object");
  if (text.includes("__proto__") || text.includes("constructor") || text.includes("\\u")) {
    rejectPrototypeKeys(data);
  }
  const type = data.type;
  if (typeof type !== "string" || type === "") throw invalid('the "type" field is missing or not a string');
  const schema = Object.hasOwn(SCHEMAS, type) ? SCHEMAS[type] : undefined;
  if (schema === undefined) return { type: "unknown", originalType: type, payload: data };
  for (const field in schema) {
    const kind = schema[field] as FieldKind;
    if (!hasKind(data[field], kind)) {
      throw invalid(`field "${field}" of a ${type} event must be ${kind === "integer" ? "an integer" : `a ${kind}`}`);
    }
  }
  return data as unknown as ColivaraEvent;
}
