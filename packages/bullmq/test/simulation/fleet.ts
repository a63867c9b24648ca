// The receiving side of the simulation: receivers (hand-off to BullMQ) and workers (the
// handler map with a Redis claim) in their own processes, behind a round-robin "load
// balancer". The day crashes and restarts them, and takes the endpoint down for the outage:
// the balancer then routes every attempt to a port nobody listens on.
import { type Child, freePort, startReceiver, startWorker } from "../support/processes.js";

export class Fleet {
  private receivers: Child[] = [];
  private workers: Child[] = [];
  /** What the load balancer routes to. */
  private routes: string[] = [];
  /** While the endpoint is down: an address where nothing listens. */
  private down: string | undefined;
  private closed = "";
  private next = 0;
  readonly restarts = { receiversCrashed: 0, workersRestarted: 0 };

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

  /** Every worker replaced: a new one starts, then the old one stops gracefully (SIGTERM: active jobs finish). */
  async restartWorkers(): Promise<void> {
    for (const old of [...this.workers]) {
      const fresh = await startWorker(this.env);
      await old.stop("SIGTERM");
      this.workers = [...this.workers.filter((worker) => worker !== old), fresh];
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
