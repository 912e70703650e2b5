/** The run's own PostgreSQL databases: created with a unique name, dropped afterwards (see cleanup.ts). */
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { onCleanup } from './cleanup';

export function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

export async function sql<T>(url: string, fn: (c: Client) => Promise<T>): Promise<T> {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

export interface Database {
  name: string;
  url: string;
  /** Drops it now (also done by cleanupAll if never called). */
  drop(): Promise<void>;
}

/** `ipcd_bench_<pid>_<random>[_suffix]` on the server of `adminUrl`. */
export async function createDatabase(adminUrl: string, suffix = ''): Promise<Database> {
  const name = `ipcd_bench_${process.pid}_${randomBytes(4).toString('hex')}${suffix ? `_${suffix}` : ''}`;
  await sql(adminUrl, (c) => c.query(`CREATE DATABASE ${name}`));
  const drop = onCleanup(`drop database ${name}`, () =>
    sql(adminUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
  );
  return { name, url: withDatabase(adminUrl, name), drop };
}

export async function serverVersion(url: string): Promise<string | undefined> {
  try {
    return await sql(url, async (c) => ((await c.query(`SELECT version() AS v`)).rows[0] as { v: string }).v);
  } catch {
    return undefined;
  }
}
