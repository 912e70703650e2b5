/** The SQL store (PGlite or PostgreSQL) as a contract backend: a fresh database per suite. */
import { openTestStore, type BackendKind } from '../support/backends';
import type { ContractBackend } from './suite/backend';

export async function openSqlBackend(kind: BackendKind): Promise<ContractBackend> {
  const db = await openTestStore(kind);
  return {
    allocator: db.store.allocator,
    // The SQL transaction hands every port; the contract uses five of them.
    transaction: (fn) => db.store.transaction((t) => fn(t)),
    dispose: () => db.dispose(),
  };
}
