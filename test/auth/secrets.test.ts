/**
 * Passwords never leave as text: not in the server's log (winston at debug level, captured while
 * users are bootstrapped, created, changed and authenticate with PasswordText and PasswordDigest,
 * rightly and wrongly), and not in the database (pg_dump of the whole test database, grepped).
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { promisify } from 'node:util';
import winston from 'winston';
import { authOptions } from '../../src/api/operation';
import { createApp } from '../../src/app';
import { ensureFirstAdmin } from '../../src/bootstrap';
import { openTestStore, type BackendKind, type TestStore } from '../support/backends';
import { adminCall, call, type Credentials } from '../support/soap';

jest.setTimeout(120_000);

/** A server whose winston log (debug level, the production JSON format) goes to memory. */
async function capturedServer(db: TestStore, secretKey: Buffer) {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  });
  const log = winston.createLogger({
    level: 'debug',
    format: winston.format.combine(winston.format.timestamp(), winston.format.json()),
    defaultMeta: { service: 'ipcd' },
    transports: [new winston.transports.Stream({ stream: sink })],
  });
  const app = await createApp({ store: db.store, log, maxBodyBytes: 64 * 1024, auth: authOptions(true, secretKey) });
  const server: Server = await new Promise((r) => {
    const s = app.listen(0, '127.0.0.1', () => r(s));
  });
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    log,
    text: () => lines.join(''),
    admin: (op: string, fields: Parameters<typeof adminCall>[2], as?: Credentials) =>
      adminCall(`${base}/ipcd-admin`, op, fields, as),
    ipcd: (op: string, fields: Parameters<typeof call>[2], as?: Credentials) => call(`${base}/ipcd`, op, fields, as),
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}

/** Each password as it was given, and base64 of it (a lazy encoding is not protection either). */
const forms = (pw: string) => [pw, Buffer.from(pw).toString('base64')];

