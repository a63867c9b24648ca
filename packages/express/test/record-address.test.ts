// The record's remoteAddress is the peer as Express reports it: the socket's address unless
// the app trusts a proxy, then the client X-Forwarded-For names. A forged X-Forwarded-For must
// not reach the record of an app that trusts no proxy. Express 4 and 5, real HTTP.
import type { AddressInfo } from "node:net";
import type { DeliveryRecord } from "@colivara/webhooks";
import express5 from "express";
import express4 from "express4";
import { afterEach, describe, expect, it } from "vitest";
import { newSecret, sign, successPayload } from "../../../test/conformance/deliveries.js";
import { verifyColivara } from "../src/index.js";

const secret = newSecret();
const closers: Array<() => void> = [];
afterEach(() => {
  for (const close of closers.splice(0)) close();
});

/** A logger that keeps every record it is given. */
function keeping(records: DeliveryRecord[]) {
  const keep = (fields: object) => {
    records.push(fields as DeliveryRecord);
  };
  return { info: keep, warn: keep, error: keep };
}

describe.each([
  ["express 5", express5],
  ["express 4", express4 as unknown as typeof express5],
])("%s", (_name, express) => {
  async function recordOf(trustProxy: unknown, forwardedFor: string): Promise<DeliveryRecord> {
    const records: DeliveryRecord[] = [];
    const app = express();
    if (trustProxy !== undefined) app.set("trust proxy", trustProxy);
    app.post("/hook", verifyColivara({ secret, log: keeping(records) }), (_req, res) => {
      res.sendStatus(204);
    });
    const server = app.listen(0, "127.0.0.1");
    await new Promise<void>((resolve) => server.once("listening", () => resolve()));
    closers.push(() => {
      server.closeAllConnections();
      server.close();
    });
    const { body, headers } = sign(secret, successPayload());
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
    const response = await fetch(url, {
      method: "POST",
      body,
      headers: { ...headers, "x-forwarded-for": forwardedFor },
    });
    expect(response.status).toBe(204);
    expect(records).toHaveLength(1);
    return records[0] as DeliveryRecord;
  }

  it("records the socket's address when no proxy is trusted, whatever X-Forwarded-For says", async () => {
    expect((await recordOf(undefined, "203.0.113.9")).remoteAddress).toMatch(/^(::ffff:)?127\.0\.0\.1$/);
    expect((await recordOf(false, "203.0.113.9")).remoteAddress).toMatch(/^(::ffff:)?127\.0\.0\.1$/);
  });

  it("records the client the trusted proxy names", async () => {
    expect((await recordOf(true, "203.0.113.9")).remoteAddress).toBe("203.0.113.9");
    expect((await recordOf("loopback", "198.51.100.7, 203.0.113.9")).remoteAddress).toBe("203.0.113.9");
  });
});
