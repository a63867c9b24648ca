import { type DynamicModule, Module, type Provider } from "@nestjs/common";
import { DiscoveryModule, DiscoveryService, HttpAdapterHost, MetadataScanner } from "@nestjs/core";
import type { ColivaraWebhooksModuleAsyncOptions, ColivaraWebhooksModuleOptions } from "./options.js";
import { ColivaraReceiver } from "./receiver.js";

/** The injection token of the module's options. */
export const COLIVARA_WEBHOOKS_OPTIONS: unique symbol = Symbol("COLIVARA_WEBHOOKS_OPTIONS");

const receiver: Provider = {
  provide: ColivaraReceiver,
  useFactory: (
    options: ColivaraWebhooksModuleOptions,
    adapterHost: HttpAdapterHost,
    discovery: DiscoveryService,
    scanner: MetadataScanner,
  ) => new ColivaraReceiver(options, adapterHost, discovery, scanner),
  inject: [COLIVARA_WEBHOOKS_OPTIONS, HttpAdapterHost, DiscoveryService, MetadataScanner],
};

/**
 * The ColiVara webhooks module (Nest 10 and 11, platform-express and platform-fastify).
 * Deliveries to `path` (default `/webhooks/colivara`) are read as raw bytes before Nest's
 * body parsers, verified and claimed by the core pipeline; then the module runs the provider
 * methods decorated with `@OnColivaraEvent()` and answers itself (204, or 500 so ColiVara
 * retries), or, without such methods, hands the delivery to your `@ColivaraWebhook()` route.
 * Every refusal answers with the failure table's status and JSON body. Bad configuration
 * throws at module init. Other routes keep Nest's body parsing.
 *
 * @example
 * ```ts
 * @Module({
 *   imports: [ColivaraWebhooksModule.forRoot({ secret: process.env.COLIVARA_WEBHOOK_SECRET })],
 *   providers: [DocumentEvents],
 * })
 * export class AppModule {}
 * ```
 */
// biome-ignore lint/complexity/noStaticOnlyClass: Nest's dynamic modules are classes with static forRoot/forRootAsync
export class ColivaraWebhooksModule {
  /**
   * Registers the webhook route with these options.
   *
   * @example
   * ```ts
   * ColivaraWebhooksModule.forRoot({ secret: process.env.COLIVARA_WEBHOOK_SECRET, path: "/webhooks/colivara" });
   * ```
   */
  static forRoot(options: ColivaraWebhooksModuleOptions = {}): DynamicModule {
    return {
      module: ColivaraWebhooksModule,
      imports: [DiscoveryModule],
      providers: [{ provide: COLIVARA_WEBHOOKS_OPTIONS, useValue: options }, receiver],
    };
  }

  /**
   * Registers the webhook route with options from a factory (the secret from `ConfigService`).
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
  static forRootAsync(options: ColivaraWebhooksModuleAsyncOptions): DynamicModule {
    return {
      module: ColivaraWebhooksModule,
      imports: [DiscoveryModule, ...(options.imports ?? [])],
      providers: [
        { provide: COLIVARA_WEBHOOKS_OPTIONS, useFactory: options.useFactory, inject: options.inject ?? [] },
        receiver,
      ],
    };
  }
}
Module({})(ColivaraWebhooksModule);
