// The receiving side of the simulation: receivers (hand-off to BullMQ) and workers (the
// handler map with a Redis claim) in their own processes, behind a round-robin "load
// balancer" that the day crashes, restarts and takes down for the outage.
import { type Child, startReceiver, startWorker } from "../support/processes.js";

export class Fleet {
  private receivers: Child[] = [];
  private workers: Child[] = [];
  /** What the load balancer routes to; while the endpoint is down, the dead receivers' addresses. */
  private routes: string[] = [];
  private next = 0;
  readonly restarts = { receiversCrashed: 0, workersRestarted: 0 };

  constructor(private readonly env: Record<string, string>) {}

  async start(receivers: number, workers: number): Promise<void> {
    this.receivers = await Promise.all(Array.from({ length: receivers }, () => startReceiver(this.env)));
    this.workers = await Promise.all(Array.from({ length: workers }, () => startWorker(this.env)));
    this.routes = this.receivers.map((receiver) => receiver.ready);
  }

  /** The load balancer's choice for the next attempt. */
  pick(): string {
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

  /** Every worker replaced: a new one starts, then the old one stops gracefully (SIGTERM: active jobs finish). */
  async restartWorkers(): Promise<void> {
    for (const old of [...this.workers]) {
      const fresh = await startWorker(this.env);
      await old.stop("SIGTERM");
      this.workers = [...this.workers.filter((worker) => worker !== old), fresh];
      this.restarts.workersRestarted++;
    }
  }

  /** The endpoint goes down: every routed receiver dies; attempts meet closed ports until `endOutage`. */
  async beginOutage(): Promise<void> {
    await Promise.all(this.receivers.map((receiver) => receiver.stop("SIGKILL")));
    this.restarts.receiversCrashed += this.receivers.length;
  }

  /** New receivers, not routed to until `endOutage`. */
  async prepareReceivers(count: number): Promise<Child[]> {
    return Promise.all(Array.from({ length: count }, () => startReceiver(this.env)));
  }

  endOutage(fresh: Child[]): void {
    this.receivers = fresh;
    this.routes = fresh.map((receiver) => receiver.ready);
  }

  async stop(): Promise<void> {
    await Promise.all([...this.receivers, ...this.workers].map((child) => child.stop("SIGKILL")));
  }
}
