/**
 * The DNS outbox worker: claims due changes (oldest per owner name first, none another process
 * holds), sends each through the DnsUpdater port, and records the outcome — done, retry later
 * with backoff, failed (the server refused: waits for an administrator), or skipped (the zone
 * has no server any more). It never runs inside a commissioning transaction, so a slow or absent
 * DNS server costs commissions nothing.
 */
import { randomUUID } from 'node:crypto';
import { DEFAULT_RETRY_MAX_MS, isTransient, openSecret, retryDelayMs, formatServer, type DnsChange, type DnsZone } from './dns';
import type { UnitOfWork } from '../core/unit-of-work';
import type { DnsOutboxStats, DnsOutcome, DnsPort, DnsQueueSignal, DnsUpdater } from './port';
import { isUnavailable } from '../core/errors';

/** The ports this module uses. */
type Tx = { dns: DnsPort };

export interface LogSink {
  info(message: string, meta?: object): void;
  warn(message: string, meta?: object): void;
  error(message: string, meta?: object): void;
}

export interface PublisherOptions {
  /** IPCD_SECRET_KEY: opens sealed TSIG secrets. */
  sealKey?: Buffer;
  log?: LogSink;
  /** Idle poll interval (changes queued by other processes are seen this late at most). */
  pollMs?: number;
  /** Ceiling of the retry backoff: once a server is back, every change is retried within this. */
  retryMaxMs?: number;
  batchSize?: number;
  /** Deliveries in flight at once (each to a different owner name). */
  concurrency?: number;
  /** How long a claim is exclusive; a worker that died mid-delivery loses its claim after this. */
  leaseSeconds?: number;
  /** Delivered changes of released allocations are forgotten after this long. */
  keepDays?: number;
}

const QUIET: LogSink = { info() {}, warn() {}, error() {} };

export class DnsPublisher {
  private readonly o: Required<Omit<PublisherOptions, 'sealKey'>> & { sealKey?: Buffer };
  private running = false;
  private loop: Promise<void> | null = null;
  private wake: (() => void) | null = null;
  private kicked = false;
  private unsubscribe: (() => void) | null = null;
  private lastPrune = 0;

  constructor(
    private readonly store: UnitOfWork<Tx> & DnsQueueSignal,
    private readonly updater: DnsUpdater,
    options: PublisherOptions = {},
  ) {
    this.o = {
      log: QUIET,
      pollMs: 1000,
      retryMaxMs: DEFAULT_RETRY_MAX_MS,
      batchSize: 64,
      concurrency: 8,
      leaseSeconds: 120,
      keepDays: 7,
      ...options,
    };
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.unsubscribe = this.store.onDnsQueued?.(() => this.kick()) ?? null;
    this.loop = this.run();
  }

  /** Stops polling; resolves once the delivery pass under way (if any) has recorded its outcomes. */
  async stop(): Promise<void> {
    this.running = false;
    this.unsubscribe?.();
    this.kick();
    await this.loop;
    this.loop = null;
  }

  /** Looks at the outbox now instead of at the next poll. */
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
        await this.prune();
      } catch (e) {
        // An unreachable database is logged once by the store, not once per pass.
        if (!isUnavailable(e)) this.o.log.error('dns outbox pass failed', { error: String((e as Error)?.stack ?? e) });
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

  /** One pass: claim due changes, deliver them, record outcomes. Returns how many were claimed. */
  async runOnce(): Promise<number> {
    const token = randomUUID();
    const batch = await this.store.transaction((tx) => tx.dns.claimDnsChanges(this.o.batchSize, this.o.leaseSeconds, token));
    if (batch.length === 0) return 0;
    const zones = new Map<string, Promise<DnsZone | null>>();
    const zoneOf = (c: DnsChange) => {
      const k = `${c.zone.kind}:${c.zone.id}`;
      if (!zones.has(k)) zones.set(k, this.store.transaction((tx) => tx.dns.dnsZone(c.zone)));
      return zones.get(k)!;
    };
    // A server that did not answer in this pass is not asked again in it: its other changes wait their backoff.
    const down = new Map<string, string>();
    let next = 0;
    const worker = async () => {
      while (next < batch.length) {
        const change = batch[next++];
        const outcome = await this.deliver(change, await zoneOf(change), down);
        await this.store.transaction((tx) => tx.dns.finishDnsChange(change.id, token, outcome));
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.o.concurrency, batch.length) }, worker));
    return batch.length;
  }

  private async deliver(c: DnsChange, zone: DnsZone | null, down: Map<string, string>): Promise<DnsOutcome> {
    const what = { id: c.id, action: c.action, owner: c.owner, rtype: c.rtype, rdata: c.rdata, attempt: c.attempts + 1 };
    if (!zone?.server) {
      const error = `zone ${zone?.name ?? '(removed)'} has no DNS server configured`;
      this.o.log.warn('dns change skipped', { ...what, error });
      return { state: 'skipped', error };
    }
    const server = formatServer(zone.server);
    const retry = (error: string): DnsOutcome => ({ state: 'pending', error, retryInMs: retryDelayMs(c.attempts + 1, this.o.retryMaxMs) });
    if (down.has(server)) return retry(down.get(server)!);
    try {
      const secret = openSecret(zone.server.secret, this.o.sealKey);
      await this.updater.send(
        { host: zone.server.host, port: zone.server.port, key: { name: zone.server.keyName, algorithm: zone.server.algorithm, secret } },
        { zone: zone.name, owner: c.owner, action: c.action, rtype: c.rtype, rdata: c.rdata, ttl: zone.server.ttl },
      );
      this.o.log.info('dns change delivered', { ...what, server });
      return { state: 'done' };
    } catch (e) {
      const error = `${server}: ${e instanceof Error ? e.message : String(e)}`;
      if (isTransient(e)) {
        down.set(server, error);
        const outcome = retry(error);
        this.o.log.warn('dns change will be retried', { ...what, error, retryInMs: (outcome as { retryInMs: number }).retryInMs });
        return outcome;
      }
      this.o.log.error('dns change failed', { ...what, error });
      return { state: 'failed', error };
    }
  }

  private async prune(): Promise<void> {
    if (Date.now() - this.lastPrune < 10 * 60_000) return;
    this.lastPrune = Date.now();
    const before = new Date(Date.now() - this.o.keepDays * 86_400_000);
    await this.store.transaction((tx) => tx.dns.pruneDnsChanges(before, 10_000));
  }
}

/** Outbox depth and the age of its oldest pending change: for health checks and metrics. */
export async function dnsOutboxStats(store: UnitOfWork<Tx>): Promise<DnsOutboxStats & { oldestPendingAgeSeconds: number | null }> {
  const s = await store.transaction((tx) => tx.dns.dnsOutboxStats());
  return { ...s, oldestPendingAgeSeconds: s.oldestPendingAt === null ? null : Math.max(0, (Date.now() - s.oldestPendingAt.getTime()) / 1000) };
}
