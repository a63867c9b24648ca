// The conformance app (see test/conformance/suite.ts) built with Fastify 4 or 5.
import type { IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import type { FastifyInstance, onRequestHookHandler } from "fastify";
import { ConformanceMetadata, createHandledLog } from "../../../test/conformance/handled-log.js";
import { type ConformanceApp, DEFAULT_PATHS } from "../../../test/conformance/suite.js";
import colivaraWebhooks from "../src/index.js";

type FastifyFactory = typeof import("fastify").default;

/**
 * A JSON body parser that runs before the verifier, as Connect middleware does when mounted
 * through @fastify/middie or @fastify/express (`app.use(express.json())` runs in onRequest):
 * it reads the raw request to the end and leaves the parsed object on `req.body`.
 */
export const connectStyleJsonParser: onRequestHookHandler = (request, _reply, done) => {
  const raw = request.raw as IncomingMessage & { body?: unknown; _body?: boolean };
  const chunks: Buffer[] = [];
  raw.on("data", (chunk: Buffer) => chunks.push(chunk));
  raw.on("end", () => {
    raw.body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
    raw._body = true;
    done();
  });
};

export async function startFastifyApp(fastify: FastifyFactory, secret: string): Promise<ConformanceApp> {
  const { record, handled, on, recordTyped, deadLetter, log, records } = createHandledLog();
  const app: FastifyInstance = fastify();

  // The documented form: register once, opt routes in through their config.
  await app.register(colivaraWebhooks, { secret, log });
  app.post("/webhooks/colivara", { config: { colivara: true } }, async (request, reply) => {
    record("verify", request.colivara);
    return reply.code(200).send({ id: request.colivara.id, type: request.colivara.event.type });
  });

  // The handler-map form: the plugin declares `path` itself, in its own scope.
  await app.register(async (scope) => {
    await scope.register(colivaraWebhooks, {
      secret,
      path: "/webhooks/handlers",
      onError: () => {},
      on,
      log,
    });
  });

  // A JSON body parser ran before the plugin (Connect-style, in onRequest): no raw bytes left.
  await app.register(async (scope) => {
    await scope.register(colivaraWebhooks, { secret, onError: () => {} });
    scope.post(
      "/webhooks/parsed-first",
      { config: { colivara: true }, onRequest: connectStyleJsonParser },
      async (request, reply) => {
        record("verify", request.colivara);
        return reply.code(200).send();
      },
    );
  });
  // Typed metadata, in its own scope.
  await app.register(async (scope) => {
    await scope.register(colivaraWebhooks, { secret, metadata: ConformanceMetadata, deadLetter, onError: () => {} });
    scope.post("/webhooks/metadata", { config: { colivara: true } }, async (request, reply) => {
      // Without a Register declaration request.colivara is untyped: the suite checks the value.
      recordTyped(request.colivara as Parameters<typeof recordTyped>[0]);
      return reply.code(200).send({ id: request.colivara.id, type: request.colivara.event.type });
    });
  });
  app.post("/echo", async (request) => request.body);
  app.get("/health", async () => "ok");

  await app.listen({ port: 0, host: "127.0.0.1" });
  const { port } = app.server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    paths: DEFAULT_PATHS,
    handled,
    records,
    close: async () => {
      app.server.closeAllConnections();
      await app.close();
    },
  };
}
