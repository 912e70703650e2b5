/**
 * Replicas started at the same instant on a brand-new PostgreSQL database: every start-up step
 * (migrations, the first administrator, the workers) is safe when several processes run it at
 * once. Three processes, several rounds, each on a new database: all three come up, exactly one
 * administrator exists, and its password (written by the one process that created it) works on
 * every replica. On the embedded store, which one process owns, the others say so and exit.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { createDatabase } from '../support/backends';
import { ensureBuilt, startServerProcesses } from '../support/processes';
import { adminCall, all } from '../support/soap';

jest.setTimeout(300_000);

/** Rounds: the random first password (written to a file), then the operator's IPCD_ADMIN_PASSWORD. */
const ROUNDS: [number, string | undefined][] = [
  [1, undefined],
  [2, undefined],
  [3, undefined],
  [4, undefined],
  [5, 'operator-chosen-password-1'],
  [6, 'operator-chosen-password-1'],
];

beforeAll(() => ensureBuilt());

test.each(ROUNDS)(
  'round %i: three processes on a new PostgreSQL database all start, with one administrator',
  async (_round, given) => {
    const db = await createDatabase();
    const dir = mkdtempSync(join(tmpdir(), 'ipcd-replicas-'));
    try {
      const env = {
        DATABASE_URL: db.url,
        IPCD_DATA_DIR: dir,
        LOG_LEVEL: 'warn',
        IPCD_DB_POOL: '3',
        ...(given ? { IPCD_ADMIN_PASSWORD: given } : {}),
      };
      const procs = await startServerProcesses(3, env, { readyTimeoutMs: 90_000 });
      try {
        const sql = new Client({ connectionString: db.url });
        await sql.connect();
        const users = (await sql.query('SELECT username, role FROM app_user')).rows;
        await sql.end();
        expect(users).toEqual([{ username: 'admin', role: 'admin' }]);
        expect(existsSync(join(dir, 'initial-admin-password'))).toBe(given === undefined);
        const password = given ?? readFileSync(join(dir, 'initial-admin-password'), 'utf8').trim();
        for (const s of procs.servers) {
          const r = await adminCall(`${s.base}/ipcd-admin`, 'ListUsers', {}, { username: 'admin', password });
          expect(all(r.body, 'user')).toHaveLength(1);
        }
      } finally {
        await procs.stop();
      }
    } finally {
      await db.drop();
      rmSync(dir, { recursive: true, force: true });
    }
  },
);

test('three processes on one new embedded store: one serves it, the others exit saying it is in use', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ipcd-embedded-replicas-'));
  try {
    const started = await Promise.allSettled(
      [0, 1, 2].map(() =>
        startServerProcesses(1, { IPCD_DATA_DIR: join(dir, 'data'), LOG_LEVEL: 'warn' }, { readyTimeoutMs: 90_000 }),
      ),
    );
    const up = started.filter(
      (s): s is PromiseFulfilledResult<Awaited<ReturnType<typeof startServerProcesses>>> => s.status === 'fulfilled',
    );
    try {
      expect(up).toHaveLength(1);
      for (const s of started)
        if (s.status === 'rejected') expect(String(s.reason)).toMatch(/is in use by process \d+/);
      expect(existsSync(join(dir, 'data', 'initial-admin-password'))).toBe(true);
    } finally {
      for (const u of up) await u.value.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
