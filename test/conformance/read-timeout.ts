// Shared check for every adapter: a client that trickles its body and stalls is answered
// 408 request_timeout after readTimeoutMs, and its connection is closed.
import { expect } from "vitest";
import { newId } from "./deliveries.js";
import { trickleThenStall } from "./http-client.js";

export async function expectSlowUploadCutOff(url: string, handled: () => string[]): Promise<void> {
  const id = newId();
  const response = await trickleThenStall(url, {
    "content-type": "application/json",
    "svix-id": id,
    "svix-timestamp": String(Math.floor(Date.now() / 1000)),
    "svix-signature": `v1,${Buffer.alloc(32).toString("base64")}`,
  });
  expect(response.status).toBe(408);
  expect(JSON.parse(response.body).error.code).toBe("request_timeout");
  expect(response.closedByServer).toBe(true);
  expect(handled()).not.toContain(id);
}
