/**
 * The two storage backends every conformance and SOAP suite runs on: the embedded PGlite store
 * and a real PostgreSQL. Each opened store gets its own fresh database, dropped on close.
 */
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { openStore, type OpenedStore } from '../../src/store/open';

export type BackendKind = 'embedded' | 'postgres';
export const BACKENDS: BackendKind[] = ['embedded', 'postgres'];

/** Admin connection for creating test databases (trust auth on these machines). */
export const PG_ADMIN_URL = process.env.TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export function databaseUrl(name: string): string {
  const u = new URL(PG_ADMIN_URL);
  u.pathname = `/${name}`;
  return u.toString();
}

export async function createDatabase(): Promise<{ name: string; url: string; drop: () => Promise<void> }> {
  const name = `ipcd_t_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = new Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  return {
    name,
    url: databaseUrl(name),
    async drop() {
      const c = new Client({ connectionString: PG_ADMIN_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

export interface TestStore extends OpenedStore {
  /** Closes the store and removes its database. */
  dispose(): Promise<void>;
  /** PostgreSQL only: the URL other processes can open. */
  url?: string;
}

export async function openTestStore(kind: BackendKind, poolSize = 10): Promise<TestStore> {
  if (kind === 'embedded') {
    const opened = await openStore({});
    return { ...opened, dispose: () => opened.store.close() };
  }
  const db = await createDatabase();
  const opened = await openStore({ databaseUrl: db.url, poolSize });
  return {
    ...opened,
    url: db.url,
    async dispose() {
      await opened.store.close();
      await db.drop();
    },
  };
}
