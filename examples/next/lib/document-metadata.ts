import { z } from "zod";

/**
 * The metadata this app uploads its documents with (the `metadata` of ColiVara's upsert
 * request): a tenant. As the `metadata` option of a route, it makes `event.metadata` a
 * `{ tenant: string }` in the handler (other keys stripped), and a document uploaded without
 * one is refused for good: 422 invalid_metadata with `webhook-delivery: abort-message`, kept
 * through `deadLetter` and reported through `onError` (paths and messages, never the values).
 * zod is plain JavaScript: the same schema serves the Node.js and the Edge runtime.
 */
export const DocumentMetadata = z.object({ tenant: z.string().min(1) });

export type DocumentMetadata = z.infer<typeof DocumentMetadata>;
