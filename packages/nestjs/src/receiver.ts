import {
  type ColivaraWebhookOptions,
  DEFAULT_PATH,
  type EventHandler,
  WebhookVerificationError,
} from "@colivara/webhooks";
import { createDeliveryPipeline, type DeliveryPipeline } from "@colivara/webhooks/adapter";
import { Logger, type OnModuleInit } from "@nestjs/common";
import type { DiscoveryService, HttpAdapterHost, MetadataScanner } from "@nestjs/core";
import { type ColivaraEventType, handlerDeclarationsOf, isWebhookRoute } from "./decorators.js";
import { EXPRESS_PROXY, expressCapture } from "./express-capture.js";
import { acceptVerifiedBodies, FASTIFY_PROXY, type FastifyInstanceLike, fastifyCapture } from "./fastify-capture.js";
import type { ColivaraWebhooksModuleOptions } from "./options.js";

type Handlers = Partial<Record<ColivaraEventType, EventHandler<never>[]>>;
/** What the receiver uses of Nest's HTTP adapter (Express or Fastify). */
interface HttpAdapter {
  getType(): string;
  getInstance(): { post?(path: string, handler: unknown): unknown };
  use(handler: unknown): unknown;
}

/** HTTP instances a receiver already serves: a path is captured once per app. */
const installedPaths = new WeakMap<object, Set<string>>();

function invalid(message: string): WebhookVerificationError {
  return new WebhookVerificationError("invalid_config", message);
}

/** The options object; the handler map is the decorators' job. */
function checkedOptions(options: unknown): ColivaraWebhookOptions {
  if (typeof options !== "object" || options === null) {
    throw invalid("ColivaraWebhooksModule options must be an object, e.g. forRoot({ secret }).");
  }
  if ("on" in options) {
    throw invalid(
      'The module takes no handler map (on): decorate provider methods with @OnColivaraEvent("upsert.success").',
    );
  }
  return options as ColivaraWebhookOptions;
}

/** The core's handler map from the discovered handlers, or `undefined` when there are none. */
function handlerMap(handlers: Handlers): ColivaraWebhookOptions["on"] {
  const entries = Object.entries(handlers).map(([type, list]) => [type, inTurn(list)]);
  return entries.length > 0 ? Object.fromEntries(entries) : undefined;
}

/** All handlers declared for one type, run in turn as one handler of the core's map. */
function inTurn(list: EventHandler<never>[]): EventHandler<never> {
  if (list.length === 1) return list[0] as EventHandler<never>;
  return async (event, webhook) => {
    for (const handler of list) await handler(event, webhook);
  };
}

/**
 * One module registration: installs the capture on the HTTP adapter before Nest registers
 * its body parsers, then (at module init) binds the decorated handlers and builds the
 * pipeline, which throws there on bad configuration.
 */
export class ColivaraReceiver implements OnModuleInit {
  private pipeline: DeliveryPipeline | undefined;
  private platform: string | undefined;
  /** Why the capture could not be installed, thrown at module init (not from Nest's adapter event). */
  private installError: unknown;
  private readonly path: string;

  constructor(
    private readonly options: ColivaraWebhooksModuleOptions,
    private readonly adapterHost: HttpAdapterHost,
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
  ) {
    this.path = typeof options?.path === "string" ? options.path : DEFAULT_PATH;
    // NestFactory.create knows its adapter before any provider exists; @nestjs/testing sets it
    // in createNestApplication(), which Nest ≥ 11.1 announces through init$. Both come before
    // init() registers the body parsers, so the capture reads the untouched stream.
    const host = adapterHost as HttpAdapterHost & { init$?: { subscribe(next: () => void): unknown } };
    if (host.httpAdapter) this.tryInstall(true);
    else host.init$?.subscribe(() => this.tryInstall(true));
  }

  private tryInstall(early: boolean): void {
    try {
      this.install(early);
    } catch (error) {
      this.installError = error;
    }
  }

  onModuleInit(): void {
    if (this.installError !== undefined) throw this.installError;
    const options = checkedOptions(this.options);
    // Nest < 11.1 under @nestjs/testing set the adapter without a word: mount the capture now.
    if (this.platform === undefined && this.adapterHost.httpAdapter) this.install(false);
    const on = handlerMap(this.discoverHandlers());
    const proxySetting = this.platform === "fastify" ? FASTIFY_PROXY : EXPRESS_PROXY;
    const pipeline = createDeliveryPipeline(on === undefined ? options : { ...options, on }, { proxySetting });
    this.checkServed(pipeline.answersItself);
    if (pipeline.answersItself && this.platform === "fastify") this.declareFastifyRoute();
    this.pipeline = pipeline;
  }

