// What every recipe must do on its framework's real production server: a genuine delivery
// reaches the route's code typed (it logs the document's name and page count) and its copy
// answers 200 without a second run; a forged and a stale one are refused 401 with the core's
// JSON error; a GET answers 405. The docs page shows the route file exactly as tested.
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { successPayload } from "../conformance/deliveries.js";
import { eventually } from "../support/eventually.js";
import { newSecret, signIndependently } from "../support/independent-signer.js";
import {
  appDir,
  buildApp,
  builtCore,
  docsFiles,
  type RecipeApp,
  type RunningApp,
  resolvedCore,
  routeSource,
  startApp,
  typecheckApp,
} from "./recipe-app.js";

/** A delivery as sent: a JSON text body and the headers the independent signer wrote for it. */
export interface Sent {
  body: string;
  headers: Record<string, string>;
}

/** `body` signed by the independent signer (node:crypto), as ColiVara sends it. */
export function signed(secret: string, body: string, options: { id?: string; timestamp?: number } = {}): Sent {
  return { body, headers: signIndependently(secret, body, options).headers };
}

export interface RecipeContext {
  secret: string;
  server(): RunningApp;
  /** POSTs `delivery` to the route of the app's server (or of `to`). */
  post(delivery: Sent, headers?: Record<string, string>, to?: RunningApp): Promise<Response>;
  /** A genuine delivery of a document with a name of its own; `line` is what the route logs for it. */
  genuine(): { delivery: Sent; id: string; line: string };
}

/** Builds the app once (its time is printed), starts it, and runs the shared recipe tests. */
export function describeRecipe(app: RecipeApp, title: string): RecipeContext {
  const secret = newSecret();
  let server: RunningApp | undefined;

  beforeAll(async () => {
    const seconds = await buildApp(app);
    if (app.build) console.info(`test/recipes/${app.name}: ${app.build.join(" ")} took ${seconds.toFixed(1)} s`);
    server = await startApp(app, secret);
  }, 600_000);
  afterAll(async () => {
    await server?.stop();
  });

  const context: RecipeContext = {
    secret,
    server: () => server as RunningApp,
    post: (delivery, headers = {}, to = context.server()) =>
      fetch(`${to.url}/webhooks/colivara`, {
        method: "POST",
        headers: { ...delivery.headers, ...headers },
        body: delivery.body,
      }),
    genuine: () => {
      const id = `msg_${randomBytes(12).toString("hex")}`;
      const name = `recipe-${randomBytes(4).toString("hex")}.pdf`;
      const delivery = signed(secret, JSON.stringify(successPayload({ name, num_pages: 7 })), { id });
      return { delivery, id, line: `${id}: ${name} is searchable (7 pages)` };
    },
  };

  describe(title, () => {
    it("imports the built @colivara/webhooks (packages/core/dist) through its node_modules", () => {
      expect(resolvedCore(app)).toEqual(builtCore);
    });

    it(`shows the route file (test/recipes/${app.name}/${app.route}) on its docs page as it is tested`, () => {
      expect(docsFiles(app).get(app.route)).toBe(routeSource(app));
    });

    it("type-checks the route under strict TypeScript, with the framework's generated types", async () => {
      const { errors, files } = await typecheckApp(app);
      expect(files).toContain(join(appDir(app), app.route));
      expect(errors).toBe("");
    });

    it("runs the route's code once for a genuine delivery, with the typed event; its copy answers 200", async () => {
      const { delivery, line } = context.genuine();
      const response = await context.post(delivery);
      expect(response.status).toBe(204);
      await eventually(() => expect(context.server().output()).toContain(line));
      const copy = await context.post(delivery);
      expect(copy.status).toBe(200);
      expect(await copy.json()).toEqual({ duplicate: true });
      expect(context.server().output().split(line).length - 1).toBe(1);
    });

    it("refuses a forged signature with 401 invalid_signature, the core's JSON error", async () => {
      const { delivery, id } = context.genuine();
      const forged = signed(newSecret(), delivery.body, { id });
      const response = await context.post(forged);
      expect(response.status).toBe(401);
      expect(response.headers.get("content-type")).toMatch(/^application\/json/);
      const { error } = (await response.json()) as { error: { code: string; message: string } };
      expect(error.code).toBe("invalid_signature");
      expect(error.message).not.toContain(forged.headers["svix-signature"] as string);
      expect(context.server().output()).not.toContain(`${id}:`);
    });

    it("refuses a delivery signed 10 minutes ago with 401 timestamp_too_old", async () => {
      const { delivery, id } = context.genuine();
      const stale = signed(secret, delivery.body, { id, timestamp: Math.floor(Date.now() / 1000) - 600 });
      const response = await context.post(stale);
      expect(response.status).toBe(401);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe("timestamp_too_old");
      expect(context.server().output()).not.toContain(`${id}:`);
    });

    it("answers a GET with 405, allowing POST", async () => {
      const response = await fetch(`${context.server().url}/webhooks/colivara`);
      expect(response.status).toBe(405);
      expect(response.headers.get("allow")).toBe("POST");
    });

    if (app.missingSecret === "start") {
      it("does not start without COLIVARA_WEBHOOK_SECRET, and says what to set", async () => {
        await expect(startApp(app, undefined)).rejects.toThrow(/did not serve[\s\S]*COLIVARA_WEBHOOK_SECRET/);
      });
    } else {
      it("answers 500 without COLIVARA_WEBHOOK_SECRET (the route loads on its first request), and logs what to set", async () => {
        const unset = await startApp(app, undefined);
        try {
          const { delivery, id } = context.genuine();
          expect((await context.post(delivery, {}, unset)).status).toBe(500);
          expect(unset.output()).toContain("COLIVARA_WEBHOOK_SECRET");
          expect(unset.output()).not.toContain(`${id}:`);
        } finally {
          await unset.stop();
        }
      });
    }

    it("leaves nothing listening on its port once its process is stopped", async () => {
      const extra = await startApp(app, secret);
      await extra.stop();
      await expect(fetch(`${extra.url}/webhooks/colivara`)).rejects.toThrow();
    });

    // Only where the framework has such a check: no skipped test elsewhere.
    if (app.formCheck) {
      it(`refuses a cross-site form post 403 (${app.formCheck}), and takes a JSON delivery from anywhere`, async () => {
        const form = await fetch(`${context.server().url}/webhooks/colivara`, {
          method: "POST",
          headers: { "content-type": "text/plain", origin: "https://elsewhere.example" },
          body: "{}",
        });
        expect(form.status).toBe(403);
        const { delivery } = context.genuine();
        expect((await context.post(delivery, { origin: "https://elsewhere.example" })).status).toBe(204);
      });
    }
  });

  return context;
}
