/**
 * The side-by-side reference (shared/notes/machine-facts.md): pgbench on the same PostgreSQL
 * server, in its own database, with a table shaped like an allocation and a script of two
 * autocommit transactions like one commission + one decommission. Its tps is what the database
 * alone does for a "cycle"; ipcd cycles/s ÷ that is the ratio the issue asks for.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { onCleanup } from './cleanup';
import { createDatabase, sql, type Database } from './database';

export const PGBENCH_SCRIPT = [
  '\\set a random(1, 2000000000)',
  'INSERT INTO t (network, address) VALUES (1, :a) ON CONFLICT DO NOTHING;',
  'DELETE FROM t WHERE network = 1 AND address = :a;',
].join('\n');

export interface PgbenchResult {
  clients: number;
  tps: number;
  latencyMs: number;
  transactions: number;
  failed: number;
}

export interface Pgbench {
  binary: string;
  run(clients: number, seconds: number): Promise<PgbenchResult>;
  close(): Promise<void>;
}

/** pgbench on PATH, else Debian's PostgreSQL 15 location; BENCH_PGBENCH_BIN overrides both. */
export function findPgbench(): string {
  const given = process.env.BENCH_PGBENCH_BIN;
  if (given) return given;
  for (const dir of (process.env.PATH ?? '').split(':'))
    if (dir && existsSync(join(dir, 'pgbench'))) return join(dir, 'pgbench');
  return '/usr/lib/postgresql/15/bin/pgbench';
}

function exec(binary: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    // Unregistered when it ends (killing an exited child is a no-op).
    const stopChild = onCleanup(`stop pgbench pid ${child.pid}`, async () => void child.kill('SIGTERM'));
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d));
    child.stderr.on('data', (d: Buffer) => (out += d));
    child.once('error', (e) => reject(new Error(`${binary} could not be started: ${e.message}`)));
    child.once('close', (code) => {
      void stopChild();
      if (code === 0) resolve(out);
      else reject(new Error(`pgbench exited with ${code}:\n${out.slice(-2000)}`));
    });
  });
}

export async function openPgbench(adminUrl: string): Promise<Pgbench> {
  const binary = findPgbench();
  const db: Database = await createDatabase(adminUrl, 'pgbench');
  await sql(db.url, (c) =>
    c.query(`CREATE TABLE t (id bigserial PRIMARY KEY, network int, address bigint, UNIQUE (network, address))`),
  );
  const dir = mkdtempSync(join(os.tmpdir(), 'ipcd-pgbench-'));
  const removeDir = onCleanup(`remove ${dir}`, async () => rmSync(dir, { recursive: true, force: true }));
  const script = join(dir, 'cycle.sql');
  writeFileSync(script, PGBENCH_SCRIPT + '\n');
  return {
    binary,
    async run(clients, seconds) {
      // Same starting state for every point: an empty table, no dead rows from the last one.
      await sql(db.url, async (c) => {
        await c.query(`TRUNCATE t`);
        await c.query(`VACUUM ANALYZE t`);
      });
      const out = await exec(binary, [
        '-n',
        '-c',
        String(clients),
        '-j',
        '2',
        '-T',
        String(Math.max(1, Math.round(seconds))),
        '-f',
        script,
        db.url,
      ]);
      const number = (re: RegExp) => {
        const m = re.exec(out);
        if (!m) throw new Error(`pgbench printed no ${re.source}:\n${out.slice(-2000)}`);
        return Number(m[1]);
      };
      return {
        clients,
        tps: number(/tps = ([\d.]+)/),
        latencyMs: number(/latency average = ([\d.]+) ms/),
        transactions: number(/number of transactions actually processed: (\d+)/),
        failed: /number of failed transactions: (\d+)/.test(out) ? number(/number of failed transactions: (\d+)/) : 0,
      };
    },
    async close() {
      await removeDir();
      await db.drop();
    },
  };
}