  /** Mounts the capture on the adapter's Express or Fastify instance, once per path and app. */
  private install(early: boolean): void {
    const adapter = this.adapterHost.httpAdapter as unknown as HttpAdapter;
    const platform = adapter.getType();
    const instance = adapter.getInstance();
    const paths = installedPaths.get(instance) ?? new Set<string>();
    if (paths.has(this.path)) {
      throw invalid(`ColivaraWebhooksModule is registered twice for ${this.path}: import forRoot() once per path.`);
    }
    paths.add(this.path);
    installedPaths.set(instance, paths);
    const pipeline = () => this.pipeline;
    if (platform === "express") adapter.use(expressCapture(pipeline));
    else if (platform === "fastify") {
      const fastify = instance as unknown as FastifyInstanceLike;
      fastify.addHook("preParsing", fastifyCapture(pipeline));
      acceptVerifiedBodies(fastify);
    } else
      throw invalid(
        `ColivaraWebhooksModule runs on @nestjs/platform-express or @nestjs/platform-fastify, not "${platform}".`,
      );
    this.platform = platform;
    if (!early && platform === "express") {
      new Logger("ColivaraWebhooks").warn(
        "The capture was mounted after Nest's body parsers (Nest < 11.1 under @nestjs/testing): JSON deliveries answer 500 body_already_parsed unless the app is created with { rawBody: true }.",
      );
    }
  }

  /** Fastify runs a preParsing hook only on a route: the module declares its own, which the hook answers. */
  private declareFastifyRoute(): void {
    const instance = (this.adapterHost.httpAdapter as unknown as HttpAdapter).getInstance();
    instance.post?.(this.path, async () => {
      throw new Error("unreachable: the colivara pipeline answers this route");
    });
  }

  /** Registrations in this app: a handler without `path` is ambiguous when there are several. */
  private registrations(): number {
    return this.discovery.getProviders().filter((wrapper) => wrapper.instance instanceof ColivaraReceiver).length;
  }

  /** Every `@OnColivaraEvent()` method of the app's providers that belongs to this registration. */
  private discoverHandlers(): Handlers {
    const handlers: Handlers = {};
    const several = this.registrations() > 1;
    for (const wrapper of [...this.discovery.getProviders(), ...this.discovery.getControllers()]) {
      const prototype = (wrapper.metatype as { prototype?: object } | undefined)?.prototype;
      if (prototype === undefined || wrapper.instance === undefined || wrapper.instance === null) continue;
      for (const name of this.scanner.getAllMethodNames(prototype)) {
        const method = (prototype as Record<string, unknown>)[name];
        for (const { type, path } of handlerDeclarationsOf(method)) {
          if (path === undefined && several) {
            throw invalid(
              `@OnColivaraEvent("${type}") on ${wrapper.name}.${name} does not say which ColivaraWebhooksModule registration it belongs to: pass { path }.`,
            );
          }
          if ((path ?? this.path) !== this.path) continue;
          if (!wrapper.isDependencyTreeStatic()) {
            throw invalid(
              `${wrapper.name}.${name} handles ColiVara events but is request-scoped: make it a singleton provider.`,
            );
          }
          const instance = wrapper.instance as Record<string, (...args: unknown[]) => unknown>;
          const list = handlers[type] ?? [];
          list.push((event, webhook) => instance[name]?.(event, webhook));
          handlers[type] = list;
        }
      }
    }
    return handlers;
  }

  /** The `@ColivaraWebhook()` routes of the app's controllers, as `Controller.method`. */
  private webhookRoutes(): string[] {
    const routes: string[] = [];
    for (const wrapper of this.discovery.getControllers()) {
      const prototype = (wrapper.metatype as { prototype?: object } | undefined)?.prototype;
      if (prototype === undefined) continue;
      for (const name of this.scanner.getAllMethodNames(prototype)) {
        if (isWebhookRoute((prototype as Record<string, unknown>)[name])) routes.push(`${wrapper.name}.${name}`);
      }
    }
    return routes;
  }

  /**
   * One form per path: with handlers (or a hand-off) the module answers the path itself and a
   * `@ColivaraWebhook()` route would never run; without them, deliveries need such a route, or
   * each one would be verified and claimed only to get Nest's 404 (and be retried to the end).
   */
  private checkServed(answersItself: boolean): void {
    const routes = this.webhookRoutes();
    if (!answersItself && routes.length === 0) {
      throw invalid(
        `ColivaraWebhooksModule at ${this.path} has no @OnColivaraEvent() handler, no handOff and no @ColivaraWebhook() route, ` +
          'so every delivery would get 404. Decorate a provider method with @OnColivaraEvent("upsert.success"), or mark your controller route @ColivaraWebhook().',
      );
    }
    // With several registrations a route may be another one's: each route's guard fails closed.
    if (answersItself && routes.length > 0 && this.registrations() === 1) {
      throw invalid(
        `${routes[0]} is a @ColivaraWebhook() route, but this module answers ${this.path} itself (@OnColivaraEvent handlers or handOff). Keep one of the two forms.`,
      );
    }
  }
}
