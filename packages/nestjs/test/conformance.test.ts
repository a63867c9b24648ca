import { runRecordSuite } from "../../../test/conformance/records.js";
import { runConformanceSuite } from "../../../test/conformance/suite.js";
import { startNestApp } from "./conformance-app.js";

for (const platform of ["express", "fastify"] as const) {
  runConformanceSuite({ name: `nestjs (platform-${platform})`, start: ({ secret }) => startNestApp(platform, secret) });
  runRecordSuite({ name: `nestjs (platform-${platform})`, start: ({ secret }) => startNestApp(platform, secret) });
}
