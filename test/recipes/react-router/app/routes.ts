import { type RouteConfig, route } from "@react-router/dev/routes";

export default [route("webhooks/colivara", "routes/webhooks.colivara.ts")] satisfies RouteConfig;
