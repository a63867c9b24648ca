// Types users of the Next adapter need, re-exported so one import is enough.
export type {
  ColivaraEvent,
  ColivaraWebhookOptions,
  ErrorContext,
  MetadataSchema,
  UnknownEvent,
  UpsertFailEvent,
  UpsertSuccessEvent,
  VerifiedWebhook,
  WebhookErrorCode,
  WebhookHandlers,
} from "@colivara/webhooks";
