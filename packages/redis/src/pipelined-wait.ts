/** What a pipeline's `exec()` resolves: one `[error, reply]` per command, or null if discarded. */
export type PipelineReplies =
  | ReadonlyArray<readonly [error: Error | null | undefined, reply: unknown]>
  | null
  | undefined;

/** ioredis Cluster learns a moved slot only from a plain command or a read-only pipeline: tell it. */
function refreshSlots(client: unknown): Promise<void> {
  const refresh = (client as { refreshSlotsCache?: (callback: (error?: Error | null) => void) => void })
    .refreshSlotsCache;
  if (typeof refresh !== "function") return Promise.resolve();
  return new Promise((resolve) => refresh.call(client, () => resolve()));
}

/**
 * Runs `pipeline()` (a write, then `WAIT`, on one ioredis connection: `Redis`, `Cluster` or
 * BullMQ's client) and resolves the write's reply and how many replicas acknowledged it. A
 * MOVED write (a failover, a resharding) did not happen: the client is told the slot's new
 * owner and the pipeline runs again, at most three times. Any other error is thrown.
 *
 * @example
 * ```ts
 * const wait = { replicas: 1, timeoutMs: 100 };
 * const [reply, acknowledged] = await pipelinedWithWait(client, () =>
 *   client.pipeline().call("SET", key, "1", "NX").call("WAIT", wait.replicas, wait.timeoutMs).exec(),
 * );
 * ```
 */
export async function pipelinedWithWait(
  client: unknown,
  pipeline: () => Promise<PipelineReplies>,
): Promise<[unknown, number]> {
  for (let redirections = 0; ; redirections++) {
    const [written, waited] = (await pipeline()) ?? [];
    if (!written || !waited) throw new Error("the Redis pipeline was discarded");
    if (written[0]?.message.startsWith("MOVED ") && redirections < 3) {
      await refreshSlots(client);
      continue;
    }
    if (written[0]) throw written[0];
    if (waited[0]) throw waited[0];
    return [written[1], Number(waited[1])];
  }
}
