/**
 * Prometheus metrics (prom-client), one registry per server so several servers in one process
 * (tests) do not share counters. Network gauges are read from the store at scrape time with one
 * query, shared by every gauge of the same scrape.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { OperationObserver } from '../api/operation';
import type { Store } from '../store/store';
import { networkFills } from '../logic/alerts/utilization';
import { dnsOutboxStats } from '../logic/dns/outbox';

export interface MetricsOptions {
  /** Node process metrics (CPU, memory, event loop lag); off in tests that count series. */
  processMetrics?: boolean;
  /** The store's counts of what it sent the database (TypeormStore.stats): ipcd_db_*_total. */
  database?: () => { roundTrips: number; transactions: number };
}

export class Metrics implements OperationObserver {
  readonly registry = new Registry();
  readonly contentType = this.registry.contentType;
  private readonly operations: Counter<'operation' | 'outcome' | 'fault_code'>;
  private readonly latency: Histogram<'operation' | 'outcome'>;
  private readonly rejected: Counter<'fault_code'>;
  readonly alertEvents: Counter<'direction'>;
  readonly webhookAttempts: Counter<'outcome'>;
  private readonly fills = inFlight(() => networkFills(this.store));

  constructor(
    private readonly store: Store,
    o: MetricsOptions = {},
  ) {
    const registers = [this.registry];
    this.operations = new Counter({
      name: 'ipcd_operations_total',
      help: 'SOAP operations handled, by operation, outcome (ok|fault) and fault code ("" when ok).',
      labelNames: ['operation', 'outcome', 'fault_code'],
      registers,
    });
    this.latency = new Histogram({
      name: 'ipcd_operation_duration_seconds',
      help: 'Time from a SOAP operation reaching its handler to its answer, authentication included.',
      labelNames: ['operation', 'outcome'],
      buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.rejected = new Counter({
      name: 'ipcd_rejected_requests_total',
      help: 'Requests refused before reaching an operation (too large, malformed, unknown operation), by fault code.',
      labelNames: ['fault_code'],
      registers,
    });
    this.alertEvents = new Counter({
      name: 'ipcd_alert_events_total',
      help: 'Utilization threshold crossings this process detected (up: reached the threshold; down: back below it).',
      labelNames: ['direction'],
      registers,
    });
    this.webhookAttempts = new Counter({
      name: 'ipcd_alert_webhook_attempts_total',
      help: 'Alert webhook POSTs by outcome (delivered|retry|failed).',
      labelNames: ['outcome'],
      registers,
    });
    const fills = this.fills;
    const perNetwork = ['network', 'data_center'] as const;
    new Gauge({
      name: 'ipcd_network_addresses',
      help: 'Addresses per network: used (issued to active allocations) and free (issuable now); reserved and held-down addresses are neither.',
      labelNames: [...perNetwork, 'state'],
      registers,
      async collect() {
        this.reset();
        for (const f of await fills()) {
          this.set({ network: f.network, data_center: f.dataCenter, state: 'used' }, Number(f.used));
          this.set({ network: f.network, data_center: f.dataCenter, state: 'free' }, Number(f.free));
        }
      },
    });
    new Gauge({
      name: 'ipcd_network_assignable_addresses',
      help: 'Addresses of the network that may ever be issued (network, broadcast and gateway excluded).',
      labelNames: perNetwork,
      registers,
      async collect() {
        this.reset();
        for (const f of await fills())
          this.set({ network: f.network, data_center: f.dataCenter }, Number(f.assignable));
      },
    });
    new Gauge({
      name: 'ipcd_network_utilization_percent',
      help: 'used / assignable in percent: the figure utilization alerts compare with the threshold.',
      labelNames: perNetwork,
      registers,
      async collect() {
        this.reset();
        for (const f of await fills()) this.set({ network: f.network, data_center: f.dataCenter }, f.percent);
      },
    });
    new Gauge({
      name: 'ipcd_network_alerting',
      help: '1 while the network is above its utilization alert threshold (state high), else 0.',
      labelNames: perNetwork,
      registers,
      async collect() {
        this.reset();
        for (const f of await fills())
          this.set({ network: f.network, data_center: f.dataCenter }, f.alertState === 'high' ? 1 : 0);
      },
    });
    const stats = inFlight(() => dnsOutboxStats(store));
    new Gauge({
      name: 'ipcd_dns_outbox_pending',
      help: 'DNS record changes waiting for delivery.',
      registers,
      async collect() {
        this.set((await stats()).pending);
      },
    });
    new Gauge({
      name: 'ipcd_dns_outbox_failed',
      help: 'DNS record changes given up (refused by the server) until an administrator acts.',
      registers,
      async collect() {
        this.set((await stats()).failed);
      },
    });
    new Gauge({
      name: 'ipcd_dns_outbox_oldest_pending_seconds',
      help: 'Age of the oldest DNS record change waiting for delivery (0 when none).',
      registers,
      async collect() {
        this.set((await stats()).oldestPendingAgeSeconds ?? 0);
      },
    });
    const database = o.database;
    if (database) {
      new Counter({
        name: 'ipcd_db_round_trips_total',
        help: 'Statements this process sent the database, each one round trip (the hot path sends about one per CommissionIP).',
        registers,
        collect() {
          this.reset();
          this.inc(database().roundTrips);
        },
      });
      new Counter({
        name: 'ipcd_db_transactions_total',
        help: 'Multi-statement transactions (BEGIN … COMMIT) this process opened; single statements are not counted.',
        registers,
        collect() {
          this.reset();
          this.inc(database().transactions);
        },
      });
    }
    if (o.processMetrics) collectDefaultMetrics({ register: this.registry, prefix: 'ipcd_' });
  }

  observe(operation: string, outcome: 'ok' | 'fault', faultCode: string | null, seconds: number): void {
    this.operations.inc({ operation, outcome, fault_code: faultCode ?? '' });
    this.latency.observe({ operation, outcome }, seconds);
  }

  rejectedRequest(faultCode: string): void {
    this.rejected.inc({ fault_code: faultCode });
  }

  /** The exposition text; gauges that need the store read it once per scrape. */
  async text(): Promise<string> {
    return this.registry.metrics();
  }
}

/** Callers while a read is under way share it: the gauges of one scrape (collected concurrently) read the store once. */
function inFlight<T>(read: () => Promise<T>): () => Promise<T> {
  let current: Promise<T> | null = null;
  return () => (current ??= read().finally(() => (current = null)));
}
