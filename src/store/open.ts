/** Opens the configured store (PostgreSQL, or the embedded default) with the schema up to date. */
import 'reflect-metadata';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { MIGRATIONS } from '../../migrations';
import type * as EmbeddedModule from './embedded';
import { TypeormStore } from './typeorm-store';
import { parseDatabaseUrl } from './db-url';
import { postgresConnection } from './host-list';

export interface StoreConfig {
  /** postgres://… (several hosts: host-list.ts); absent: the embedded store. */
  databaseUrl?: string;
  /** Embedded store's data directory; absent: in memory. */
  dataDir?: string;
  /** Connections per process on PostgreSQL (the embedded store always has one). */
  poolSize?: number;
  /** Embedded store's shared_buffers (PostgreSQL units, e.g. 16MB). */
  embeddedSharedBuffers?: string;
}

export interface OpenedStore {
  store: TypeormStore;
  kind: 'postgres' | 'embedded';
  /** Embedded only: the data directory was created just now. */
  fresh: boolean;
}

const COMMON = {
  type: 'postgres',
  // No entities: hand SQL in one module per port (README, Architecture / persistence).
  migrations: MIGRATIONS,
  migrationsTableName: 'ipcd_migrations',
  synchronize: false,
  migrationsRun: false,
  installExtensions: false,
  logging: false,
} as const;

// Arbitrary constant key: several ipcd processes starting together migrate one at a time.
const MIGRATION_LOCK = 0x1ecd;

export async function openStore(config: StoreConfig): Promise<OpenedStore> {
  if (config.databaseUrl) {
    const ds = new DataSource({
      ...COMMON,
      ...postgresConnection(parseDatabaseUrl(config.databaseUrl), config.poolSize ?? 10),
    } as DataSourceOptions);
    await ds.initialize();
    const store = new TypeormStore(ds, undefined, config.databaseUrl);
    await migrateIfNeeded(store, ds);
    return { store, kind: 'postgres', fresh: false };
  }
  const embedded = await loadEmbedded().startEmbedded(config.dataDir, config.embeddedSharedBuffers);
  const ds = new DataSource({
    ...COMMON,
    host: embedded.socketDir,
    port: embedded.port,
    username: 'postgres',
    database: 'postgres',
    extra: { max: 1 },
  } as DataSourceOptions);
  let store: TypeormStore;
  try {
    await ds.initialize();
    // After initialize: the store counts statements on the driver's pool, which exists from then on.
    store = new TypeormStore(ds, () => embedded.stop());
    await migrateIfNeeded(store, ds);
  } catch (e) {
    if (ds.isInitialized) await ds.destroy();
    await embedded.stop();
    throw e;
  }
  return { store, kind: 'embedded', fresh: embedded.fresh };
}

/**
 * A restart finds every migration applied: one read, no lock and no migration run (TypeORM's own
 * check costs several catalog queries, slow on a cold embedded store). A new or older database
 * (or no migrations table yet) migrates.
 */
async function migrateIfNeeded(store: TypeormStore, ds: DataSource): Promise<void> {
  const status = await store.schemaStatus().catch(() => null);
  if (status?.pending.length !== 0) await migrate(ds);
}

/** The embedded store's module, loaded on first use: a PostgreSQL start does not load PGlite. */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const loadEmbedded = () => require('./embedded') as typeof EmbeddedModule;

async function migrate(ds: DataSource): Promise<void> {
  const runner = ds.createQueryRunner();
  const embedded = ds.driver.options.extra?.max === 1;
  try {
    // The embedded store has a single connection and no other process: no lock needed (and a
    // held lock connection would starve the migration of its one connection).
    if (!embedded) await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    try {
      if (embedded) await runner.release();
      await ds.runMigrations({ transaction: 'each' });
    } finally {
      if (!embedded) await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
    }
  } finally {
    if (!runner.isReleased) await runner.release();
  }
}
