import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { Readable } from "node:stream";
import { type ColivaraEvent, createWebhookHandler, type VerifiedWebhook } from "@colivara/webhooks";
import { CliError } from "./errors.js";

/**
 * One request the listener received, verified or not.
 *
 * @example
 * ```ts
 * const onDelivery = (report: DeliveryReport) => console.log(report.status, report.event?.type);
 * ```
 */
export interface DeliveryReport {
  /** When it arrived (ISO 8601). */
  receivedAt: string;
  method: string;
  path: string;
  /** The status the listener answered. */
  status: number;
  /** True when the signature, timestamp and payload checked out and the event was handled. */
  verified: boolean;
  /** True for a delivery already handled (same `svix-id`): acknowledged, not handled again. */
  duplicate: boolean;
  /** The `svix-id` (or `webhook-id`) header, when present. */
  id?: string | undefined;
  /** The signed timestamp of a verified delivery (ISO 8601). */
  signedAt?: string | undefined;
  event?: ColivaraEvent | undefined;
  /** Why it was rejected: the failure table's code and message. */
  error?: { code: string; message: string } | undefined;
}

/**
 * Options of {@link startListener}.
 *
 * @example
 * ```ts
 * const options: ListenOptions = { port: 3000, secret: [process.env.COLIVARA_WEBHOOK_SECRET!], onDelivery: console.log };
 * ```
 */
export interface ListenOptions {
  /** Port; 0 picks a free one. */
  port: number;
  /** Interface to listen on. Default `127.0.0.1`. */
  host?: string | undefined;
  /** Only this path receives deliveries; others answer 404. Default: any path. */
  path?: string | undefined;
  /** The endpoint's secrets (any may match, as during a rotation). */
  secret: readonly string[];
  onDelivery: (report: DeliveryReport) => void;
}

/**
 * A running listener.
 *
 * @example
 * ```ts
 * const listener: Listener = await startListener(options);
 * await listener.close();
 * ```
 */
export interface Listener {
  /** `http://host:port` it listens on. */
  origin: string;
  /** Where to send deliveries: the origin and the path (`/webhooks/colivara` when any path is accepted). */
  url: string;
  close(): Promise<void>;
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function toRequest(req: IncomingMessage, origin: string): Request {
  const headers = new Headers();
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    headers.append(req.rawHeaders[i] as string, req.rawHeaders[i + 1] as string);
  }
  const method = req.method ?? "GET";
  const init: RequestInit & { duplex?: "half" } = { method, headers };
  if (method !== "GET" && method !== "HEAD") {
    init.body = Readable.toWeb(req) as ReadableStream<Uint8Array>;
    init.duplex = "half";
  }
  return new Request(new URL(req.url ?? "/", origin), init);
}

async function write(res: ServerResponse, response: Response): Promise<string> {
  const body = await response.text();
  res.statusCode = response.status;
  response.headers.forEach((value, name) => {
    res.setHeader(name, value);
  });
  res.end(body);
  return body;
}

function isDuplicate(body: string): boolean {
  try {
    return (JSON.parse(body) as { duplicate?: unknown } | null)?.duplicate === true;
  } catch {
    return false;
  }
}

function errorOf(body: string): { code: string; message: string } | undefined {
  try {
    const parsed = JSON.parse(body) as { error?: { code?: unknown; message?: unknown } } | null;
    const error = parsed?.error;
    if (typeof error?.code === "string") {
      return { code: error.code, message: typeof error.message === "string" ? error.message : "" };
    }
  } catch {
    // Not an error body.
  }
  return undefined;
}

/**
 * Starts a local HTTP receiver that verifies each delivery with `createWebhookHandler`
 * from `@colivara/webhooks` (signature, timestamp, duplicates) and reports it to
 * `onDelivery`. Verified deliveries answer `200 {"received":true}`; rejected ones the
 * failure table's status and JSON body.
 *
 * @example
 * ```ts
 * import { startListener } from "@colivara/webhooks-cli";
 *
 * const listener = await startListener({ port: 0, secret: [secret], onDelivery: (r) => console.log(r) });
 * console.log(`send deliveries to ${listener.url}`);
 * ```
 */
export async function startListener(options: ListenOptions): Promise<Listener> {
  const host = options.host ?? "127.0.0.1";
  const verified = new WeakMap<Request, VerifiedWebhook>();
  const handle = createWebhookHandler(
    (webhook, request) => {
      verified.set(request, webhook);
      return Response.json({ received: true, id: webhook.id, type: webhook.event.type });
    },
    // The handler never throws; report anything unexpected as a rejected request instead of logging twice.
    { secret: [...options.secret], onError: () => {} },
  );

  let origin = "";
  const server = createServer((req, res) => {
    const receivedAt = new Date().toISOString();
    const path = (req.url ?? "/").split("?")[0] as string;
    const method = req.method ?? "GET";
    const id = headerValue(req.headers["svix-id"]) ?? headerValue(req.headers["webhook-id"]);
    const report = (status: number, extra: Partial<DeliveryReport>) =>
      options.onDelivery({ receivedAt, method, path, status, verified: false, duplicate: false, id, ...extra });

    if (options.path !== undefined && path !== options.path) {
      req.resume();
      const message = `Nothing here: deliveries go to ${options.path}.`;
      res.writeHead(404, { "content-type": "application/json; charset=utf-8" });
      res.end(JSON.stringify({ error: { code: "not_found", message } }));
      report(404, { error: { code: "not_found", message } });
      return;
    }
    const request = toRequest(req, origin);
    handle(request)
      .then(async (response) => {
        const body = await write(res, response);
        const webhook = verified.get(request);
        if (webhook) {
          report(response.status, {
            verified: true,
            id: webhook.id,
            signedAt: webhook.timestamp.toISOString(),
            event: webhook.event,
          });
        } else if (response.status >= 200 && response.status < 300) {
          report(response.status, { duplicate: isDuplicate(body) });
        } else {
          report(response.status, { error: errorOf(body) });
        }
      })
      .catch((error: unknown) => {
        if (!res.headersSent) res.writeHead(500, { "content-type": "application/json; charset=utf-8" });
        res.end();
        report(500, { error: { code: "internal_error", message: String(error) } });
      });
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) => {
      if (error.code === "EADDRINUSE") {
        reject(
          new CliError(
            "address_in_use",
            `Port ${options.port} on ${host} is already in use: stop the other server or pick another port with --port (0 picks a free one).`,
            { cause: error },
          ),
        );
      } else if (error.code === "EACCES") {
        reject(
          new CliError(
            "address_in_use",
            `Not allowed to listen on port ${options.port} (ports below 1024 need privileges): use --port 3000 or higher.`,
            { cause: error },
          ),
        );
      } else {
        reject(error);
      }
    });
    server.listen(options.port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const shownHost = address.family === "IPv6" ? `[${address.address}]` : address.address;
  origin = `http://${shownHost}:${address.port}`;
  return {
    origin,
    url: `${origin}${options.path ?? "/webhooks/colivara"}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
