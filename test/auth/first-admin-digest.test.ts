/**
 * PasswordDigest for the first administrator: the account is made digest-capable (its password
 * sealed) only when IPCD_SECRET_KEY is set at the first start — from IPCD_ADMIN_PASSWORD or the
 * random password file alike. Set later, the key does not make an existing account accept digests.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { authOptions } from '../../src/api/operation';
import { ensureFirstAdmin } from '../../src/bootstrap';
import { createLogger } from '../../src/logger';
import { loadExampleTopology } from '../../src/example/topology';
import { openTestStore, type TestStore } from '../support/backends';
import { call } from '../support/soap';
import { startServer, type RunningServer } from '../support/server';

const key = randomBytes(32);
let dir: string;
const opened: { db: TestStore; server: RunningServer }[] = [];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ipcd-first-admin-'));
});
afterAll(async () => {
  for (const o of opened) {
    await o.server.close();
    await o.db.dispose();
  }
  rmSync(dir, { recursive: true, force: true });
});

/** A new store, its first start with or without the key, then a server that has the key. */
async function firstStart(
  name: string,
  keyAtFirstStart: boolean,
  initialAdmin?: { username: string; password: string },
) {
  const db = await openTestStore('embedded');
  await loadExampleTopology(db.store);
  const passwordFile = join(dir, `${name}-initial-admin-password`);
  await ensureFirstAdmin(db.store, createLogger(), {
    initialAdmin,
    passwordFile,
    secretKey: keyAtFirstStart ? key : undefined,
  });
  const server = await startServer(db.store, { auth: authOptions(true, key) });
  opened.push({ db, server });
  const password = initialAdmin?.password ?? readFileSync(passwordFile, 'utf8').trim();
  const list = (digest: boolean) =>
    call(server.url, 'ListAllocations', {}, { username: initialAdmin?.username ?? 'admin', password, digest });
  return list;
}

test.each([
  ['the random password file', undefined],
  ['IPCD_ADMIN_PASSWORD', { username: 'root', password: 'first-admin-secret-1' }],
])(
  'with IPCD_SECRET_KEY at the first start, the first administrator from %s may use PasswordDigest',
  async (_how, initial) => {
    const list = await firstStart(initial ? 'env' : 'file', true, initial);
    expect((await list(false)).fault).toBeUndefined();
    expect((await list(true)).fault).toBeUndefined();
  },
);

test('without it, PasswordText only: a key set later does not change the account', async () => {
  const list = await firstStart('late', false);
  expect((await list(false)).fault).toBeUndefined();
  expect((await list(true)).fault?.code).toBe('AUTHENTICATION_FAILED');
});
