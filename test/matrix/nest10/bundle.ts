// Nest 10's packages (this folder's node_modules) and a copy of the module's sources placed in
// this folder (./src-copy, written by nest10.test.ts), so that its imports of @nestjs/* resolve
// to Nest 10 as they would in a Nest 10 app.
import * as common from "@nestjs/common";
import * as core from "@nestjs/core";
import * as platformExpress from "@nestjs/platform-express";
import * as platformFastify from "@nestjs/platform-fastify";
import * as testing from "@nestjs/testing";
import express from "express";
import type { NestBundle } from "../../../packages/nestjs/test/conformance-app.js";
// @ts-expect-error: written by nest10.test.ts before this file is imported
import * as colivara from "./src-copy/index.js";

export const nest10 = {
  common,
  core,
  testing,
  platformExpress,
  platformFastify,
  express,
  colivara,
} as unknown as NestBundle;
