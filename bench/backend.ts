/**
 * The app inside this process, for bench/console.ts (its Server-Timing figures need no outside
 * server): PostgreSQL (a fresh database with a unique name, dropped afterwards) or the embedded
 * PGlite store (in memory). `npm run bench` runs ipcd as its own process instead (server.ts).
 */
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createApp } from '../src/app';
import { authOptions } from '../src/api/operation';
import { MAX_BODY_BYTES } from '../src/config';
import { createLogger } from '../src/logger';
import { openStore } from '../src/store/open';
import type { TypeormStore } from '../src/store/typeorm-store';
import { sql, withDatabase } from './database';

export type BackendKind = 'postgres' | 'embedded';

export interface BenchBackend {
  kind: BackendKind;
  store: TypeormStore;
  /** http://127.0.0.1:PORT/ipcd */
  url: string;
  /** `SELECT version()` of the database behind the store. */
  version: string;
  /** PostgreSQL only: the database created for this run. */
  database?: string;
  poolSize: number;
  close(): Promise<void>;
}

export async function openBackend(
  kind: BackendKind,
  o: { pgAdminUrl: string; poolSize: number },
): Promise<BenchBackend> {
  let database: string | undefined;
  let dropDatabase = async () => {};
  let opened;
  if (kind === 'postgres') {
    const name = `ipcd_bench_${process.pid}_${randomBytes(4).toString('hex')}`;
    await sql(o.pgAdminUrl, (c) => c.query(`CREATE DATABASE ${name}`));
    database = name;
    dropDatabase = () =>
      sql(o.pgAdminUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined);
    try {
      opened = await openStore({ databaseUrl: withDatabase(o.pgAdminUrl, name), poolSize: o.poolSize });
    } catch (e) {
      await dropDatabase();
      throw e;
    }
  } else {
    opened = await openStore({});
  }
  const store = opened.store;
  let server: Server | undefined;
  try {
    const version = ((await store.dataSource.query(`SELECT version() AS v`)) as { v: string }[])[0].v;
    // Authentication off: this measures the allocator and the SOAP path, not scrypt.
    const app = await createApp({
      store,
      log: createLogger('silent'),
      maxBodyBytes: MAX_BODY_BYTES,
      auth: authOptions(false),
    });
    server = await new Promise<Server>((resolve, reject) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
      s.once('error', reject);
    });
    const port = (server.address() as AddressInfo).port;
    const running = server;
    return {
      kind,
      store,
      url: `http://127.0.0.1:${port}/ipcd`,
      version,
      database,
      poolSize: kind === 'postgres' ? o.poolSize : 1,
      async close() {
        await new Promise<void>((resolve) => {
          running.close(() => resolve());
          running.closeAllConnections();
        });
        await store.close();
        await dropDatabase();
      },
    };
  } catch (e) {
    server?.close();
    await store.close();
    await dropDatabase();
    throw e;
  }
}
/** The admin connection helper under the name bench/restart.ts uses. */
export const admin = sql;
