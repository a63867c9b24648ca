import type { VerifiedWebhook } from "@colivara/webhooks";
import {
  type AnswerCallback,
  type BodyCallback,
  type createDeliveryPipeline,
  type DeliveryPort,
  type ParsedPayload,
  type ProxyTrust,
  TRUST_NONE,
  type WebhookResponse,
  watchAnswer,
} from "@colivara/webhooks/adapter";
import type { FastifyReply, FastifyRequest } from "fastify";
import { type PayloadStream, readRawBody, replayStream } from "./raw-body.js";
import { type Captured, kAnswered, kParsed, kResume, kWebhook } from "./request-slots.js";

/** What every request of one opted-in route shares, settled when the route is declared. */
export interface CaptureSettings {
  readonly pipeline: ReturnType<typeof createDeliveryPipeline>;
  readonly limit: number;
  /** Fastify's parse of the verified bytes is the event's (see `parsesOnce` in plugin.ts). */
  readonly parseOnce: boolean;
}

/** The preParsing hook's `done`: the stream Fastify's content-type parser reads next. */
export type PayloadDone = (error: Error | null, stream?: PayloadStream) => void;

/** Writes an answer the core decided on Fastify's reply. */
export function send(reply: FastifyReply, response: WebhookResponse): void {
  reply.code(response.status).headers(response.headers);
  reply.send(response.body === "" ? undefined : response.body);
}

/**
 * Fastify's own `trustProxy` (defined `request.ips` only when set): the hops it trusted while
 * walking X-Forwarded-For. `request.protocol` reads the right-most X-Forwarded-Proto entry
 * (the nearest proxy's) and, on Fastify 4, whoever the peer is: the core reads it with the
 * same hops as the address instead.
 */
function trustedHopsOf(request: FastifyRequest): ProxyTrust {
  let trusted: number | undefined;
  return (_address, hop) => {
    trusted ??= Math.max(0, (request.ips?.length ?? 1) - 1);
    return hop < trusted;
  };
}

/**
 * One request's delivery port on an opted-in route: one object whose steps are its methods,
 * rather than a closure per step. It reads the raw bytes from the preParsing payload, hands
 * them to Fastify's parser (with `parseOnce`, before the route resumes in preValidation), and
 * forwards the verified delivery to the route. An answer the pipeline sends ends the request:
 * `next` (or the resume) is then never called.
 */
export class FastifyDelivery implements DeliveryPort {
  readonly method: string;
  readonly headers: FastifyRequest["headers"];
  // The connection's own facts; Fastify's `trustProxy` says which forwarding hops count.
  readonly trust: ProxyTrust;
  readonly parsePayload: ((bytes: Uint8Array | string, parsed: (parsed: ParsedPayload) => void) => void) | undefined;
  private body: Uint8Array | undefined;

  constructor(
    private readonly settings: CaptureSettings,
    private readonly request: Captured,
    private readonly reply: FastifyReply,
    private readonly payload: PayloadStream,
    private readonly next: PayloadDone,
  ) {
    this.method = request.method;
    this.headers = request.headers;
    this.trust = "ips" in request ? trustedHopsOf(request) : TRUST_NONE;
    // The core calls it on its own (not as a method): the one closure a request needs.
    this.parsePayload = settings.parseOnce
      ? (bytes, parsed) => this.parseByFastify(bytes as Uint8Array, parsed)
      : undefined;
  }

  readBody(done: BodyCallback): void {
    const { limit, pipeline } = this.settings;
    readRawBody(this.request, this.payload, limit, pipeline.options.readTimeoutMs, (error, bytes) => {
      this.body = bytes;
      done(error, bytes);
    });
  }

  send(response: WebhookResponse): void {
    send(this.reply, response);
  }

  secure(): boolean {
    return (this.request.raw.socket as { encrypted?: boolean } | undefined)?.encrypted === true;
  }

  remoteAddress(): string | undefined {
    return this.request.raw.socket?.remoteAddress;
  }

  forward(webhook: VerifiedWebhook, answered: AnswerCallback): void {
    const request = this.request;
    request[kWebhook] = webhook;
    request[kAnswered] = answered;
    watchAnswer(this.reply.raw, answered);
    const resume = request[kResume];
    request[kResume] = undefined;
    if (resume !== undefined) resume();
    // Fastify's own parser reads the verified bytes, as on any other route.
    else this.next(null, replayStream(this.body ?? new Uint8Array(0), this.payload));
  }

  /** The verified bytes to Fastify's content-type parser; its result comes back in preValidation. */
  private parseByFastify(bytes: Uint8Array, parsed: (parsed: ParsedPayload) => void): void {
    this.request[kParsed] = parsed;
    this.next(null, replayStream(bytes, this.payload));
  }
}
