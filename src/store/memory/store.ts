/**
 * The in-memory backend: the allocator and the capability ports over one MemoryState. Units of
 * work run one at a time (a mutex in place of the database's locks) and a failed one is undone
 * (the journal in place of ROLLBACK), so the logic sees the same atomicity as on PostgreSQL.
 * Nothing is persisted: it is for tests of the rules and for trying ipcd out.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { UnitOfWork } from '../../logic/core/unit-of-work';
import { MemoryAllocator, type UnitRunner } from './allocator';
import { MemoryAccess } from './access';
import { MemoryAlerts } from './alerts';
import { MemoryAudit } from './audit';
import { MemoryContainers } from './containers';
import { MemoryState } from './state';
import { Mutex } from './table';
import { MemoryTopology } from './topology';

/** The ports one in-memory transaction hands the logic. */
export interface MemoryTx {
  topology: MemoryTopology;
  containers: MemoryContainers;
  audit: MemoryAudit;
  access: MemoryAccess;
  alerts: MemoryAlerts;
}

export class MemoryStore implements UnitOfWork<MemoryTx> {
  readonly state: MemoryState;
  readonly allocator: MemoryAllocator;
  private readonly mutex = new Mutex();
  private readonly inUnit = new AsyncLocalStorage<object>();
  /** The unit running now (one at a time). */
  private running: object | null = null;
  private readonly watchers = new Set<(networkIds: number[]) => void>();
  private readonly dnsListeners = new Set<() => void>();
  private readonly configListeners = new Set<(version: bigint) => void>();

  /** now: the clock of every timestamp (a test may move it instead of sleeping). */
  constructor(opts: { now?: () => Date } = {}) {
    this.state = new MemoryState(opts.now);
    const runner: UnitRunner = {
      unit: (work) => this.unit(async () => work()),
      committed: (ids, dns) => this.committed(ids, dns),
      onConfigChange: (l) => {
        this.configListeners.add(l);
        return () => this.configListeners.delete(l);
      },
    };
    this.allocator = new MemoryAllocator(this.state, runner);
  }

  transaction<T>(fn: (tx: MemoryTx) => Promise<T>): Promise<T> {
    return this.unit(async () => {
      const s = this.state;
      const tx = {
        topology: new MemoryTopology(s),
        containers: new MemoryContainers(s),
        audit: new MemoryAudit(s),
        access: new MemoryAccess(s),
        alerts: new MemoryAlerts(s),
      };
      const result = await fn(tx);
      return { result, touched: [...new Set([...tx.topology.touched, ...tx.alerts.touched])] };
    }).then(({ result, touched }) => {
      if (touched.length > 0) this.committed(touched, false);
      return result;
    });
  }

  /** Runs work alone; its writes are kept only if it returns. */
  private unit<T>(work: () => Promise<T>): Promise<T> {
    // The mutex is not re-entrant: a unit started from inside another would wait for itself.
    const outer = this.inUnit.getStore();
    if (outer && outer === this.running)
      return Promise.reject(new Error('a unit of work was started inside another one'));
    const me = {};
    return this.mutex.run(() =>
      this.inUnit.run(me, async () => {
        const j = this.state.journal;
        this.running = me;
        j.begin();
        let result: T;
        try {
          result = await work();
        } catch (e) {
          j.rollback();
          throw e;
        } finally {
          this.running = null;
        }
        if (j.commit()) {
          const v = ++this.state.version;
          for (const l of this.configListeners) l(v);
        }
        return result;
      }),
    );
  }

  private committed(networkIds: number[], dnsQueued: boolean): void {
    if (networkIds.length > 0) {
      for (const w of this.watchers) {
        try {
          w(networkIds);
        } catch {
          // a watcher's failure is its own business
        }
      }
    }
    if (dnsQueued) for (const l of this.dnsListeners) setImmediate(l);
  }

  watchNetworks(listener: (networkIds: number[]) => void): () => void {
    this.watchers.add(listener);
    return () => this.watchers.delete(listener);
  }

  onDnsQueued(fn: () => void): () => void {
    this.dnsListeners.add(fn);
    return () => this.dnsListeners.delete(fn);
  }

  async close(): Promise<void> {
    this.watchers.clear();
    this.dnsListeners.clear();
    this.configListeners.clear();
  }
}
