// The handler-map form on the Edge runtime.
import { withColivaraWebhook } from "@colivara/webhooks-next";
import { handlerMap } from "@/lib/webhook-log";

export const runtime = "edge";

export const POST = withColivaraWebhook({ on: handlerMap("app-edge") });
