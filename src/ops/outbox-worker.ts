/**
 * The one background-delivery loop of ipcd (DNS outbox, alert webhook): claim a batch of due
 * items under a lease — other processes skip claimed items, and a process that dies loses its
 * claim when the lease ends — deliver each, record its outcome (done, retry after a delay, given
 * up), and look again: at once after a full pass, on a notice that new work was committed, at
 * the earliest retry time, else after the poll interval. stop() lets the pass under way record
 * every outcome it claimed, so nothing is left leased to a process that is gone.
 *
 * What to claim, how to deliver and how an outcome is judged are the job's (rules in src/logic);
 * this file owns only the timers and the concurrency.
 */
import { randomUUID } from 'node:crypto';
import { isUnavailable } from '../logic/core/errors';

export interface LogSink {
  info(message: string, meta?: object): void;
  warn(message: string, meta?: object): void;
  error(message: string, meta?: object): void;
}

export const QUIET: LogSink = { info() {}, warn() {}, error() {} };

export interface OutboxJob<T, O> {
  /** Claims up to `limit` due items for `leaseSeconds` under `token` (FOR UPDATE SKIP LOCKED). */
  claim(limit: number, leaseSeconds: number, token: string): Promise<T[]>;
  /**
   * A delivery function for one pass; what it learns during the pass (a server that did not
   * answer) stays in the pass. It returns the outcome to record; a throw leaves the item leased.
   */
  pass(): (item: T) => Promise<O>;
  /** Records the outcome (unless the claim was lost to another process). */
  finish(item: T, token: string, outcome: O): Promise<void>;
  /** The delay before a retry the outcome asks for, or null (done or given up). */
  retryInMs(outcome: O): number | null;
}

export interface OutboxWorkerOptions {
  /** Names the worker in its log lines, e.g. 'dns outbox'. */
  name: string;
  log?: LogSink;
  /** Idle poll interval: work queued by other processes is seen this late at most. */
  pollMs: number;
  batchSize: number;
  /** Deliveries in flight at once. */
  concurrency: number;
  leaseSeconds: number;
  /** Subscribes to "work was queued" notices of this process; returns the unsubscribe. */
  notify?: (wake: () => void) => (() => void) | undefined;
  /** Housekeeping run between passes, at most every `everyMs`. */
  tidy?: { everyMs: number; run: () => Promise<unknown> };
}

export class OutboxWorker<T, O> {
  private readonly log: LogSink;
  private running = false;
  private loop: Promise<void> | null = null;
  private wake: (() => void) | null = null;
  private kicked = false;
  private unsubscribe: (() => void) | undefined;
  private retry: { at: number; timer: NodeJS.Timeout } | null = null;
  private lastTidy = 0;

  constructor(
    private readonly job: OutboxJob<T, O>,
    private readonly o: OutboxWorkerOptions,
  ) {
    this.log = o.log ?? QUIET;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.unsubscribe = this.o.notify?.(() => this.kick());
    this.loop = this.run();
  }

  /** Stops looking; resolves once the pass under way (if any) has recorded its outcomes. */
  async stop(): Promise<void> {
    this.running = false;
    this.unsubscribe?.();
    if (this.retry) clearTimeout(this.retry.timer);
    this.retry = null;
    this.kick();
    await this.loop;
    this.loop = null;
  }

  /** Looks for due work now instead of at the next poll. */
  kick(): void {
    this.kicked = true;
    this.wake?.();
  }

  private async run(): Promise<void> {
    while (this.running) {
      let busy = false;
      try {
        this.kicked = false;
        busy = (await this.runOnce()) > 0;
        await this.tidy();
      } catch (e) {
        // An unreachable database is logged once by the store, not once per pass.
        if (!isUnavailable(e))
          this.log.error(`${this.o.name}: pass failed`, { error: String((e as Error)?.stack ?? e) });
      }
      if (!busy && !this.kicked && this.running) await this.sleep(this.o.pollMs);
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(done, ms);
      function done() {
        clearTimeout(t);
        resolve();
      }
      this.wake = () => {
        this.wake = null;
        done();
      };
    });
  }

  /** One wake-up at the earliest retry time asked for (the poll would find it too, only later). */
  private wakeIn(ms: number): void {
    const at = Date.now() + ms;
    if (!this.running || (this.retry && this.retry.at <= at)) return;
    if (this.retry) clearTimeout(this.retry.timer);
    const timer = setTimeout(() => {
      this.retry = null;
      this.kick();
    }, ms + 10);
    timer.unref();
    this.retry = { at, timer };
  }

  /** One pass: claim due items, deliver them, record outcomes. Returns how many were claimed. */
  async runOnce(): Promise<number> {
    const token = randomUUID();
    const batch = await this.job.claim(this.o.batchSize, this.o.leaseSeconds, token);
    if (batch.length === 0) return 0;
    const deliver = this.job.pass();
    let next = 0;
    const lane = async () => {
      while (next < batch.length) {
        const item = batch[next++];
        try {
          const outcome = await deliver(item);
          await this.job.finish(item, token, outcome);
          const retryInMs = this.job.retryInMs(outcome);
          if (retryInMs !== null) this.wakeIn(retryInMs);
        } catch (e) {
          // Left claimed: it is tried again once its lease has run out.
          if (!isUnavailable(e))
            this.log.warn(`${this.o.name}: could not deliver or record an item`, {
              error: String((e as Error)?.stack ?? e),
            });
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.o.concurrency, batch.length) }, lane));
    return batch.length;
  }

  private async tidy(): Promise<void> {
    if (!this.o.tidy || Date.now() - this.lastTidy < this.o.tidy.everyMs) return;
    this.lastTidy = Date.now();
    await this.o.tidy.run();
  }
}
