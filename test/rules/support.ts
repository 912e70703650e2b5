/**
 * The rule tests' world: the logic over the in-memory backend, with a clock the test moves
 * instead of sleeping. Everything runs in-process, so a rule's test takes milliseconds.
 */
import type { Store, StoreTx } from '../../src/logic/ports';
import { MemoryStore, type MemoryTx } from '../../src/store/memory/store';
import type { Actor, Grant, Role } from '../../src/logic/access/policy';

export interface RuleWorld {
  memory: MemoryStore;
  /** The memory store as the logic takes it today. */
  store: Store;
  /** Moves the clock on by seconds. */
  advance(seconds: number): void;
}

export function world(): RuleWorld {
  let now = Date.parse('2030-01-01T00:00:00Z');
  const memory = new MemoryStore({ now: () => new Date(now) });
  return {
    memory,
    store: asStore(memory),
    advance: (seconds) => {
      now += seconds * 1000;
    },
  };
}

/**
 * Transitional, until the logic takes UnitOfWork<{ topology; audit; … }>: one object answering
 * for every port the transaction holds. A method no in-memory port has fails loudly.
 */
function asStore(m: MemoryStore): Store {
  const flat = (tx: MemoryTx): StoreTx =>
    new Proxy({} as StoreTx, {
      get: (_t, key) => {
        for (const port of [tx.topology, tx.audit, tx.access, tx.alerts] as unknown as Record<string | symbol, unknown>[]) {
          const f = port[key];
          if (typeof f === 'function') return f.bind(port);
        }
        throw new Error(`the in-memory store has no ${String(key)}`);
      },
    });
  return {
    allocator: m.allocator,
    transaction: (fn) => m.transaction((tx) => fn(flat(tx))),
    close: () => m.close(),
    watchNetworks: (l) => m.watchNetworks(l),
    onDnsQueued: (l) => m.onDnsQueued(l),
  };
}

export const as = (username: string, role: Role, grants: Grant[] = [], tenantId: number | null = null): Actor => ({ principal: { username, role, tenantId, grants } });
