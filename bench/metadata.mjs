// Metadata section: what a `metadata` schema costs per delivery, at the core verify level.
// The same 1 KiB upsert.success verified without a schema and with a small schema of each
// Standard Schema library the tests use (all synchronous: no promise is added).
import assert from "node:assert/strict";
import { createVerifier } from "@colivara/webhooks";
import { createMetadataCheck } from "@colivara/webhooks/adapter";
import { type } from "arktype";
import * as v from "valibot";
import { z } from "zod";
import { formatOps, KiB, measure, renderTable, SECRET, signDelivery, upsertSuccessBody } from "./lib.mjs";

/** The metadata of lib.mjs's body: author, department, tags, source and a summary. */
function schemas() {
  return {
    zod: z.object({
      author: z.string(),
      department: z.string(),
      tags: z.array(z.string()),
      source: z.string(),
      summary: z.string(),
    }),
    valibot: v.object({
      author: v.string(),
      department: v.string(),
      tags: v.array(v.string()),
      source: v.string(),
      summary: v.string(),
    }),
    arktype: type({ author: "string", department: "string", tags: "string[]", source: "string", summary: "string" }),
  };
}

/**
 * Runs the section and returns its results.
 *
 * @param {{ quick?: boolean, log?: (line: string) => void }} [options]
 */
export async function metadataSection({ quick = false, log = () => {} } = {}) {
  const time = quick ? 400 : 2000;
  const warmupTime = quick ? 100 : 300;
  const rounds = quick ? 2 : 5;
  const body = upsertSuccessBody(1 * KiB);
  const headers = signDelivery(body);
  const candidates = [
    { name: "none", verifier: createVerifier({ secret: SECRET }) },
    ...Object.entries(schemas()).map(([name, metadata]) => ({
      name,
      verifier: createVerifier({ secret: SECRET, metadata }),
    })),
  ];
  for (const { name, verifier } of candidates) {
    const { event } = await verifier.verify(body, headers);
    assert.equal(event.metadata.department, "finance", `${name}: metadata not handed over`);
  }
  log(`  1 KiB: ${candidates.map((c) => c.name).join(", ")} (${time} ms each, in ${rounds} rounds)…`);
  const measured = await measure(
    candidates.map(({ name, verifier }) => ({ name, async: true, fn: () => verifier.verify(body, headers) })),
    { time, warmupTime, rounds },
  );
  // The pipeline's metadata step alone (what a delivery pays on top of verify), synchronous:
  // the difference above drowns in the noise of a shared machine.
  const { event } = await candidates[0].verifier.verify(body, headers);
  const webhook = { id: "msg_bench", timestamp: new Date(), event };
  const steps = candidates.map(({ name }) => ({ name, check: createMetadataCheck(schemas()[name]) }));
  log(`  the metadata step alone: ${steps.map((c) => c.name).join(", ")}…`);
  const stepped = await measure(
    steps.map(({ name, check }) => ({ name, async: false, fn: () => check(webhook) })),
    { time: time / 2, warmupTime, rounds },
  );
  const results = candidates.map(({ name }) => {
    const m = measured.get(name);
    const step = stepped.get(name);
    return { name, opsPerSec: m.opsPerSec, nsPerOp: m.nsPerOp, spread: m.spread, stepNs: step.nsPerOp };
  });
  const micro = (ns) => `${(ns / 1000).toFixed(2)} µs`;
  const rows = results.map((r) => [
    r.name === "none" ? "no schema" : `${r.name} schema (5 fields)`,
    `${formatOps(r.opsPerSec)} ±${r.spread.toFixed(1)}%`,
    micro(r.nsPerOp),
    r.name === "none" ? `${r.stepNs.toFixed(0)} ns` : micro(r.stepNs),
  ]);
  return {
    name: "metadata",
    title: "Metadata: verify() of a 1 KiB upsert.success, without and with a metadata schema",
    settings: { timeMsPerCandidate: time, warmupMs: warmupTime, rounds, quick },
    results,
    checks: [],
    table: renderTable(["candidate", "verify() ops/s", "per delivery", "metadata step alone"], rows),
  };
}
