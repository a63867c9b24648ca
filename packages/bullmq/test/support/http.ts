// Sends signed deliveries (signed by the real svix package) to the receiver fixtures.
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import type { Delivery } from "../../../../test/conformance/deliveries.js";

export interface Answer {
  id: string;
  status: number;
  body: Record<string, unknown> | undefined;
  headers: Headers;
}

export async function post(url: string, delivery: Delivery): Promise<Answer> {
  const response = await fetch(url, { method: "POST", body: delivery.body, headers: delivery.headers });
  const text = await response.text();
  const body = text ? (JSON.parse(text) as Record<string, unknown>) : undefined;
  return { id: delivery.id, status: response.status, body, headers: response.headers };
}

/** Runs `work` over `items` with at most `inFlight` at once. */
export async function pool<T, R>(
  items: T[],
  inFlight: number,
  work: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index] as T, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(inFlight, items.length) }, lane));
  return results;
}

const cli = fileURLToPath(new URL("../../dist/jobs-cli.mjs", import.meta.url));

/** Runs the built `colivara-webhooks-jobs` bin. */
export async function jobsCli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [cli, ...args]);
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}
