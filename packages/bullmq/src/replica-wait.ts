import type { ReplicaWait } from "@colivara/webhooks-redis";
import type { IRedisClient } from "bullmq";

/** ioredis Cluster learns a moved slot only from a plain command or a read-only pipeline: tell it. */
function refreshSlots(client: unknown): Promise<void> {
  const refresh = (client as { refreshSlotsCache?: (callback: () => void) => void }).refreshSlotsCache;
  if (typeof refresh !== "function") return Promise.resolve();
  return new Promise((resolve) => refresh.call(client, () => resolve()));
}

/**
 * Runs `SET marker …` then `WAIT` in one pipeline: on a cluster both go to the queue's node,
 * on the connection that added the job, so the acknowledgement covers the job and the marker.
 * Resolves the SET's reply and how many replicas acknowledged.
 */
export async function setAndWait(client: IRedisClient, args: unknown[], wait: ReplicaWait): Promise<[unknown, number]> {
  for (let redirections = 0; ; redirections++) {
    const results = await client
      .pipeline()
      .runCommand("set", args)
      .runCommand("wait", [wait.replicas, wait.timeoutMs])
      .exec();
    const [set, waited] = results ?? [];
    if (!set || !waited) throw new Error("the Redis pipeline was discarded");
    if (set[0]?.message.startsWith("MOVED ") && redirections < 3) {
      await refreshSlots(client);
      continue;
    }
    if (set[0]) throw set[0];
    if (waited[0]) throw waited[0];
    return [set[1], Number(waited[1])];
  }
}
