// Observability section: what the delivery record costs per request on the Express route at
// 1 KiB, with recording off, with pino writing every record to a file, and with pino plus the
// OpenTelemetry SDK (a span and three metrics per delivery). Server CPU per request, medians
// over rounds that rotate the order (the machine is shared); requests/s are shown too.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { measureRoute, startServerProcess } from "./http-load.mjs";
import { formatOps, KiB, renderTable, SECRET, signDelivery, upsertSuccessBody } from "./lib.mjs";

const VARIANTS = ["off", "pino", "otel"];
const LABELS = { off: "log: false", pino: "pino to a file", otel: "pino + OpenTelemetry SDK" };
const median = (values) => [...values].sort((a, b) => a - b)[values.length >> 1];

/** @param {{ quick?: boolean, log?: (line: string) => void }} [options] */
export async function observabilitySection({ quick = false, log = () => {} } = {}) {
  const duration = quick ? 1 : 2;
  const rounds = quick ? 3 : 5;
  const dir = mkdtempSync(join(tmpdir(), "colivara-bench-log-"));
  const script = fileURLToPath(new URL("./servers/observability-servers.mjs", import.meta.url));
  const servers = {};
  const runs = Object.fromEntries(VARIANTS.map((variant) => [variant, []]));
  try {
    for (const variant of VARIANTS) {
      servers[variant] = await startServerProcess(script, [variant, join(dir, `${variant}.log`)], {
        BENCH_SECRET: SECRET,
      });
    }
    const body = upsertSuccessBody(1 * KiB);
    const headers = signDelivery(body);
    const url = (variant) => `http://127.0.0.1:${servers[variant].ports[variant]}/hook`;
    for (const variant of VARIANTS) await measureRoute(servers[variant], url(variant), { body, headers, duration: 1 });
    for (let round = 0; round < rounds; round++) {
      log(`  1 KiB: round ${round + 1}/${rounds} (${VARIANTS.length} variants × ${duration} s)…`);
      for (let i = 0; i < VARIANTS.length; i++) {
        const variant = VARIANTS[(i + round) % VARIANTS.length];
        runs[variant].push(await measureRoute(servers[variant], url(variant), { body, headers, duration }));
      }
    }
  } finally {
    for (const server of Object.values(servers)) await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  const cpu = Object.fromEntries(VARIANTS.map((v) => [v, median(runs[v].map((run) => run.cpuPerRequest))]));
  const rps = Object.fromEntries(VARIANTS.map((v) => [v, median(runs[v].map((run) => run.rps))]));
  const overhead = (variant) => cpu[variant] / cpu.off - 1;
  const table = renderTable(
    ["Express route, 1 KiB", "req/s", "CPU µs/req", "overhead µs/req", "overhead"],
    VARIANTS.map((v) => [
      LABELS[v],
      formatOps(rps[v]),
      cpu[v].toFixed(1),
      v === "off" ? "" : (cpu[v] - cpu.off).toFixed(1),
      v === "off" ? "" : `${(overhead(v) * 100).toFixed(1)}%`,
    ]),
  );
  const ratio = cpu.off / cpu.otel;
  return {
    name: "observability",
    title: "Observability: the delivery record's cost per request (Express, server CPU per request)",
    table,
    results: { cpuMicrosPerRequest: cpu, rps, overhead: { pino: overhead("pino"), otel: overhead("otel") } },
    checks: [
      {
        name: "pino + OpenTelemetry within 5% of log: false at 1 KiB (CPU per request)",
        target: 0.95,
        actual: ratio,
        pass: ratio >= 0.95,
      },
    ],
  };
}
