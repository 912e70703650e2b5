import type { DataSource } from 'typeorm';
import { StoreConflict, unavailable } from '../logic/core/errors';
import type { Ports, Store } from './store';
import { Sql } from './sql';
import { SqlTopology } from './topology';
import { SqlContainers } from './containers';
import { SqlAccess } from './access';
import { SqlAudit } from './audit';
import { SqlDns } from './dns';
import { SqlAlerts } from './alerts';
import { SqlReports } from './reports';
import { SqlMaintenance } from './maintenance';
import { MIGRATIONS } from '../../migrations';
import { SqlAllocator } from './allocator';
import type { Pool, PoolClient } from 'pg';
import { Availability, type AvailabilityEvent } from './availability';
import { classifyDbError, dbErrorCode } from './db-errors';

/** Every port over one transaction's statements; each port is one module's class. */
function ports(db: Sql): Ports {
  return {
    topology: new SqlTopology(db),
    containers: new SqlContainers(db),
    access: new SqlAccess(db),
    audit: new SqlAudit(db),
    dns: new SqlDns(db),
    alerts: new SqlAlerts(db),
    reports: new SqlReports(db),
    maintenance: new SqlMaintenance(db),
  };
}

/** What the store has sent the database since it opened. */
export interface DatabaseStats {
  roundTrips: number;
  transactions: number;
}

/**
 * SQL that opens a transaction: TypeORM's START TRANSACTION, or a hand-written BEGIN. The bench's
 * wire proxy (bench/pg-proxy.ts) counts transactions by the same pattern.
 */
export const OPENS_TRANSACTION = /^\s*(BEGIN|START\s+TRANSACTION)\b/i;

export class TypeormStore implements Store {
  private readonly watchers = new Set<(networkIds: number[]) => void>();
  private readonly dnsListeners = new Set<() => void>();
  private readonly availability = new Availability();

  readonly allocator: SqlAllocator;
  /**
   * Statements sent to the database (each one round trip: the figure the hot path is judged by)
   * and the transactions among them opened; /metrics serves both (ipcd_db_*_total).
   */
  readonly stats: DatabaseStats = { roundTrips: 0, transactions: 0 };

  constructor(
    readonly dataSource: DataSource,
    private readonly onClose: () => Promise<void> = async () => {},
    /** PostgreSQL: where to LISTEN for other processes' configuration changes. */
    listenUrl?: string,
  ) {
    this.allocator = new SqlAllocator(
      () => this.pool,
      (ids, dnsQueued) => {
        if (ids.length > 0) this.notify(ids);
        if (dnsQueued) for (const listener of this.dnsListeners) setImmediate(listener);
      },
      listenUrl,
      (work) => this.guarded(work),
    );
    this.pool.on('acquire', (client: PoolClient) => this.count(client));
  }

  /** The driver's pool behind TypeORM. */
  get pool(): Pool {
    return (this.dataSource.driver as unknown as { master: Pool }).master;
  }

  private readonly counted = new WeakSet<PoolClient>();

  private count(client: PoolClient): void {
    if (this.counted.has(client)) return;
    this.counted.add(client);
    // A connection the server ends (a restart, a failover) reports it to the query under way, and
    // may report it again on the client while checked out, where no listener of the pool's is:
    // that must not end the process (the query's own error is what the caller handles).
    client.on('error', () => {});
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
      this.stats.roundTrips++;
      if (typeof args[0] === 'string' && OPENS_TRANSACTION.test(args[0])) this.stats.transactions++;
      return query(...args);
    };
  }

  async transaction<T>(fn: (tx: Ports) => Promise<T>): Promise<T> {
    let db: Sql | undefined;
    const result = await this.guarded(() => this.dataSource.transaction((m) => fn(ports((db = new Sql(m))))));
    // Only after the commit: a rolled-back transaction changed nothing worth announcing.
    const changes = db?.changes;
    if (changes && changes.networks.size > 0) this.notify([...changes.networks]);
    if (changes?.dnsQueued) for (const listener of this.dnsListeners) setImmediate(listener);
    return result;
  }

  /**
   * Database work with the store's error handling: driver errors translated (translateError), an
   * outage's end noticed. Every path that queries the database (a direct query path too) goes
   * through here, so an outage looks the same whichever path met it.
   */
  async guarded<T>(work: () => Promise<T>): Promise<T> {
    const startedAt = Date.now();
    try {
      const result = await work();
      this.availability.succeeded(startedAt);
      return result;
    } catch (e) {
      throw this.translateError(e);
    }
  }

  /**
   * A driver error as the logic understands it: a lost race (StoreConflict, retried), an outage
   * (UNAVAILABLE, for the caller to retry; noted once per outage), or the error itself (a bug).
   */
  private translateError(e: unknown): unknown {
    switch (classifyDbError(e)) {
      case 'conflict':
        return new StoreConflict(`${dbErrorCode(e)}: ${e instanceof Error ? e.message : e}`);
      case 'unavailable':
        this.availability.failed(e);
        return unavailable('the database is unreachable; retry');
      default:
        return e;
    }
  }

  /** Told when requests start failing because the database is unreachable, and when it is back. */
  onAvailability(listener: (e: AvailabilityEvent) => void): () => void {
    return this.availability.on(listener);
  }

  onDnsQueued(fn: () => void): () => void {
    this.dnsListeners.add(fn);
    return () => this.dnsListeners.delete(fn);
  }

  watchNetworks(listener: (networkIds: number[]) => void): () => void {
    this.watchers.add(listener);
    return () => this.watchers.delete(listener);
  }

  /** Watchers run after the commit and must not throw into the caller's path. */
  private notify(ids: number[]): void {
    for (const w of this.watchers) {
      try {
        w(ids);
      } catch {
        // a watcher's failure is its own business
      }
    }
  }

  /** Applied migrations (ipcd_migrations) against the code's list in migrations/index.ts: readiness. */
  async schemaStatus(): Promise<{ pending: string[]; unknown: string[] }> {
    const expected = MIGRATIONS.map((m) => new m().name);
    const rows: { name: string }[] = await this.dataSource.query(`SELECT name FROM ipcd_migrations ORDER BY id`);
    const applied = new Set(rows.map((r) => r.name));
    return {
      pending: expected.filter((n) => !applied.has(n)),
      unknown: [...applied].filter((n) => !expected.includes(n)),
    };
  }

  private closing: Promise<void> | null = null;

  /** Idempotent: a shutdown path and a test's cleanup may both close it. */
  close(): Promise<void> {
    return (this.closing ??= (async () => {
      await this.allocator.close();
      if (this.dataSource.isInitialized) await this.dataSource.destroy();
      await this.onClose();
    })());
  }
}
