// The adapter sections measured over HTTP (autocannon, 32 connections, each route's server
// in its own process): Express, Fastify and the Next.js Pages Router.
import { compareRoutes } from "./http-load.mjs";

const section = (name, adapter, title) => ({
  name,
  run: ({ quick = false, log = () => {} } = {}) => compareRoutes({ name, adapter, title, quick, log }),
});

export const HTTP_SECTIONS = [
  section(
    "express",
    "Express",
    "Express: verifyColivara() vs bare express.raw() vs floor (express.raw() + HMAC + JSON.parse) vs express.raw() + svix",
  ),
  section(
    "fastify",
    "Fastify",
    "Fastify: plugin-verified route vs bare JSON route vs floor (raw-buffer parser + HMAC + JSON.parse) vs raw-buffer + svix",
  ),
  section(
    "next-pages",
    "Next Pages",
    "Next.js Pages Router: withColivaraWebhookPages vs bare stream read vs floor (stream + HMAC + JSON.parse) vs stream + svix (node:http, bodyParser: false)",
  ),
];
