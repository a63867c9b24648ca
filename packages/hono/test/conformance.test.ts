import { runRecordSuite } from "../../../test/conformance/records.js";
import { runConformanceSuite } from "../../../test/conformance/suite.js";
import { startHonoApp } from "./conformance-app.js";

runConformanceSuite({ name: "hono (node-server)", start: ({ secret }) => startHonoApp(secret) });
runRecordSuite({ name: "hono (node-server)", start: ({ secret }) => startHonoApp(secret) });
