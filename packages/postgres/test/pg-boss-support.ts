// What the pg-boss tests share: a pg-boss started on a throwaway PostgreSQL, the dedupe
// table, and a real Express server whose route hands deliveries off.
import type { AddressInfo } from "node:net";
import type { WebhookHandlers } from "@colivara/webhooks";
import { verifyColivara } from "@colivara/webhooks-express";
import express from "express";
import type pg from "pg";
import { type ConstructorOptions, PgBoss } from "pg-boss";
import { type IndependentDelivery, signIndependently } from "../../../test/support/independent-signer.js";
import { migrate, type PgBossHandOff, pgBossJobId } from "../src/index.js";
import { tableName } from "./clients.js";

export interface Answer {
  status: number;
  body: Record<string, unknown> | undefined;
}

export async function post(url: string, delivery: IndependentDelivery): Promise<Answer> {
  const response = await fetch(url, { method: "POST", body: String(delivery.body), headers: delivery.headers });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : undefined };
}

export const idOf = (delivery: IndependentDelivery): string => delivery.headers["svix-id"] as string;

export function delivery(secret: string, name: string, metadata: Record<string, unknown> = {}): IndependentDelivery {
  const body = JSON.stringify({
    type: "upsert.success",
    message: "Document upserted successfully",
    id: 1,
    name,
    metadata,
    url: "https://example.com/a.pdf",
    num_pages: 1,
    collection_name: "default_collection",
  });
  return signIndependently(secret, body);
}

export interface StartedBoss {
  boss: PgBoss;
  errors: unknown[];
}

export interface Served {
  base: string;
  errors: Array<{ code?: string; message: string }>;
  close(): Promise<unknown>;
}

/** A started pg-boss whose errors (a restarted server) are kept, not thrown. */
export async function startBoss(
  url: string,
  options: Omit<ConstructorOptions, "connectionString"> = {},
): Promise<StartedBoss> {
  const boss = new PgBoss({ connectionString: url, ...options });
  const errors: unknown[] = [];
  boss.on("error", (error) => errors.push(error));
  await boss.start();
  return { boss, errors };
}

/** A fresh queue and dedupe table, so tests never see each other's jobs or marks. */
export async function freshQueue(boss: PgBoss, admin: pg.Pool): Promise<{ queue: string; table: string }> {
  const queue = `q-${Math.random().toString(36).slice(2, 10)}`;
  const table = tableName();
  await migrate(admin, { table });
  await boss.createQueue(`${queue}.dead-letters`);
  await boss.createQueue(queue, { deadLetter: `${queue}.dead-letters` });
  return { queue, table };
}

/** An Express app serving `POST /hand-off` (handOff) and `POST /inline` (on, deadLetter). */
export async function serve(secret: string, handOff: PgBossHandOff, on: WebhookHandlers = {}): Promise<Served> {
  const errors: Array<{ code?: string; message: string }> = [];
  const onError = (error: unknown) => errors.push(error as { code?: string; message: string });
  const app = express();
  app.post("/hand-off", verifyColivara({ secret, handOff, onError }));
  app.post("/inline", verifyColivara({ secret, dedupe: false, on, deadLetter: handOff.deadLetter, onError }));
  const listening = app.listen(0, "127.0.0.1");
  await new Promise((resolve) => listening.once("listening", resolve));
  const base = `http://127.0.0.1:${(listening.address() as AddressInfo).port}`;
  return { base, errors, close: () => new Promise((resolve) => listening.close(resolve)) };
}

/** How many jobs of the delivery `id` the queue holds, in any state. */
export async function jobCount(admin: pg.Pool, queue: string, id: string): Promise<number> {
  const { rows } = await admin.query("SELECT count(*)::int AS n FROM pgboss.job WHERE name = $1 AND id = $2", [
    queue,
    pgBossJobId(id),
  ]);
  return (rows[0] as { n: number }).n;
}

/** The dedupe table's row of `key`, or undefined. */
export async function markOf(
  admin: pg.Pool,
  table: string,
  key: string,
): Promise<{ token: string | null } | undefined> {
  const { rows } = await admin.query(`SELECT token FROM "${table}" WHERE key = $1`, [key]);
  return rows[0] as { token: string | null } | undefined;
}
