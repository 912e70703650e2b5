/**
 * The rule tests' world: the logic over the in-memory backend, with a clock the test moves
 * instead of sleeping. Everything runs in-process, so a rule's test takes milliseconds.
 */
import type { Ports, Store } from '../../src/store/store';
import { MemoryStore, type MemoryTx } from '../../src/store/memory/store';
import type { Actor, Grant, Role } from '../../src/logic/access/policy';

export interface RuleWorld {
  memory: MemoryStore;
  /** The memory store as the composition root holds a store. */
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
 * The memory store as a whole Store: its five ports as they are, and the ports it does not have
 * (dns, reports, maintenance) as objects on which any call fails loudly.
 */
function asStore(m: MemoryStore): Store {
  const missing = (port: string) =>
    new Proxy(
      {},
      {
        get: (_t, key) => {
          throw new Error(`the in-memory store has no ${port}.${String(key)}`);
        },
      },
    ) as never;
  const ports = (tx: MemoryTx): Ports => ({
    ...tx,
    dns: missing('dns'),
    reports: missing('reports'),
    maintenance: missing('maintenance'),
  });
  return {
    allocator: m.allocator,
    transaction: (fn) => m.transaction((tx) => fn(ports(tx))),
    close: () => m.close(),
    watchNetworks: (l) => m.watchNetworks(l),
    onDnsQueued: (l) => m.onDnsQueued(l),
  };
}

export const as = (username: string, role: Role, grants: Grant[] = [], tenantId: number | null = null): Actor => ({
  principal: { username, role, tenantId, grants },
});
