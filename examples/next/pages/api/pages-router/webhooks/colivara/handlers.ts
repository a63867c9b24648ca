// The handler-map form in a Pages Router API route.
import { withColivaraWebhookPages } from "@colivara/webhooks-next";
import { handlerMap } from "@/lib/webhook-log";

export const config = { api: { bodyParser: false } };

export default withColivaraWebhookPages({ on: handlerMap("pages") });
