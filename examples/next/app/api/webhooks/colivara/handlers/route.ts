// The handler-map form: the wrapper answers itself (204, or 500 when a handler throws).
import { withColivaraWebhook } from "@colivara/webhooks-next";
import { handlerMap } from "@/lib/webhook-log";

export const POST = withColivaraWebhook({ on: handlerMap("app-node") });
