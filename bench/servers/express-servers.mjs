// Four Express apps for the benchmark, one port each: ours, a bare express.raw() route
// doing no verification, the floor (express.raw() + one HMAC + JSON.parse) and the route a
// user would write by hand with the svix package.
import { verifyColivara } from "@colivara/webhooks-express";
import express from "express";
import { Webhook } from "svix";
import { announce, floorVerify } from "./serve.mjs";

const secret = process.env.BENCH_SECRET;
const limit = "2mb";

function listen(app) {
  return new Promise((resolve) => {
    const server = app.listen(0, "127.0.0.1", () => resolve(server.address().port));
  });
}

const ours = express();
// The benchmark repeats one signed delivery: without dedupe: false it would measure the
// {"duplicate":true} answer instead of a verified, handled request.
ours.post("/hook", verifyColivara({ secret, limit, dedupe: false }), (req, res) => {
  res.json({ ok: true, type: req.colivara.event.type });
});

const bare = express();
bare.post("/hook", express.raw({ type: "application/json", limit }), (req, res) => {
  res.json({ ok: true, bytes: req.body.length });
});

const floor = express();
floor.post("/hook", express.raw({ type: "application/json", limit }), (req, res) => {
  const event = floorVerify(secret, req.headers, req.body);
  if (event) res.json({ ok: true, type: event.type });
  else res.status(401).json({ ok: false });
});

const svix = express();
const wh = new Webhook(secret);
svix.post("/hook", express.raw({ type: "application/json", limit }), (req, res) => {
  try {
    const event = wh.verify(req.body, req.headers);
    res.json({ ok: true, type: event.type });
  } catch {
    res.status(401).json({ ok: false });
  }
});

announce({ ours: await listen(ours), bare: await listen(bare), floor: await listen(floor), svix: await listen(svix) });
