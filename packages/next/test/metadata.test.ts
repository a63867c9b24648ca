// The App Router wrapper with a `metadata` schema, called as Next calls `export const POST`
// (examples/next serves the same over HTTP: its metadata routes run the conformance suite in
// test/e2e/next-example.test.ts and test/matrix/next15.test.ts).
import { describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { newSecret, sign, successPayload } from "../../../test/conformance/deliveries.js";
import { withColivaraWebhook } from "../src/index.js";

const secret = newSecret();
const Meta = z.object({ tenant: z.string() });

function post(handler: (request: Request) => Promise<Response>, metadata: unknown): Promise<Response> {
  const delivery = sign(secret, successPayload({ metadata }));
  return handler(
    new Request("http://127.0.0.1:3000/api/webhooks/colivara", {
      method: "POST",
      body: delivery.body,
      headers: delivery.headers,
    }),
  );
}

describe("withColivaraWebhook with a metadata schema", () => {
  it("hands the handler the schema's output and refuses a mismatch with 422 and abort-message", async () => {
    const seen: unknown[] = [];
    const deadLetter = vi.fn();
    const POST = withColivaraWebhook(
      async ({ event }) => {
        if (event.type === "upsert.success") seen.push(event.metadata.tenant);
      },
      { secret, metadata: Meta, deadLetter, onError: () => {} },
    );
    expect((await post(POST, { tenant: "acme" })).status).toBe(204);
    expect(seen).toEqual(["acme"]);
    const refused = await post(POST, { tenant: 1 });
    expect(refused.status).toBe(422);
    expect(refused.headers.get("webhook-delivery")).toBe("abort-message");
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe("invalid_metadata");
    expect(deadLetter).toHaveBeenCalledOnce();
    expect(seen).toEqual(["acme"]);
  });

  it("types and checks the handler map the same way", async () => {
    const onError = vi.fn();
    const success = vi.fn();
    const POST = withColivaraWebhook({ secret, metadata: Meta, onError, on: { "upsert.success": success } });
    expect((await post(POST, { tenant: "acme", extra: 1 })).status).toBe(204);
    expect(success.mock.calls[0]?.[0]).toMatchObject({ metadata: { tenant: "acme" } });
    expect((await post(POST, {})).status).toBe(422);
    expect(onError).toHaveBeenCalledOnce();
    expect(onError.mock.calls[0]?.[0]).toMatchObject({ code: "invalid_metadata", issues: [{ path: ["tenant"] }] });
  });
});
