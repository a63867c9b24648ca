// What a validly signed but unusable body is told: which field, which shape, which key.
import { describe, expect, it } from "vitest";
import { createVerifier, WebhookVerificationError } from "../src/index.js";
import { NOW_MS, SECRET, SUCCESS_EVENT, signed } from "./hostile-cases.js";

const verifier = createVerifier({ secret: SECRET, now: () => NOW_MS });

async function rejectionOf(body: string): Promise<WebhookVerificationError> {
  const { headers } = signed(body);
  const error = await verifier.verify(body, headers as Record<string, string>).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(WebhookVerificationError);
  expect((error as WebhookVerificationError).code).toBe("invalid_payload");
  return error as WebhookVerificationError;
}

describe("payload messages", () => {
  it("names invalid JSON", async () => {
    expect((await rejectionOf("{not json")).message).toContain("the body is not valid JSON");
  });

  it("names a JSON value that is not an object", async () => {
    expect((await rejectionOf("[1,2]")).message).toContain("the body is not a JSON object");
  });

  it("names the field and the kind it must be", async () => {
    const count = await rejectionOf(JSON.stringify({ ...SUCCESS_EVENT, num_pages: "3" }));
    expect(count.message).toContain('field "num_pages" of the upsert.success event must be an integer');
    const name = await rejectionOf(JSON.stringify({ ...SUCCESS_EVENT, name: 7 }));
    expect(name.message).toContain('field "name" of the upsert.success event must be a string');
    const metadata = await rejectionOf(JSON.stringify({ ...SUCCESS_EVENT, metadata: [] }));
    expect(metadata.message).toContain('field "metadata" of the upsert.success event must be an object');
  });

  // The walk confirms fields met in the schema's order; every other body is checked by name.
  describe("field checks whatever the key order", () => {
    const { type, ...fields } = SUCCESS_EVENT;
    const names = Object.keys(fields);
    const orders = [
      ["type", ...names],
      [...names, "type"],
      ["type", ...names].reverse(),
      ["type", "extra", ...names.flatMap((name) => [name, `${name}_x`])],
      ["type", names[1], names[0], ...names.slice(2)],
    ] as string[][];
    const record = { ...SUCCESS_EVENT, extra: 1 } as Record<string, unknown>;
    const bodyIn = (order: string[], overrides: Record<string, unknown> = {}, drop?: string): string =>
      JSON.stringify(
        Object.fromEntries(
          order
            .filter((key) => key !== drop)
            .map((key) => [key, key in overrides ? overrides[key] : (record[key] ?? 0)]),
        ),
      );
    it("accepts the event in any order, with extra keys between its fields", async () => {
      for (const order of orders) {
        const body = bodyIn(order);
        const { headers } = signed(body);
        const { event } = await verifier.verify(body, headers as Record<string, string>);
        expect(event, body).toEqual(JSON.parse(body));
      }
    });

    it("refuses each field missing or of the wrong kind, in every order", async () => {
      for (const order of orders) {
        for (const name of names) {
          const expected = `field "${name}" of the upsert.success event must be`;
          expect((await rejectionOf(bodyIn(order, {}, name))).message, `${order} without ${name}`).toContain(expected);
          // null is of no field's kind.
          const mistyped = bodyIn(order, { [name]: null });
          expect((await rejectionOf(mistyped)).message, mistyped).toContain(expected);
        }
      }
    });

    it("names the first wrong field in the schema's order, whatever the body's order", async () => {
      const body = bodyIn(["type", ...names].reverse(), { url: 1, id: "x" });
      expect((await rejectionOf(body)).message).toContain('field "id" of the upsert.success event');
    });

    it("refuses a polluting key before a wrong field or type", async () => {
      const nested = bodyIn(["type", ...names], { id: "x" }).replace('"metadata":{', '"metadata":{"__proto__":1,');
      expect(nested).toContain('"metadata":{"__proto__":1,');
      expect((await rejectionOf(nested)).message).toContain('it contains a "__proto__" key');
      const untyped = '{"a":{"constructor":{"prototype":{}}}}';
      expect((await rejectionOf(untyped)).message).toContain('it contains a "constructor.prototype" key');
    });
  });

  it("names the polluting key", async () => {
    const proto = await rejectionOf('{"type":"x","a":{"__proto__":{"admin":true}}}');
    expect(proto.message).toContain('it contains a "__proto__" key');
    const ctor = await rejectionOf('{"type":"x","a":[{"constructor":{"prototype":{"admin":true}}}]}');
    expect(ctor.message).toContain('it contains a "constructor.prototype" key');
  });

  it("accepts nulls and other primitives inside arrays", async () => {
    const body = JSON.stringify({ ...SUCCESS_EVENT, metadata: { tags: [null, 1, "a", true, [null]] } });
    const { headers } = signed(body);
    const { event } = await verifier.verify(body, headers as Record<string, string>);
    expect(event).toEqual(JSON.parse(body));
  });
});
