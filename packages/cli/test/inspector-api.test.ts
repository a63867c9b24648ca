// The inspector's own API on a real listener: a replay says what the copy came to, and a
// kept delivery is handed out as a file the verifier accepts (full signature, no credentials).
import { createVerifier } from "@colivara/webhooks";
import { afterEach, describe, expect, it } from "vitest";
import { newSecret, signIndependently } from "../../../test/support/independent-signer.js";
import { type Listener, startListener } from "../src/listen.js";

const SUCCESS = JSON.stringify({
  type: "upsert.success",
  message: "Upsert successful",
  id: 7,
  name: "report.pdf",
  metadata: {},
  url: "https://example.com/report.pdf",
  num_pages: 3,
  collection_name: "default_collection",
});

let running: Listener | undefined;
afterEach(async () => {
  await running?.close();
});

async function withDelivery(): Promise<{ listener: Listener; secret: string; seq: number }> {
  const secret = newSecret();
  running = await startListener({ port: 0, secret: [secret], onDelivery: () => {} });
  const { body, headers } = signIndependently(secret, SUCCESS);
  const response = await fetch(running.url, {
    method: "POST",
    body: String(body),
    headers: { ...headers, cookie: "session=private" },
  });
  expect(response.status).toBe(200);
  return { listener: running, secret, seq: running.log.reports[0]?.seq ?? 0 };
}

const replay = (listener: Listener, seq: number, mode: string) =>
  fetch(`${listener.origin}/inspector/replay`, {
    method: "POST",
    headers: { "x-colivara-inspector": "replay", "content-type": "application/json" },
    body: JSON.stringify({ seq, mode }),
  }).then((r) => r.json() as Promise<Record<string, unknown>>);

describe("the inspector's API", () => {
  it("a replay answers with what the copy came to: its seq, verdict and code", async () => {
    const { listener, seq } = await withDelivery();
    expect(await replay(listener, seq, "as-is")).toMatchObject({ status: 200, seq: seq + 1, verdict: "duplicate" });
    expect(await replay(listener, seq, "resign")).toMatchObject({ status: 200, seq: seq + 2, verdict: "accepted" });
  });

  it("hands a kept delivery out as a file the verifier accepts, without its cookies", async () => {
    const { listener, secret, seq } = await withDelivery();
    const file = (await (await fetch(`${listener.origin}/inspector/delivery/${seq}`)).json()) as {
      headers: Record<string, string>;
      body: string;
    };
    expect(file.body).toBe(SUCCESS);
    expect(Object.keys(file.headers).map((name) => name.toLowerCase())).not.toContain("cookie");
    expect(Object.keys(file.headers).map((name) => name.toLowerCase())).not.toContain("host");
    const webhook = await createVerifier({ secret }).verify(file.body, file.headers);
    expect(webhook.event.type).toBe("upsert.success");
    expect((await fetch(`${listener.origin}/inspector/delivery/999`)).status).toBe(404);
  });
});
