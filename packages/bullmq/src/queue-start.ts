import type { Queue } from "bullmq";

/**
 * Whether the queue's connection failed while starting. BullMQ starts a connection once:
 * when Redis goes away between connecting and BullMQ's version check, every later command
 * rejects with that same error, even once Redis is back, so the hand-off's 503 must say that
 * waiting will not help.
 */
export function watchStart(queue: Queue): () => boolean {
  let failed = false;
  queue.waitUntilReady().catch(() => {
    failed = true;
  });
  return () => failed;
}
