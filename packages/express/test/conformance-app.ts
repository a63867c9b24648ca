// The conformance app (see test/conformance/suite.ts) built with Express 4 or 5.
import type { AddressInfo } from "node:net";
import { ConformanceMetadata, createHandledLog } from "../../../test/conformance/handled-log.js";
import { type ConformanceApp, DEFAULT_PATHS } from "../../../test/conformance/suite.js";
import { verifyColivara } from "../src/index.js";

type ExpressModule = typeof import("express");

export async function startExpressApp(express: ExpressModule, secret: string): Promise<ConformanceApp> {
  const { record, handled, on, recordTyped, deadLetter, log, records } = createHandledLog();
  const app = express();

  // The documented form: the middleware guards the whole path, the route only handles.
  app.use("/webhooks/colivara", verifyColivara({ secret, log }));
  app.post("/webhooks/colivara", (req, res) => {
    record("verify", req.colivara);
    res.status(200).json({ id: req.colivara.id, type: req.colivara.event.type });
  });
  app.post(
    "/webhooks/handlers",
    verifyColivara({
      secret,
      onError: () => {},
      on,
      log,
    }),
  );
  app.post(
    "/webhooks/metadata",
    verifyColivara({ secret, metadata: ConformanceMetadata, deadLetter, onError: () => {} }),
    (req, res) => {
      // Without a Register declaration req.colivara is untyped: the suite checks the value.
      recordTyped(req.colivara as Parameters<typeof recordTyped>[0]);
      res.status(200).json({ id: req.colivara.id, type: req.colivara.event.type });
    },
  );
  app.use(express.json());
  app.post("/webhooks/parsed-first", verifyColivara({ secret, onError: () => {} }), (req, res) => {
    record("verify", req.colivara);
    res.sendStatus(200);
  });
  app.post("/echo", (req, res) => {
    res.json(req.body);
  });
  app.get("/health", (_req, res) => {
    res.send("ok");
  });

  const server = app.listen(0, "127.0.0.1");
  await new Promise<void>((resolve) => server.once("listening", () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    paths: DEFAULT_PATHS,
    handled,
    records,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
