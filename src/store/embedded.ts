/**
 * The embedded default: PGlite (PostgreSQL compiled to WebAssembly) in this process, served over
 * the PostgreSQL wire protocol on a private Unix socket, so the very same `pg` driver, TypeORM
 * code, migrations and SQL run on it as on a real server. PGlite is one session: one connection.
 */
import { PGlite, type Extension } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// The contrib's type declarations are ESM-only, while its CommonJS build is what we load.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { btree_gist } = require('@electric-sql/pglite/contrib/btree_gist') as { btree_gist: Extension };

export interface EmbeddedDatabase {
  /** Directory holding the socket; `pg` takes it as host. */
  socketDir: string;
  port: number;
  /** True when the data directory did not exist before (a brand-new store). */
  fresh: boolean;
  stop(): Promise<void>;
}

/** dataDir undefined keeps everything in memory (tests). */
export async function startEmbedded(dataDir?: string): Promise<EmbeddedDatabase> {
  const fresh = dataDir === undefined || !existsSync(join(dataDir, 'PG_VERSION'));
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  const db = await PGlite.create(dataDir ? { dataDir, extensions: { btree_gist } } : { extensions: { btree_gist } });
  const socketDir = mkdtempSync(join(tmpdir(), 'ipcd-pg-'));
  const port = 5432;
  const server = new PGLiteSocketServer({ db, path: join(socketDir, `.s.PGSQL.${port}`), maxConnections: 1 });
  await server.start();
  return {
    socketDir,
    port,
    fresh,
    async stop() {
      await server.stop();
      await db.close();
      rmSync(socketDir, { recursive: true, force: true });
    },
  };
}
