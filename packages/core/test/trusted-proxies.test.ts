// trustProxy as Express's `trust proxy`: every hop, a hop count, or the proxies' addresses
// (IPv4, IPv6, CIDR, IPv4-mapped IPv6). The client address is the one the last trusted proxy
// saw and the scheme the one it wrote: what a client prepends to X-Forwarded-For or
// X-Forwarded-Proto never counts. Bad values fail at creation, naming what to set.
import { describe, expect, it } from "vitest";
import { compileProxyTrust } from "../src/http/proxy-trust.js";
import { createDeliveryPipeline } from "../src/pipeline/pipeline.js";
import { WebhookVerificationError } from "../src/shared/errors.js";
import { memoryPino, OLD_SECRET, pipelineFor, type Request, signed } from "./record-support.js";

/** A delivery as the server receives it: the peer, and the forwarding headers as they arrive. */
function via(peer: string | undefined, forwardedFor: string | undefined, forwardedProto?: string): Request {
  const request = signed();
  if (peer === undefined) delete request.remoteAddress;
  else request.remoteAddress = peer;
  if (forwardedFor !== undefined) request.headers["x-forwarded-for"] = forwardedFor;
  if (forwardedProto !== undefined) request.headers["x-forwarded-proto"] = forwardedProto;
  return request;
}

/** What the record says and how the pipeline answers, with requireHttps on. */
async function outcome(trustProxy: unknown, request: Request): Promise<{ status: number; address: unknown }> {
  const { logger, lines } = memoryPino();
  const { receive } = pipelineFor(
    { log: logger, requireHttps: true, trustProxy: trustProxy as never },
    () => undefined,
  );
  const { status } = await receive(request);
  return { status, address: lines[0]?.remoteAddress };
}

describe("trustProxy: which hops count", () => {
  it("behind one trusted proxy (hop count 1), a forged X-Forwarded-For and X-Forwarded-Proto do not count", async () => {
    // The client sent `X-Forwarded-For: 1.2.3.4` and `X-Forwarded-Proto: https` over plain
    // HTTP; the proxy at 10.0.0.1 appended what it saw.
    const forged = via("10.0.0.1", "1.2.3.4, 198.51.100.7", "https, http");
    expect(await outcome(1, forged)).toEqual({ status: 403, address: "198.51.100.7" });
    const genuine = via("10.0.0.1", "1.2.3.4, 198.51.100.7", "http, https");
    expect(await outcome(1, genuine)).toEqual({ status: 204, address: "198.51.100.7" });
  });

  it("takes the entry of the outermost trusted proxy, however many there are", async () => {
    // CDN (TLS) -> load balancer -> server: two trusted hops, each appends.
    const chain = via("10.0.0.2", "1.2.3.4, 198.51.100.7, 203.0.113.50", "http, https, http");
    expect(await outcome(2, chain)).toEqual({ status: 204, address: "198.51.100.7" });
    expect(await outcome(1, chain)).toEqual({ status: 403, address: "203.0.113.50" });
  });

  it("reads the left-most entry when the proxies overwrite X-Forwarded-Proto rather than append", async () => {
    expect(await outcome(2, via("10.0.0.2", "198.51.100.7, 203.0.113.50", "https"))).toEqual({
      status: 204,
      address: "198.51.100.7",
    });
  });

  it("trusts the listed addresses and CIDR ranges only, whatever the hop", async () => {
    const proxies = ["10.0.0.0/8", "2001:db8::/32"];
    const request = via("10.0.0.1", "1.2.3.4, 198.51.100.7, 2001:db8::5", "https, http, https");
    expect(await outcome(proxies, request)).toEqual({ status: 403, address: "198.51.100.7" });
    // The peer is not a listed proxy: its headers are the client's own.
    const direct = via("198.51.100.9", "10.0.0.7", "https");
    expect(await outcome(proxies, direct)).toEqual({ status: 403, address: "198.51.100.9" });
  });

  it("with every hop trusted (true), the client-most entries count", async () => {
    expect(await outcome(true, via("10.0.0.1", "198.51.100.7, 10.0.0.9", "https, http"))).toEqual({
      status: 204,
      address: "198.51.100.7",
    });
  });

  it("where the runtime does not name the peer, the nearest hop is the proxy the user put in front", async () => {
    expect(await outcome(1, via(undefined, "1.2.3.4, 198.51.100.7", "https, http"))).toEqual({
      status: 403,
      address: "198.51.100.7",
    });
    expect(
      await outcome("203.0.113.50", via(undefined, "1.2.3.4, 198.51.100.7, 203.0.113.50", "https, https, http")),
    ).toEqual({
      status: 204,
      address: "198.51.100.7",
    });
  });

  it("ignores the forwarding headers with no trusted proxy, and with a hop count of 0", async () => {
    for (const trustProxy of [undefined, false, 0]) {
      expect(await outcome(trustProxy, via("198.51.100.9", "1.2.3.4", "https"))).toEqual({
        status: 403,
        address: "198.51.100.9",
      });
    }
  });
});

