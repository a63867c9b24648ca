// Deliveries for the load suite, signed by the real `svix` package (one Webhook per secret,
// so signing keeps up with the load), with the payload shapes ColiVara sends.
import { randomBytes } from "node:crypto";
import { Webhook } from "svix";
import { failPayload, newId, successPayload } from "../conformance/deliveries.js";

export interface Delivery {
  id: string;
  body: string;
  headers: Record<string, string>;
}

export const nowSeconds = (): number => Math.floor(Date.now() / 1000);

export class Signer {
  readonly #webhook: Webhook;

  constructor(secret: string) {
    this.#webhook = new Webhook(secret);
  }

  /** Signs `body` as delivery `id` at `seconds` (default: now), the way Svix does. */
  sign(id: string, body: string, seconds = nowSeconds()): Delivery {
    return {
      id,
      body,
      headers: {
        "content-type": "application/json",
        "svix-id": id,
        "svix-timestamp": String(seconds),
        "svix-signature": this.#webhook.sign(id, new Date(seconds * 1000), body),
      },
    };
  }

  /**
   * A genuine delivery with a fresh id: mostly upsert.success, some upsert.fail, a few of a
   * type added later (acknowledged and handled as "unknown"). `padding` grows the metadata.
   */
  valid(options: { padding?: number } = {}): Delivery {
    const id = newId();
    const roll = Math.random();
    const metadata = options.padding ? { blob: "x".repeat(options.padding) } : { run: id.slice(-6) };
    const payload =
      roll < 0.8
        ? successPayload({ id: 1 + Math.floor(Math.random() * 1e6), name: `doc-${id.slice(-8)}.pdf`, metadata })
        : roll < 0.95
          ? failPayload({ name: `doc-${id.slice(-8)}.pdf`, metadata })
          : { type: "upsert.progress", percent: Math.floor(Math.random() * 100), metadata };
    return this.sign(id, JSON.stringify(payload));
  }
}

/** A syntactically valid v1 entry that matches nothing. */
export function randomSignatureEntry(): string {
  return `v1,${randomBytes(32).toString("base64")}`;
}
