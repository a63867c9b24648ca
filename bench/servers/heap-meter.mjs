// What a route allocates and what its garbage costs, counted in the server process itself.
// V8 keeps no running total of allocated bytes, but its GC profiler records the used heap
// before and after every collection: what each collection freed, plus the growth of the used
// heap since the start, is what was allocated (JavaScript heap only; a Buffer's bytes live
// outside it, in memory V8 calls external).
import { GCProfiler, getHeapStatistics } from "node:v8";

/**
 * Starts counting now. `read()` gives the totals since then: JavaScript heap bytes allocated,
 * milliseconds spent collecting, and how many collections ran.
 *
 * @returns {{ read(): { allocatedBytes: number, gcMs: number, collections: number } }}
 */
export function startHeapMeter() {
  let profiler = new GCProfiler();
  profiler.start();
  const startUsed = getHeapStatistics().used_heap_size;
  let freed = 0;
  let gcMicros = 0;
  let collections = 0;
  return {
    read() {
      // Stop and restart, so each reading only carries the collections since the last one.
      const { statistics } = profiler.stop();
      profiler = new GCProfiler();
      profiler.start();
      for (const gc of statistics) {
        freed += gc.beforeGC.heapStatistics.usedHeapSize - gc.afterGC.heapStatistics.usedHeapSize;
        gcMicros += gc.cost;
        collections++;
      }
      const allocatedBytes = freed + getHeapStatistics().used_heap_size - startUsed;
      return { allocatedBytes, gcMs: gcMicros / 1000, collections };
    },
  };
}

/** "name file:line" of a sampled allocation's function, with paths shortened to the package. */
function frameName({ functionName, url, lineNumber }) {
  const file = url.replace(/^.*node_modules\//, "").replace(/^file:\/\/.*?\/(packages|bench)\//, "$1/");
  return `${functionName || "(anonymous)"} ${file || "(native)"}:${lineNumber + 1}`;
}

/**
 * V8's sampling heap profiler over the inspector, counting objects the next collection frees
 * too: `stop()` resolves `{ frames }`, sampled bytes by the function that allocated them.
 */
export function startAllocationProfiler() {
  let session;
  return {
    async start() {
      const { Session } = await import("node:inspector/promises");
      session = new Session();
      session.connect();
      await session.post("HeapProfiler.startSampling", {
        samplingInterval: 256,
        includeObjectsCollectedByMajorGC: true,
        includeObjectsCollectedByMinorGC: true,
      });
      return { started: true };
    },
    async stop() {
      const { profile } = await session.post("HeapProfiler.stopSampling");
      session.disconnect();
      const frames = {};
      const pending = [profile.head];
      for (let node = pending.pop(); node !== undefined; node = pending.pop()) {
        const name = frameName(node.callFrame);
        if (node.selfSize > 0) frames[name] = (frames[name] ?? 0) + node.selfSize;
        pending.push(...node.children);
      }
      return { frames };
    },
  };
}
