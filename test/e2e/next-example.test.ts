// examples/next built once with `next build` (without the secret), then started with
// `next start` on 127.0.0.1 and driven over HTTP: the shared conformance suite against the
// App Router on Node, the App Router on Edge and the Pages Router, and the example's own
// promises (each verified event logged, a missing secret answering 500 with a clear log).
//
// Each suite brings its own secret and a running server cannot change its environment, so
// every suite gets its own `next start` (well under a second) on the one shared build.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Delivery, failPayload, newSecret, sign, successPayload } from "../conformance/deliveries.js";
import { type AdapterFactory, runConformanceSuite } from "../conformance/suite.js";
import { eventually } from "../support/eventually.js";
import {
  buildExample,
  handledBy,
  type ExampleIntegration as Integration,
  type RunningExample,
  startExample,
} from "./next-server.js";

interface IntegrationSpec {
  name: string;
  runtime: "nodejs" | "edge";
  answersAfterUploadReason?: string;
  paths: { verify: string; handlers: string; parsedFirst: string; json: string; health: string; metadata: string };
}

const INTEGRATIONS: Record<Integration, IntegrationSpec> = {
  "app-node": {
    name: "next App Router (Node.js runtime)",
    runtime: "nodejs",
    paths: {
      verify: "/api/webhooks/colivara",
      handlers: "/api/webhooks/colivara/handlers",
      parsedFirst: "/api/webhooks/colivara/parsed-first",
      json: "/api/echo",
      health: "/api/health",
      metadata: "/api/webhooks/colivara/metadata",
    },
  },
  "app-edge": {
    name: "next App Router (Edge runtime)",
    runtime: "edge",
    // next/dist/server/web/sandbox/sandbox.js awaits the whole request body (finally →
    // body.finalize()) before any Edge response leaves `next start`. The wrapper itself
    // answers from Content-Length without reading: see packages/next/test.
    answersAfterUploadReason: "next start sends no Edge function response before the request body has arrived",
    paths: {
      verify: "/api/edge/webhooks/colivara",
      handlers: "/api/edge/webhooks/colivara/handlers",
      parsedFirst: "/api/edge/webhooks/colivara/parsed-first",
      json: "/api/edge/echo",
      health: "/api/health",
      metadata: "/api/edge/webhooks/colivara/metadata",
    },
  },
  pages: {
    name: "next Pages Router",
    runtime: "nodejs",
    paths: {
      verify: "/api/pages-router/webhooks/colivara",
      handlers: "/api/pages-router/webhooks/colivara/handlers",
      parsedFirst: "/api/pages-router/webhooks/colivara/parsed-first",
      json: "/api/pages-router/echo",
      health: "/api/health",
      metadata: "/api/pages-router/webhooks/colivara/metadata",
    },
  },
};

function factory(integration: Integration): AdapterFactory {
  const { name, paths, answersAfterUploadReason } = INTEGRATIONS[integration];
  return {
    name,
    ...(answersAfterUploadReason !== undefined ? { answersAfterUploadReason } : {}),
    start: async ({ secret }) => {
      const server = await startExample(secret);
      return {
        url: server.url,
        paths,
        handled: () => handledBy(server, integration),
        close: () => server.stop(),
      };
    },
  };
}

beforeAll(async () => {
  const { seconds } = await buildExample();
  console.info(`examples/next: next build took ${seconds.toFixed(1)} s`);
}, 600_000);

for (const integration of Object.keys(INTEGRATIONS) as Integration[]) runConformanceSuite(factory(integration));

/**
 * A `next start` of the built example for the enclosing describe (its own secret, or none),
 * and a way to POST a delivery to it.
 */
function serveExample(secret: string | undefined): {
  server: () => RunningExample;
  post: (path: string, delivery: Pick<Delivery, "body" | "headers">) => Promise<Response>;
} {
  let running: RunningExample | undefined;
  beforeAll(async () => {
    running = await startExample(secret);
  });
  afterAll(async () => {
    await running?.stop();
  });
  const server = () => running as RunningExample;
  const post = (path: string, delivery: Pick<Delivery, "body" | "headers">) =>
    fetch(`${server().url}${path}`, { method: "POST", body: delivery.body, headers: delivery.headers });
  return { server, post };
}

