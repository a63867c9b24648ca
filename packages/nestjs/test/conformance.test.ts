import * as common from "@nestjs/common";
import * as core from "@nestjs/core";
import * as platformExpress from "@nestjs/platform-express";
import * as platformFastify from "@nestjs/platform-fastify";
import * as testing from "@nestjs/testing";
import express from "express";
import { runRecordSuite } from "../../../test/conformance/records.js";
import { runConformanceSuite } from "../../../test/conformance/suite.js";
import * as colivara from "../src/index.js";
import { type NestBundle, startNestApp } from "./conformance-app.js";

const nest: NestBundle = { common, core, testing, platformExpress, platformFastify, express, colivara };

for (const platform of ["express", "fastify"] as const) {
  const name = `nestjs 11 (platform-${platform})`;
  runConformanceSuite({ name, start: ({ secret }) => startNestApp(nest, platform, secret) });
  runRecordSuite({ name, start: ({ secret }) => startNestApp(nest, platform, secret) });
}
// The production path: NestFactory.create, whose adapter exists before any provider.
runConformanceSuite({
  name: "nestjs 11 (platform-express, NestFactory)",
  start: ({ secret }) => startNestApp(nest, "express", secret, "factory"),
});
