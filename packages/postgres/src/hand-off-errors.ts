import { WebhookVerificationError } from "@colivara/webhooks";

/** pg-boss refuses to send to a queue nobody created: say how to create it. */
function hint(reason: string, queue: string): string {
  if (!/queue .*(not found|does not exist)|not found.*queue/i.test(reason)) return "";
  return ` Create the queue once at start-up: await boss.createQueue(${JSON.stringify(queue)}) (createPgBossWorker does).`;
}

/**
 * The queue could not store the delivery, and the transaction was rolled back: the
 * adapter answers 503 `handoff_unavailable` and the sender retries.
 */
export function handOffUnavailable(cause: unknown, queue: string): WebhookVerificationError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  const message = `The pg-boss queue did not store the delivery, and nothing was kept of it: ${reason}${hint(reason, queue)}`;
  return new WebhookVerificationError("handoff_unavailable", message, { cause });
}

/** Rejects after `timeoutMs`; the work itself is not stopped (see pgBossHandOff on a late commit). */
export function withTimeout<T>(work: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`PostgreSQL did not answer within ${timeoutMs} ms`)), timeoutMs);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
