import colivaraWebhooks from "@colivara/webhooks-fastify";
import Fastify from "fastify";
import { expectTypeOf } from "vitest";
import { z } from "zod";
import { Meta } from "./register.js";

const app = Fastify();

export async function start(): Promise<void> {
  await app.register(colivaraWebhooks, { metadata: Meta });
  app.post("/webhooks/colivara", { config: { colivara: true } }, async (request) => {
    const { event } = request.colivara;
    if (event.type === "upsert.success") {
      expectTypeOf(event.metadata.tenant).toEqualTypeOf<string>();
      // @ts-expect-error: not a field of the registered metadata
      event.metadata.owner;
    }
    return { ok: true };
  });
  await app.register(colivaraWebhooks, {
    metadata: Meta,
    path: "/webhooks/handlers",
    on: { "upsert.fail": (event) => expectTypeOf(event.metadata.plan).toEqualTypeOf<"free" | "pro" | undefined>() },
  });
  // @ts-expect-error: the schema's output must be the registered type
  await app.register(colivaraWebhooks, { metadata: z.object({ tenant: z.boolean() }) });
}
