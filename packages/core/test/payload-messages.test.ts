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
