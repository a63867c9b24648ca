// The receiving side of the simulation: receivers (hand-off to BullMQ) and workers (the
// handler map with a Redis claim) in their own processes, behind a round-robin "load
// balancer". The day crashes receivers, kills workers mid-job and replaces them gracefully,
// and takes the endpoint down for the outage: the balancer then routes every attempt to a
// port nobody listens on.
import { once } from "node:events";
import { setTimeout as sleep } from "node:timers/promises";
import { type Child, freePort, startReceiver, startWorker } from "../support/processes.js";

/**
 * How long a worker stopped gracefully may take, as an orchestrator's grace period: BullMQ's
 * `worker.close()` can wait forever once Redis failed over under it (a known BullMQ issue),
 * and then the worker is SIGKILLed, as Kubernetes would do.
 */
export const GRACE_MS = 10_000;

/** SIGTERM, then SIGKILL if the process is still there after `GRACE_MS`; false if it needed the SIGKILL. */
async function stopGracefully(worker: Child): Promise<boolean> {
  const { child } = worker;
  if (child.exitCode !== null || child.signalCode !== null) return true;
  const exited = once(child, "exit").then(() => true);
  child.kill("SIGTERM");
  const inTime = await Promise.race([exited, sleep(GRACE_MS).then(() => false)]);
  if (!inTime) await worker.stop("SIGKILL");
  return inTime;
}

export class Fleet {
  private receivers: Child[] = [];
  private workers: Child[] = [];
  /** What the load balancer routes to. */
  private routes: string[] = [];
  /** While the endpoint is down: an address where nothing listens. */
  private down: string | undefined;
  private closed = "";
  private next = 0;
  readonly restarts = {
    receiversCrashed: 0,
    workersKilled: 0,
    workersRestarted: 0,
    "graceful stops past the grace period": 0,
  };

  constructor(private readonly env: Record<string, string>) {}

  async start(receivers: number, workers: number): Promise<void> {
    this.receivers = await Promise.all(Array.from({ length: receivers }, () => startReceiver(this.env)));
    this.workers = await Promise.all(Array.from({ length: workers }, () => startWorker(this.env)));
    this.routes = this.receivers.map((receiver) => receiver.ready);
    this.closed = `http://127.0.0.1:${await freePort()}`;
  }

  /** The load balancer's choice for the next attempt. */
  pick(): string {
    if (this.down) return this.down;
    this.next = (this.next + 1) % this.routes.length;
    return this.routes[this.next] as string;
  }

  /** One receiver dies (SIGKILL) and stays routed until its replacement is up. */
  async crashReceiver(): Promise<void> {
    const [dead, ...rest] = this.receivers;
    await dead?.stop("SIGKILL");
    const replacement = await startReceiver(this.env);
    this.receivers = [...rest, replacement];
    this.routes = this.receivers.map((receiver) => receiver.ready);
    this.restarts.receiversCrashed++;
  }

  /** Workers on their way out of a graceful restart: never the ones a kill picks. */
  private readonly leaving = new Set<Child>();

  /**
   * The oldest worker not being replaced dies by SIGKILL in the middle of its jobs
   * (fixtures/crash-mid-job.mjs: SIGUSR2 makes it kill itself once a handler is cut short);
   * a replacement then starts. Its jobs come back through BullMQ's stalled check.
   */
  async killWorker(): Promise<void> {
    const dead = this.workers.find((worker) => !this.leaving.has(worker));
    if (dead === undefined) return;
    const exited = once(dead.child, "exit");
    dead.child.kill("SIGUSR2");
    await exited;
    const fresh = await startWorker(this.env);
    this.workers = [...this.workers.filter((worker) => worker !== dead), fresh];
    this.restarts.workersKilled++;
  }

  /**
   * Every worker replaced: a new one starts, then the old one stops gracefully (SIGTERM:
   * active jobs finish), SIGKILLed if it is still there after the grace period.
   */
  async restartWorkers(): Promise<void> {
    const old = this.workers.filter((worker) => !this.leaving.has(worker));
    for (const worker of old) this.leaving.add(worker);
    for (const worker of old) {
      const fresh = await startWorker(this.env);
      this.workers = [...this.workers, fresh];
      if (!(await stopGracefully(worker))) this.restarts["graceful stops past the grace period"]++;
      this.workers = this.workers.filter((other) => other !== worker);
      this.leaving.delete(worker);
      this.restarts.workersRestarted++;
    }
  }

  /** The endpoint goes down: every attempt meets a closed port until `endOutage`. */
  beginOutage(): void {
    this.down = this.closed;
  }

  endOutage(): void {
    this.down = undefined;
  }

  async stop(): Promise<void> {
    await Promise.all([...this.receivers, ...this.workers].map((child) => child.stop("SIGKILL")));
  }
}
