/**
 * Throwaway PostgreSQL clusters of the installed version, each on its own free port and in its
 * own temp folder: a primary, and standbys made from it with pg_basebackup (streaming, optionally
 * synchronous). For tests that stop, restart and promote servers, which the shared server on 5432
 * must never be. initdb refuses to run as root, so as root every command runs as `postgres`.
 */
import { execFile, execFileSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { freePort } from './processes';

const run = promisify(execFile);

/** The newest installed server's binaries (Debian: /usr/lib/postgresql/VERSION/bin). */
export function pgBin(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'initdb'))) : [];
  if (versions.length === 0)
    throw new Error('no PostgreSQL server binaries under /usr/lib/postgresql (apt-get install postgresql)');
  const newest = versions.sort((a, b) => Number(a) - Number(b)).pop()!;
  return join(root, newest, 'bin');
}

const asRoot = process.getuid?.() === 0;
let postgresIds: { uid: number; gid: number } | undefined;
function postgresUser(): { uid: number; gid: number } {
  if (!postgresIds) {
    const line = readFileSync('/etc/passwd', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('postgres:'));
    if (!line) throw new Error('no postgres user on this machine');
    const [, , uid, gid] = line.split(':');
    postgresIds = { uid: Number(uid), gid: Number(gid) };
  }
  return postgresIds;
}

/** A PostgreSQL program as the postgres user when we are root, else as ourselves. */
function command(program: string, args: string[]): [string, string[]] {
  const bin = join(pgBin(), program);
  return asRoot ? ['runuser', ['-u', 'postgres', '--', bin, ...args]] : [bin, args];
}

/** Clusters not destroyed yet: stopped and removed if the test process exits without destroy(). */
const live = new Set<PgCluster>();
process.once('exit', () => {
  for (const c of live) {
    try {
      execFileSync(...command('pg_ctl', ['-D', c.dataDir, '-m', 'immediate', 'stop']), {
        stdio: 'ignore',
        timeout: 10_000,
      });
    } catch {
      // not running
    }
    rmSync(c.dir, { recursive: true, force: true });
  }
});

async function pg(program: string, args: string[]): Promise<string> {
  const [file, argv] = command(program, args);
  try {
    const { stdout } = await run(file, argv, { timeout: 60_000 });
    return stdout;
  } catch (e) {
    const x = e as { stderr?: string; message: string };
    throw new Error(`${program} ${args.join(' ')} failed: ${x.stderr || x.message}`);
  }
}

export class PgCluster {
  private constructor(
    readonly name: string,
    readonly dir: string,
    readonly port: number,
  ) {
    live.add(this);
  }

  get dataDir(): string {
    return join(this.dir, 'data');
  }

  /** host:port as a DATABASE_URL names it. */
  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  url(database = 'postgres'): string {
    return `postgres://postgres@${this.address}/${database}`;
  }

  /** A new, empty primary (trust authentication on loopback, replication allowed). */
  static async primary(name = 'primary'): Promise<PgCluster> {
    const c = new PgCluster(name, ownedTempDir(name), await freePort());
    await pg('initdb', ['-D', c.dataDir, '-U', 'postgres', '--auth=trust', '--no-sync']);
    await c.start();
    return c;
  }

  /** A streaming standby of `primary` (pg_basebackup -R), started. */
  static async standbyOf(primary: PgCluster, name = 'standby'): Promise<PgCluster> {
    const c = new PgCluster(name, ownedTempDir(name), await freePort());
    await pg('pg_basebackup', [
      '-h',
      '127.0.0.1',
      '-p',
      String(primary.port),
      '-U',
      'postgres',
      '-D',
      c.dataDir,
      '-R',
      '-X',
      'stream',
      '-c',
      'fast',
      '--no-sync',
    ]);
    await pg('psql', ['-h', '127.0.0.1', '-p', String(primary.port), '-U', 'postgres', '-qAtc', 'SELECT 1']);
    await c.start(`-c cluster_name=${name}`);
    return c;
  }

  /** pg_ctl start on this cluster's port, loopback only, socket in its own folder. */
  async start(extra = ''): Promise<void> {
    const opts = `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c fsync=off ${extra}`.trim();
    await pg('pg_ctl', ['-D', this.dataDir, '-l', join(this.dir, 'server.log'), '-o', opts, '-w', '-t', '30', 'start']);
  }

  /** fast: sessions are terminated cleanly; immediate: a crash (no shutdown checkpoint). */
  async stop(mode: 'fast' | 'immediate' = 'fast'): Promise<void> {
    await pg('pg_ctl', ['-D', this.dataDir, '-m', mode, '-w', '-t', '30', 'stop']);
  }

  /** Ends a standby's recovery: it becomes a primary and takes writes. */
  async promote(): Promise<void> {
    await pg('pg_ctl', ['-D', this.dataDir, '-w', '-t', '30', 'promote']);
  }

  async query<T = Record<string, unknown>>(sql: string, params: unknown[] = [], database = 'postgres'): Promise<T[]> {
    const c = new Client({ connectionString: this.url(database) });
    await c.connect();
    try {
      return (await c.query(sql, params)).rows as T[];
    } finally {
      await c.end();
    }
  }

  /**
   * Commits on this primary wait until a standby has flushed them (synchronous_commit on, the
   * default): an acknowledged commit survives the primary's loss. Returns once a standby is sync.
   */
  async requireSyncStandby(timeoutMs = 20_000): Promise<void> {
    await this.query(`ALTER SYSTEM SET synchronous_standby_names = '*'`);
    await this.query(`SELECT pg_reload_conf()`);
    const deadline = Date.now() + timeoutMs;
    while ((await this.query(`SELECT 1 FROM pg_stat_replication WHERE sync_state = 'sync'`)).length === 0) {
      if (Date.now() > deadline) throw new Error(`no synchronous standby on ${this.name} within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  log(): string {
    const f = join(this.dir, 'server.log');
    return existsSync(f) ? readFileSync(f, 'utf8') : '';
  }

  /** Stops the server if it runs and removes its folder. */
  async destroy(): Promise<void> {
    if (existsSync(join(this.dataDir, 'postmaster.pid'))) await this.stop('immediate').catch(() => undefined);
    rmSync(this.dir, { recursive: true, force: true });
    live.delete(this);
  }
}

function ownedTempDir(name: string): string {
  const dir = mkdtempSync(join(tmpdir(), `ipcd-pg-${name}-`));
  if (asRoot) {
    const { uid, gid } = postgresUser();
    chownSync(dir, uid, gid);
  }
  chmodSync(dir, 0o700);
  return dir;
}