describe("examples/next", () => {
  const secret = newSecret();
  const { server, post } = serveExample(secret);

  it.each(Object.keys(INTEGRATIONS) as Integration[])("%s: logs each verified event, on its runtime", async (key) => {
    const { paths, runtime } = INTEGRATIONS[key];
    const ok = sign(secret, successPayload({ name: "e2e.pdf", num_pages: 3 }));
    const fail = sign(secret, failPayload({ name: "bad.pdf" }));
    expect((await post(paths.verify, ok)).status).toBe(200);
    expect((await post(paths.verify, fail)).status).toBe(200);
    const lines = await server().verified();
    expect(lines.find((l) => l.id === ok.id)).toMatchObject({
      integration: key,
      runtime,
      type: "upsert.success",
      summary: "e2e.pdf stored in default_collection (3 pages, document 1234)",
    });
    expect(lines.find((l) => l.id === fail.id)).toMatchObject({
      integration: key,
      runtime,
      type: "upsert.fail",
      summary: "bad.pdf failed: Could not convert the document",
    });
  });

  it("logs the handler error behind a 500 from the handler map", async () => {
    const delivery = sign(secret, failPayload({ name: "explode" }));
    expect((await post(INTEGRATIONS["app-edge"].paths.handlers, delivery)).status).toBe(500);
    // stderr is its own pipe, not ordered with the stdout marker: wait for the line.
    await eventually(() =>
      expect(server().stderr.join("\n")).toMatch(
        new RegExp(`webhook failure \\(delivery ${delivery.id}\\):\\s+Error: could not process explode`),
      ),
    );
  });

  it("reports nothing unexpected on stderr for genuine deliveries", async () => {
    await server().flush();
    // The one expected report: its first line, the error and its stack frames.
    const expected = /could not process explode|webhook failure \(delivery|^\s+at |^\s*[{}[\]]*\s*$/;
    const unexpected = server().stderr.filter((l) => l.trim() !== "" && !expected.test(l));
    expect(unexpected).toEqual([]);
  });
});

describe("examples/next metadata routes", () => {
  // Its own server: the report of each refusal is expected on stderr here.
  const secret = newSecret();
  const { server, post } = serveExample(secret);

  it.each(Object.keys(INTEGRATIONS) as Integration[])(
    "%s: keeps a mismatch as a dead-letter line and reports its issues, never the values",
    async (key) => {
      const owner = `owner-${newSecret().slice(6, 18)}@example.com`;
      const delivery = sign(secret, successPayload({ metadata: { tenant: 42, owner } }));
      const response = await post(INTEGRATIONS[key].paths.metadata, delivery);
      expect(response.status).toBe(422);
      expect(response.headers.get("webhook-delivery")).toBe("abort-message");
      const kept = (await server().deadLetters()).filter((line) => line.id === delivery.id);
      expect(kept).toEqual([
        expect.objectContaining({
          integration: key,
          runtime: INTEGRATIONS[key].runtime,
          type: "upsert.success",
          code: "invalid_metadata",
          issues: [{ path: ["tenant"], message: expect.any(String) }],
        }),
      ]);
      expect((await server().verified()).some((line) => line.id === delivery.id)).toBe(false);
      // onError (console.error by default) names the path; stderr is its own pipe: wait for it.
      await eventually(() =>
        expect(server().stderr.join("\n")).toMatch(
          new RegExp(
            `webhook failure \\(delivery ${delivery.id}\\):[^]*?does not match the metadata schema \\(metadata\\.tenant: `,
          ),
        ),
      );
      expect([...server().stdout, ...server().stderr].join("\n")).not.toContain(owner);
    },
  );
});

describe("examples/next started without COLIVARA_WEBHOOK_SECRET", () => {
  const { server, post } = serveExample(undefined);

  const MISSING = "No webhook secret configured. Set the COLIVARA_WEBHOOK_SECRET environment variable";
  const reported = () => server().stderr.filter((line) => line.includes(MISSING)).length;

  it.each(Object.keys(INTEGRATIONS) as Integration[])("%s: answers 500 and says what to set", async (key) => {
    const before = reported();
    const delivery = sign(newSecret(), successPayload());
    const response = await post(INTEGRATIONS[key].paths.verify, delivery);
    expect(response.status).toBe(500);
    const { error } = (await response.json()) as { error: { code: string; message: string } };
    expect(error.code).toBe("invalid_config");
    // The caller learns that the endpoint is misconfigured; the log says what to set.
    expect(error.message).not.toContain("COLIVARA_WEBHOOK_SECRET");
    // One log line per refused request (stderr is not ordered with stdout: wait for it).
    await eventually(() => expect(reported()).toBe(before + 1));
    expect((await server().verified()).some((l) => l.id === delivery.id)).toBe(false);
  });

  it("keeps serving the rest of the app", async () => {
    expect((await fetch(`${server().url}/api/health`)).status).toBe(200);
  });
});
