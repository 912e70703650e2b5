/** The SQL store (PGlite or PostgreSQL) as a contract backend: a fresh database per suite. */
import { openTestStore, type BackendKind } from '../support/backends';
import type { ContractBackend } from './suite/backend';

export async function openSqlBackend(kind: BackendKind): Promise<ContractBackend> {
  const db = await openTestStore(kind);
  return {
    allocator: db.store.allocator,
    // StoreTx is every port at once: each capability is the same object.
    transaction: (fn) => db.store.transaction((t) => fn({ topology: t, audit: t, access: t, alerts: t })),
    dispose: () => db.dispose(),
  };
}
