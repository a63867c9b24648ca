import pino from "pino";
import { webhookOptions } from "./webhook-options";

/**
 * The options of the example's Node.js routes (App Router on Node, Pages Router):
 * COLIVARA_LOG=json adds a pino record of every attempt on stdout, as production would ship
 * to its log store (Next.js keeps pino out of its server bundle by default). The Edge routes
 * use `webhookOptions` alone: pino needs Node.
 */
export const nodeWebhookOptions = {
  ...webhookOptions,
  log: process.env.COLIVARA_LOG === "json" ? pino() : undefined,
};
