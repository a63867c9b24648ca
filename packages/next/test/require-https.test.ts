// An App Router route sees no socket, and Next.js builds request.url's scheme from
// x-forwarded-proto (whoever sent it): requireHttps there can only be decided by a trusted
// proxy, so without trustProxy the wrapper refuses to start instead of refusing every
// delivery. The Pages Router reads the socket. (Real HTTP: test/transport/proxy-chain.test.ts.)
import { describe, expect, it } from "vitest";
import { newSecret } from "../../../test/support/independent-signer.js";
import { withColivaraWebhook, withColivaraWebhookPages } from "../src/index.js";

const secret = newSecret();

describe("requireHttps with Next.js", () => {
  it("App Router: refuses requireHttps without trustProxy at creation, naming why and what to set", () => {
    const create = () => withColivaraWebhook(() => undefined, { secret, requireHttps: true });
    expect(create).toThrow(
      /An App Router route sees no socket, and Next\.js builds request\.url's scheme from x-forwarded-proto/,
    );
    expect(create).toThrow(/set trustProxy to its hop count \(1 for one proxy, as on Vercel\)/);
    expect(() => withColivaraWebhook({ secret, requireHttps: true, on: {} })).toThrow(/withColivaraWebhook/);
  });

  it("App Router: starts with trustProxy; Pages Router: starts without it (the socket decides)", () => {
    expect(() => withColivaraWebhook(() => undefined, { secret, requireHttps: true, trustProxy: 1 })).not.toThrow();
    expect(() => withColivaraWebhookPages(() => undefined, { secret, requireHttps: true })).not.toThrow();
  });
});
