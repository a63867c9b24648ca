// The smallest Nuxt app that serves the webhook route (server/routes/webhooks/colivara.post.ts).
export default defineNuxtConfig({
  compatibilityDate: "2026-11-01",
  telemetry: false,
});