describe.each(['postgres', 'embedded'] as BackendKind[])('passwords on %s', (kind) => {
  let db: TestStore;
  let server: Awaited<ReturnType<typeof capturedServer>>;
  const secretKey = randomBytes(32);
  const passwords: string[] = [];
  const pw = (label: string) => {
    const p = `${label}-${randomBytes(9).toString('base64url')}`;
    passwords.push(p);
    return p;
  };
  const root: Credentials = { username: 'root', password: '' };
  let dataDir: string;

  beforeAll(async () => {
    db = await openTestStore(kind);
    server = await capturedServer(db, secretKey);
    dataDir = mkdtempSync(join(tmpdir(), 'ipcd-secrets-'));
  });
  afterAll(async () => {
    await server?.close();
    await db?.dispose();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('a first administrator from IPCD_ADMIN_PASSWORD, then users created, changed and authenticating both ways', async () => {
    root.password = pw('root');
    await ensureFirstAdmin(db.store, server.log, {
      initialAdmin: { username: 'root', password: root.password },
      passwordFile: join(dataDir, 'unused'),
      secretKey,
    });
    expect(server.text()).toMatch(/created the first administrator/);

    // Users of every role, text-only and digest-capable.
    const orch = { username: 'orch', password: pw('orch') };
    const tenant = { username: 'tenant-user', password: pw('tenant') };
    expect((await server.admin('AddTenant', { name: 't1' }, root)).fault).toBeUndefined();
    expect((await server.admin('AddDataCenter', { name: 'dc1' }, root)).fault).toBeUndefined();
    expect(
      (
        await server.admin(
          'AddUser',
          { ...orch, role: 'orchestrator', grant: { dataCenter: 'dc1' }, digest: true },
          root,
        )
      ).fault,
    ).toBeUndefined();
    expect((await server.admin('AddUser', { ...tenant, role: 'tenant', tenant: 't1' }, root)).fault).toBeUndefined();
    // A refused AddUser (password too short to accept) must not be logged either.
    const short = pw('s').slice(0, 10);
    passwords.push(short);
    expect(
      (await server.admin('AddUser', { username: 'weak', password: short, role: 'admin' }, root)).fault?.code,
    ).toBe('INVALID_REQUEST');

    // PasswordText and PasswordDigest, right and wrong; a replay.
    expect((await server.ipcd('ListAllocations', {}, orch)).fault).toBeUndefined();
    expect((await server.ipcd('ListAllocations', {}, { ...orch, digest: true })).fault).toBeUndefined();
    expect((await server.admin('ListTenants', {}, { ...root, digest: true })).fault).toBeUndefined();
    expect((await server.admin('ListTenants', {}, tenant)).fault).toBeUndefined();
    const typo = pw('typo');
    expect((await server.admin('ListTenants', {}, { username: 'root', password: typo })).fault?.code).toBe(
      'AUTHENTICATION_FAILED',
    );
    expect(
      (await server.admin('ListTenants', {}, { username: 'root', password: typo, digest: true })).fault?.code,
    ).toBe('AUTHENTICATION_FAILED');
    const replay = {
      ...orch,
      digest: true,
      nonce: randomBytes(16).toString('base64'),
      created: new Date().toISOString(),
    };
    expect((await server.ipcd('ListAllocations', {}, replay)).fault).toBeUndefined();
    expect((await server.ipcd('ListAllocations', {}, replay)).fault?.code).toBe('AUTHENTICATION_FAILED');

    // New passwords: set by an administrator, and by the user for itself.
    const orch2 = { username: 'orch', password: pw('orch2') };
    expect((await server.admin('SetPassword', orch2, root)).fault).toBeUndefined();
    expect((await server.ipcd('ListAllocations', {}, { ...orch2, digest: true })).fault).toBeUndefined();
    const tenant2 = { username: 'tenant-user', password: pw('tenant2') };
    expect((await server.admin('SetPassword', tenant2, tenant)).fault).toBeUndefined();
    expect((await server.admin('ListTenants', {}, tenant2)).fault).toBeUndefined();
    // A non-admin setting someone else's password: refused and audited, still not logged.
    expect((await server.admin('SetPassword', { username: 'orch', password: pw('stolen') }, tenant2)).fault?.code).toBe(
      'ACCESS_DENIED',
    );
  });

  test('a first administrator with a random password: written to a file only, never to the log', async () => {
    const other = await openTestStore('postgres');
    try {
      const before = server.text().length;
      const passwordFile = join(dataDir, 'initial-admin-password');
      await ensureFirstAdmin(other.store, server.log, { passwordFile });
      const random = readFileSync(passwordFile, 'utf8').trim();
      passwords.push(random);
      expect(random.length).toBeGreaterThanOrEqual(20);
      expect(server.text().slice(before)).toContain(passwordFile);
    } finally {
      await other.dispose();
    }
  });

  test('the log holds requests and users, and none of the passwords', () => {
    const log = server.text();
    expect(log).toMatch(/"operation":"AddUser"/);
    expect(log).toMatch(/"user":"orch"/);
    expect(log).toMatch(/"faultCode":"AUTHENTICATION_FAILED"/);
    expect(passwords.length).toBeGreaterThanOrEqual(10);
    for (const p of passwords)
      for (const form of forms(p))
        expect({ password: p, inLog: log.includes(form) }).toEqual({ password: p, inLog: false });
  });

  if (kind === 'postgres') {
    test('pg_dump of the database holds none of the passwords', async () => {
      const { stdout } = await promisify(execFile)('pg_dump', ['--no-owner', `--dbname=${db.url}`], {
        maxBuffer: 64 * 1024 * 1024,
      });
      expect(stdout).toMatch(/COPY public\.app_user/);
      expect(stdout).toMatch(/scrypt\$/); // the hashes are there, so the dump did include the users
      for (const p of passwords)
        for (const form of forms(p))
          expect({ password: p, inDump: stdout.includes(form) }).toEqual({ password: p, inDump: false });
    });
  }
});