describe("trustProxy addresses", () => {
  it.each([
    ["10.0.0.1", "10.0.0.1", true],
    ["10.0.0.1", "10.0.0.2", false],
    ["10.0.0.1", "::ffff:10.0.0.1", true],
    ["10.0.0.0/8", "10.255.1.2", true],
    ["10.0.0.0/8", "11.0.0.1", false],
    ["172.16.0.0/12", "172.31.255.255", true],
    ["172.16.0.0/12", "172.32.0.0", false],
    ["10.0.0.0/8", "::ffff:10.1.2.3", true],
    ["::ffff:10.0.0.0/104", "10.9.9.9", true],
    ["2001:db8::/32", "2001:db8:ffff::1", true],
    ["2001:db8::/32", "2001:db9::1", false],
    ["fe80::/10", "fe80::1%eth0", true],
    ["::1", "::1", true],
    ["::1", "0:0:0:0:0:0:0:1", true],
    ["loopback", "127.9.9.9", true],
    ["loopback", "::1", true],
    ["uniquelocal", "192.168.1.1", true],
    ["uniquelocal", "fd12::1", true],
    ["uniquelocal", "8.8.8.8", false],
    ["linklocal", "169.254.1.1", true],
    ["0.0.0.0/0", "2001:db8::1", false],
    ["::/0", "8.8.8.8", true],
    ["10.0.0.1", "10.0.0.1:8080", false],
    ["10.0.0.1", "010.0.0.1", false],
    ["10.0.0.1", "not-an-address", false],
  ])("%s trusts %s: %s", (range, address, trusted) => {
    expect(compileProxyTrust(range)(address, 1)).toBe(trusted);
  });

  it("takes comma-separated strings and arrays, as Express does", () => {
    const trust = compileProxyTrust(["10.0.0.1, 10.0.0.2", "fc00::/7"]);
    expect(["10.0.0.1", "10.0.0.2", "fc00::9", "10.0.0.3"].map((address) => trust(address, 1))).toEqual([
      true,
      true,
      true,
      false,
    ]);
  });
});

describe("trustProxy checks at creation", () => {
  it.each([
    [-1, /whole number of hops/],
    [1.5, /whole number of hops/],
    [Number.NaN, /whole number of hops/],
    ["10.0.0", /not an IP address/],
    ["10.0.0.0/33", /not an IP address/],
    ["2001:db8::/129", /not an IP address/],
    ["1::2::3", /not an IP address/],
    [[], /empty address/],
    ["10.0.0.1,", /empty address/],
    [[10], /must be strings/],
    [{ hops: 1 }, /must be true, a hop count or addresses/],
  ])("refuses %j", (value, message) => {
    const create = () => createDeliveryPipeline({ secret: OLD_SECRET, trustProxy: value as never });
    expect(create).toThrow(WebhookVerificationError);
    expect(create).toThrow(message);
    expect(create).toThrow(/Set trustProxy to true \(every hop\), a hop count such as 1/);
  });

  it("refuses any trustProxy where the framework has its own setting", () => {
    for (const value of [1, "10.0.0.1", true]) {
      expect(() =>
        createDeliveryPipeline(
          { secret: OLD_SECRET, trustProxy: value },
          { proxySetting: 'app.set("trust proxy", 1)' },
        ),
      ).toThrow(/this framework decides it itself: app.set\("trust proxy", 1\)/);
    }
  });
});
