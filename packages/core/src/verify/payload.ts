import { WebhookVerificationError } from "../shared/errors.js";
import type { ColivaraEvent } from "../shared/events.js";

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

type Fields = readonly (readonly [string, FieldKind])[];

// The same table as [type, [field, kind] list] pairs, in the table's order, so a delivery
// iterates arrays.
const FIELDS: readonly (readonly [string, Fields])[] = Object.entries(SCHEMAS).map(([type, schema]) => [
  type,
  Object.entries(schema),
]);

const NO_FIELDS: Fields = [];

/**
 * The fields of an event type, or {@link NO_FIELDS}. Compared name by name rather than looked
 * up in a Map: the type is a fresh string from each parse, and a Map would hash it every time
 * (about 300 instructions under callgrind), where comparing it with the two names costs a
 * length test and at most one memcmp each.
 */
function fieldsOf(type: unknown): Fields {
  for (const [name, fields] of FIELDS) if (type === name) return fields;
  return NO_FIELDS;
}

// Spelled out per kind: "a object" and "a upsert.success event" read as typos in a log.
const KIND_TEXT: Record<FieldKind, string> = { string: "a string", integer: "an integer", object: "an object" };

export function invalid(detail: string): WebhookVerificationError {
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

// The two keys that poison a copy; checked only when the walk meets one of them.
function rejectPoisonedRecord(record: Record<string, unknown>): void {
  if (Object.hasOwn(record, "__proto__")) throw invalid('it contains a "__proto__" key');
  const ctor = Object.hasOwn(record, "constructor") ? record.constructor : undefined;
  if (isPlainObject(ctor) && Object.hasOwn(ctor, "prototype")) {
    throw invalid('it contains a "constructor.prototype" key');
  }
}

/**
 * The root's keys: the prototype keys refused, children queued and, in passing, the event's
 * fields confirmed with the values this loop loads anyway. Returns how many of `fields` it met
 * in the table's order, each of the right kind: all of them for a body written in that order
 * (as ColiVara writes it). By-name lookups cost a megamorphic load per field (about 200
 * instructions per field under callgrind), the loop's own loads a few.
 */
function walkRoot(root: Record<string, unknown>, fields: Fields, pending: object[]): number {
  let met = 0;
  for (const key in root) {
    // JSON.parse makes every key an enumerable own property, so for-in meets both names.
    if (key === "__proto__" || key === "constructor") rejectPoisonedRecord(root);
    const child = root[key];
    const field = fields[met];
    if (field !== undefined && key === field[0] && hasKind(child, field[1])) met++;
    if (typeof child === "object" && child !== null) pending.push(child);
  }
  return met;
}

/**
 * JSON.parse already keeps "__proto__" as an own key, but code that copies the event
 * with Object.assign or spread-into-merge would still be poisoned. Reject such bodies, as
 * Fastify's default parser does. Always walked: the walk costs per object and array, far
 * less than JSON.parse spent building them, whereas searching the text for the key names
 * costs per byte (it was a quarter of verify() at 64 KiB). The walk visits every key anyway,
 * so the two names are compared there instead of looked up in every object. Returns what
 * {@link walkRoot} confirmed of `fields`.
 */
function rejectPrototypeKeys(root: Record<string, unknown>, fields: Fields): number {
  // Iterative: a deeply nested (validly signed) body must not overflow the call stack.
  // Only objects and arrays are queued: primitives hold no keys.
  // Made with the root in it and emptied: a one-slot array the walk's few pushes fit in, where
  // the first push into an empty literal allocates seventeen.
  const pending: object[] = [root];
  pending.pop();
  const met = walkRoot(root, fields, pending);
  for (let value = pending.pop(); value !== undefined; value = pending.pop()) {
    // Stryker disable next-line ConditionalExpression,BlockStatement: walked as a record, an array's for-in visits the same elements, and a parsed array has no own "__proto__" or "constructor"
    if (Array.isArray(value)) {
      for (const item of value) {
        if (
          item !== null &&
          // Stryker disable next-line ConditionalExpression: a queued primitive holds no keys (JSON has no undefined to end the walk)
          typeof item === "object"
        ) {
          pending.push(item);
        }
      }
      continue;
    }
    const record = value as Record<string, unknown>;
    for (const key in record) {
      if (key === "__proto__" || key === "constructor") rejectPoisonedRecord(record);
      const child = record[key];
      if (typeof child === "object" && child !== null) pending.push(child);
    }
  }
  return met;
}

/** Parses and validates the body text into a typed event. */
export function parseEvent(text: string): ColivaraEvent {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw invalid("the body is not valid JSON");
  }
  return eventOf(data);
}

/**
 * Validates what a JSON parser made of the body into a typed event: every field check and the
 * prototype-key refusal, without parsing again.
 */
export function eventOf(data: unknown): ColivaraEvent {
  if (!isPlainObject(data)) throw invalid("the body is not a JSON object");
  const type = data.type;
  const fields = fieldsOf(type);
  // The walk first, so a poisoned body is refused as such whatever else is wrong with it.
  const met = rejectPrototypeKeys(data, fields);
  if (typeof type !== "string" || type === "") throw invalid('the "type" field is missing or not a string');
  if (fields === NO_FIELDS) return { type: "unknown", originalType: type, payload: data };
  // Fields the walk did not confirm (another key order, or a wrong kind): checked by name, in
  // the table's order, so the refusal names the first field that is wrong.
  if (met < fields.length) {
    for (const [field, kind] of fields) {
      if (!hasKind(data[field], kind)) {
        throw invalid(`field "${field}" of the ${type} event must be ${KIND_TEXT[kind]}`);
      }
    }
  }
  return data as unknown as ColivaraEvent;
}
