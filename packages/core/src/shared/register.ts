/**
 * Declares the app's metadata type once, for the request types a framework keeps global
 * (`req.colivara` in Express, `request.colivara` in Fastify): augment it in any file of the
 * app, and pass the same schema as the adapter's `metadata` option (the option's output is
 * then checked against the declared type).
 *
 * @example
 * ```ts
 * import { z } from "zod";
 *
 * export const Meta = z.object({ tenant: z.string() });
 *
 * declare module "@colivara/webhooks" {
 *   interface Register {
 *     metadata: z.infer<typeof Meta>;
 *   }
 * }
 * ```
 */
// biome-ignore lint/suspicious/noEmptyInterface: users augment it (declaration merging).
export interface Register {}

/**
 * The metadata type declared in {@link Register}, else `Record<string, unknown>`.
 *
 * @example
 * ```ts
 * function audit(metadata: RegisteredMetadata): void {
 *   console.info("metadata", Object.keys(metadata as object));
 * }
 * ```
 */
export type RegisteredMetadata = Register extends { metadata: infer M } ? M : Record<string, unknown>;
