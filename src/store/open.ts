/** Opens the configured store (PostgreSQL, or the embedded default) with the schema up to date. */
import 'reflect-metadata';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { MIGRATIONS } from '../../migrations';
import { ENTITIES } from './entities';
import { startEmbedded } from './embedded';
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
}

export interface OpenedStore {
  store: TypeormStore;
  kind: 'postgres' | 'embedded';
  /** Embedded only: the data directory was created just now. */
  fresh: boolean;
}

const COMMON = {
  type: 'postgres',
  entities: ENTITIES,
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
    const ds = new DataSource({ ...COMMON, ...postgresConnection(parseDatabaseUrl(config.databaseUrl), config.poolSize ?? 10) } as DataSourceOptions);
    await ds.initialize();
    await migrate(ds);
    return { store: new TypeormStore(ds), kind: 'postgres', fresh: false };
  }
  const embedded = await startEmbedded(config.dataDir);
  const ds = new DataSource({
    ...COMMON,
    host: embedded.socketDir,
    port: embedded.port,
    username: 'postgres',
    database: 'postgres',
    extra: { max: 1 },
  } as DataSourceOptions);
  try {
    await ds.initialize();
    await migrate(ds);
  } catch (e) {
    if (ds.isInitialized) await ds.destroy();
    await embedded.stop();
    throw e;
  }
  return { store: new TypeormStore(ds, () => embedded.stop()), kind: 'embedded', fresh: embedded.fresh };
}

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
