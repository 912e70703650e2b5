/**
 * The DNS outbox worker: claims due changes (oldest per owner name first, none another process
 * holds), sends each through the DnsUpdater port and records the outcome the rules in
 * src/logic/dns/outbox.ts give. It never runs inside a commissioning transaction, so a slow or
 * absent DNS server costs commissions nothing. The loop, lease and wake-ups: outbox-worker.ts.
 */
import { DEFAULT_RETRY_MAX_MS, formatServer, type DnsChange, type DnsZone } from '../logic/dns/dns';
import { judgeFailure, retryLater, skipped, updateOf } from '../logic/dns/outbox';
import type { DnsOutcome, DnsUpdater } from '../logic/dns/port';
import type { Store } from '../store/store';
import { OutboxWorker, QUIET, type LogSink } from './outbox-worker';

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

export class DnsPublisher {
  private readonly worker: OutboxWorker<DnsChange, DnsOutcome>;

  constructor(store: Store, updater: DnsUpdater, options: PublisherOptions = {}) {
    const { sealKey, log = QUIET, retryMaxMs = DEFAULT_RETRY_MAX_MS, keepDays = 7 } = options;
    this.worker = new OutboxWorker<DnsChange, DnsOutcome>(
      {
        claim: (limit, leaseSeconds, token) =>
          store.transaction((tx) => tx.dns.claimDnsChanges(limit, leaseSeconds, token)),
        finish: (c, token, outcome) => store.transaction((tx) => tx.dns.finishDnsChange(c.id, token, outcome)),
        retryInMs: (o) => (o.state === 'pending' ? o.retryInMs : null),
        pass: () => {
          const zones = new Map<string, Promise<DnsZone | null>>();
          const zoneOf = (c: DnsChange) => {
            const k = `${c.zone.kind}:${c.zone.id}`;
            if (!zones.has(k))
              zones.set(
                k,
                store.transaction((tx) => tx.dns.dnsZone(c.zone)),
              );
            return zones.get(k)!;
          };
          // A server that did not answer in this pass is not asked again in it: its other changes wait their backoff.
          const down = new Map<string, string>();
          return async (c) => {
            const what = {
              id: c.id,
              action: c.action,
              owner: c.owner,
              rtype: c.rtype,
              rdata: c.rdata,
              attempt: c.attempts + 1,
            };
            const zone = await zoneOf(c);
            const skip = skipped(zone);
            if (skip) {
              log.warn('dns change skipped', { ...what, error: skip.error });
              return skip;
            }
            const server = formatServer(zone!.server!);
            if (down.has(server)) return retryLater(c, down.get(server)!, retryMaxMs);
            try {
              const { target, update } = updateOf(c, zone!, sealKey);
              await updater.send(target, update);
              log.info('dns change delivered', { ...what, server });
              return { state: 'done' };
            } catch (e) {
              const outcome = judgeFailure(c, server, e, retryMaxMs);
              if (outcome.state === 'pending') {
                down.set(server, outcome.error);
                log.warn('dns change will be retried', { ...what, error: outcome.error, retryInMs: outcome.retryInMs });
              } else log.error('dns change failed', { ...what, error: (outcome as { error: string }).error });
              return outcome;
            }
          };
        },
      },
      {
        name: 'dns outbox',
        log,
        pollMs: options.pollMs ?? 1000,
        batchSize: options.batchSize ?? 64,
        concurrency: options.concurrency ?? 8,
        leaseSeconds: options.leaseSeconds ?? 120,
        notify: store.onDnsQueued ? (wake) => store.onDnsQueued!(wake) : undefined,
        tidy: {
          everyMs: 10 * 60_000,
          run: () =>
            store.transaction((tx) => tx.dns.pruneDnsChanges(new Date(Date.now() - keepDays * 86_400_000), 10_000)),
        },
      },
    );
  }

  start(): void {
    this.worker.start();
  }

  /** Stops polling; resolves once the delivery pass under way (if any) has recorded its outcomes. */
  stop(): Promise<void> {
    return this.worker.stop();
  }

  /** Looks at the outbox now instead of at the next poll. */
  kick(): void {
    this.worker.kick();
  }

  /** One pass: claim due changes, deliver them, record outcomes. Returns how many were claimed. */
  runOnce(): Promise<number> {
    return this.worker.runOnce();
  }
}
