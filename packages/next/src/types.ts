// Types users of the Next adapter need, re-exported so one import is enough.
export type {
  ColivaraEvent,
  UnknownEvent,
  UpsertFailEvent,
  UpsertSuccessEvent,
  VerifiedWebhook,
  WebhookErrorCode,
} from "@colivara/webhooks";
export type { ErrorContext, WebhookHandlers } from "@colivara/webhooks/adapter";
