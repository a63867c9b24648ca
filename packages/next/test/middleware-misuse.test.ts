// withColivaraWebhook() used in middleware.ts answers NextResponse.next(): the route behind it
// has not run, so the delivery must not be recorded as handled. It fails, naming the fix, and
// the retry still reaches the handler. Next 16 and 15.
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { NextResponse as NextResponse16 } from "next/server.js";
import { describe, expect, it, vi } from "vitest";
import { newSecret, sign, successPayload } from "../../../test/conformance/deliveries.js";
import { withColivaraWebhook } from "../src/index.js";

const next15 = createRequire(fileURLToPath(new URL("../../../test/matrix/next15/package.json", import.meta.url)));
const NextResponse15 = (next15("next/server") as { NextResponse: typeof NextResponse16 }).NextResponse;
const secret = newSecret();

describe.each([
  ["next 16", NextResponse16],
  ["next 15", NextResponse15],
])("%s", (_name, NextResponse) => {
  it.each([
    ["NextResponse.next()", () => NextResponse.next()],
    ["NextResponse.rewrite()", () => NextResponse.rewrite(new URL("http://127.0.0.1/elsewhere"))],
    ["NextResponse.next() from an async handler", async () => NextResponse.next()],
  ])("refuses %s and keeps the delivery for the retry", async (_label, answer) => {
    const onError = vi.fn();
    const handler = vi.fn(answer);
    const middleware = withColivaraWebhook(handler, { secret, onError });
    const delivery = sign(secret, successPayload());
    const request = () =>
      new Request("http://127.0.0.1/api/webhooks/colivara", {
        method: "POST",
        body: delivery.body,
        headers: delivery.headers,
      });
    const response = await middleware(request());
    expect(response.status).toBe(500);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe("invalid_config");
    expect(String(onError.mock.calls[0]?.[0])).toMatch(/middleware\.ts.*Verify in the route itself/);
    // Not swallowed as a duplicate: the retry runs the handler again.
    expect((await middleware(request())).status).toBe(500);
    expect(handler).toHaveBeenCalledTimes(2);
  });
});
