import fastify5 from "fastify";
import fastify4 from "fastify4";
import { runRecordSuite } from "../../../test/conformance/records.js";
import { runConformanceSuite } from "../../../test/conformance/suite.js";
import { startFastifyApp } from "./conformance-app.js";

runConformanceSuite({ name: "fastify 5", start: ({ secret }) => startFastifyApp(fastify5, secret) });
runConformanceSuite({
  name: "fastify 4",
  start: ({ secret }) => startFastifyApp(fastify4 as unknown as typeof fastify5, secret),
});
runRecordSuite({ name: "fastify 5", start: ({ secret }) => startFastifyApp(fastify5, secret) });
runRecordSuite({
  name: "fastify 4",
  start: ({ secret }) => startFastifyApp(fastify4 as unknown as typeof fastify5, secret),
});
