// The four Express routes of the benchmark: ours, a bare express.raw() route doing no
// verification, the floor (express.raw() + one HMAC + JSON.parse) and the route a user would
// write by hand with the svix package. A process builds only the route it measures, so no
// other app's code shapes the JIT's view of Express.
import { createServer } from "node:http";
import { verifyColivara } from "@colivara/webhooks-express";
import express from "express";
import { Webhook } from "svix";
import { floorVerify } from "./serve.mjs";

const limit = "2mb";

const routes = {
  ours(app, secret) {
    // The benchmark repeats one signed delivery: without dedupe: false it would measure the
    // {"duplicate":true} answer instead of a verified, handled request.
    app.post("/hook", verifyColivara({ secret, limit, dedupe: false }), (req, res) => {
      res.json({ ok: true, type: req.colivara.event.type });
    });
  },
  bare(app) {
    app.post("/hook", express.raw({ type: "application/json", limit }), (req, res) => {
      res.json({ ok: true, bytes: req.body.length });
    });
  },
  floor(app, secret) {
    app.post("/hook", express.raw({ type: "application/json", limit }), (req, res) => {
      const event = floorVerify(secret, req.headers, req.body);
      if (event) res.json({ ok: true, type: event.type });
      else res.status(401).json({ ok: false });
    });
  },
  svix(app, secret) {
    const wh = new Webhook(secret);
    app.post("/hook", express.raw({ type: "application/json", limit }), (req, res) => {
      try {
        const event = wh.verify(req.body, req.headers);
        res.json({ ok: true, type: event.type });
      } catch {
        res.status(401).json({ ok: false });
      }
    });
  },
};

/**
 * @param {string} secret
 * @param {"ours" | "bare" | "floor" | "svix"} route
 * @returns {Promise<import("node:http").Server>} not listening yet
 */
export async function expressApp(secret, route) {
  const app = express();
  routes[route](app, secret);
  return createServer(app);
}
