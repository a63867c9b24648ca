import { pipelinedWithWait, type ReplicaWait } from "@colivara/webhooks-redis";
import type { IRedisClient } from "bullmq";

/**
 * Runs `SET marker …` then `WAIT` in one pipeline: on a cluster both go to the queue's node,
 * on the connection that added the job, so the acknowledgement covers the job and the marker.
 * Resolves the SET's reply and how many replicas acknowledged.
 */
export function setAndWait(client: IRedisClient, args: unknown[], wait: ReplicaWait): Promise<[unknown, number]> {
  return pipelinedWithWait(client, () =>
    client.pipeline().runCommand("set", args).runCommand("wait", [wait.replicas, wait.timeoutMs]).exec(),
  );
}
