// The four Next.js Pages Router routes of the benchmark, served by a plain node:http server
// that hands each request to the route as Next's API resolver would (req, res), with
// `bodyParser: false` as the README requires: ours (withColivaraWebhookPages), a bare route
// that only reads the stream, the floor (stream + one HMAC + JSON.parse) and the route a
// user would write by hand with the svix package. Booting Next itself would measure Next's
// router, the same for all four routes; the ratios are about the route.
import { createServer } from "node:http";
import { withColivaraWebhookPages } from "@colivara/webhooks-next";
import { Webhook } from "svix";
import { floorVerify } from "./serve.mjs";

/** The body as a Buffer, read the way a Pages route with bodyParser: false usually does. */
function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on("data", (chunk) => chunks.push(chunk));
    req.on("end", () => resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

function json(res, status, value) {
  res.statusCode = status;
  res.setHeader("content-type", "application/json");
  res.end(JSON.stringify(value));
}

const routes = {
  ours(secret) {
    // dedupe: false, as in the other HTTP sections: the load repeats one signed delivery.
    return withColivaraWebhookPages((webhook, _req, res) => json(res, 200, { ok: true, type: webhook.event.type }), {
      secret,
      dedupe: false,
    });
  },
  bare() {
    return async (req, res) => json(res, 200, { ok: true, bytes: (await readBody(req)).length });
  },
  floor(secret) {
    return async (req, res) => {
      const event = floorVerify(secret, req.headers, await readBody(req));
      if (event) json(res, 200, { ok: true, type: event.type });
      else json(res, 401, { ok: false });
    };
  },
  svix(secret) {
    const wh = new Webhook(secret);
    return async (req, res) => {
      try {
        const event = wh.verify(await readBody(req), req.headers);
        json(res, 200, { ok: true, type: event.type });
      } catch {
        json(res, 401, { ok: false });
      }
    };
  },
};

/**
 * @param {string} secret
 * @param {"ours" | "bare" | "floor" | "svix"} route
 * @returns {Promise<import("node:http").Server>} not listening yet
 */
export async function pagesApp(secret, route) {
  return createServer(routes[route](secret));
}
