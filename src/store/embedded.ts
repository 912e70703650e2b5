/**
 * The embedded default: PGlite (PostgreSQL compiled to WebAssembly) in this process, served over
 * the PostgreSQL wire protocol on a private Unix socket, so the very same `pg` driver, TypeORM
 * code, migrations and SQL run on it as on a real server. PGlite is one session: one connection.
 */
import { PGlite, type Extension } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { existsSync, mkdirSync, linkSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

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
/**
 * PGlite's defaults (shared_buffers 128MB) made an idle server 540 MB. 16MB holds this workload's
 * hot pages (a /16 with 60,000 allocations is ~12 MB of table and indexes); the rest is the
 * operating system's file cache. IPCD_EMBEDDED_SHARED_BUFFERS overrides it.
 */
export const EMBEDDED_SHARED_BUFFERS = '16MB';

export async function startEmbedded(
  dataDir?: string,
  sharedBuffers = EMBEDDED_SHARED_BUFFERS,
): Promise<EmbeddedDatabase> {
  const fresh = dataDir === undefined || !existsSync(join(dataDir, 'PG_VERSION'));
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  const unlock = dataDir ? lock(dataDir) : () => {};
  let db: PGlite | undefined;
  try {
    const postgresqlconf = [`shared_buffers=${sharedBuffers}`, 'wal_buffers=1MB'];
    db = await PGlite.create(
      dataDir
        ? { dataDir, extensions: { btree_gist }, postgresqlconf }
        : { extensions: { btree_gist }, postgresqlconf },
    );
    const socketDir = mkdtempSync(join(tmpdir(), 'ipcd-pg-'));
    const port = 5432;
    const server = new PGLiteSocketServer({ db, path: join(socketDir, `.s.PGSQL.${port}`), maxConnections: 1 });
    await server.start();
    const opened = db;
    return {
      socketDir,
      port,
      fresh,
      async stop() {
        try {
          await server.stop();
          await opened.close();
          rmSync(socketDir, { recursive: true, force: true });
        } finally {
          unlock();
        }
      },
    };
  } catch (e) {
    await db?.close().catch(() => {});
    unlock();
    throw e;
  }
}

/** Lock files this process holds, so a lock naming our own pid can be told from a stale one. */
const held = new Set<string>();

/**
 * PGlite is one process's database: a second process opening the same directory would corrupt it.
 * `<dataDir>/ipcd.lock` holds the owner's pid; a lock whose process is gone is taken over (after a
 * crash, or a container restart where the new process may even get the same pid).
 */
function lock(dataDir: string): () => void {
  const file = resolve(dataDir, 'ipcd.lock');
  // Written aside and hard-linked into place, so the lock never exists without its pid in it.
  const draft = `${file}.${process.pid}`;
  writeFileSync(draft, `${process.pid}\n`);
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        linkSync(draft, file);
        held.add(file);
        return () => {
          held.delete(file);
          rmSync(file, { force: true });
        };
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || attempt >= 2) throw e;
      }
      const pid = ownerOf(file);
      if (pid !== null && (held.has(file) || (pid !== process.pid && alive(pid)))) {
        throw new Error(
          `the embedded store at ${dataDir} is in use by process ${pid} (stop the server or set DATABASE_URL)`,
        );
      }
      rmSync(file, { force: true }); // its process is gone (or the file is unreadable)
    }
  } finally {
    rmSync(draft, { force: true });
  }
}

function ownerOf(file: string): number | null {
  try {
    const pid = Number(readFileSync(file, 'utf8').trim());
    return Number.isSafeInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'; // exists, owned by another user
  }
}
