import express5 from "express";
import express4 from "express4";
import { runRecordSuite } from "../../../test/conformance/records.js";
import { runConformanceSuite } from "../../../test/conformance/suite.js";
import { startExpressApp } from "./conformance-app.js";

runConformanceSuite({ name: "express 5", start: ({ secret }) => startExpressApp(express5, secret) });
runConformanceSuite({
  name: "express 4",
  start: ({ secret }) => startExpressApp(express4, secret),
});
runRecordSuite({ name: "express 5", start: ({ secret }) => startExpressApp(express5, secret) });
runRecordSuite({ name: "express 4", start: ({ secret }) => startExpressApp(express4, secret) });
