import type { ColivaraWebhookOptions, RegisteredMetadata } from "@colivara/webhooks";
import type { FactoryProvider, ModuleMetadata } from "@nestjs/common";

/**
 * The module's options: every option the other adapters take (`secret`, `path`, `dedupe`,
 * `handOff`, `metadata`, `log`, `telemetry`, `requireHttps`...), except the handler map:
 * handlers are provider methods decorated with `@OnColivaraEvent()`. `path` (default
 * `/webhooks/colivara`) is the full URL path on the HTTP server, global prefix included.
 *
 * @example
 * ```ts
 * const options: ColivaraWebhooksModuleOptions = { secret: process.env.COLIVARA_WEBHOOK_SECRET, path: "/webhooks/colivara" };
 * ```
 */
export type ColivaraWebhooksModuleOptions<M = RegisteredMetadata> = Omit<ColivaraWebhookOptions<M>, "on">;

/**
 * `forRootAsync`: the options from a factory, with the modules and providers it needs.
 *
 * @example
 * ```ts
 * ColivaraWebhooksModule.forRootAsync({
 *   imports: [ConfigModule],
 *   inject: [ConfigService],
 *   useFactory: (config: ConfigService) => ({ secret: config.getOrThrow("COLIVARA_WEBHOOK_SECRET") }),
 * });
 * ```
 */
export interface ColivaraWebhooksModuleAsyncOptions extends Pick<ModuleMetadata, "imports"> {
  inject?: FactoryProvider["inject"];
  useFactory: (
    // biome-ignore lint/suspicious/noExplicitAny: Nest passes the injected providers, typed by the caller
    ...args: any[]
  ) => ColivaraWebhooksModuleOptions | Promise<ColivaraWebhooksModuleOptions>;
}
