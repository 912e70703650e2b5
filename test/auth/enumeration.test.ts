/**
 * Which user names exist is not told, neither by the fault nor by the time it takes: an unknown
 * or disabled user costs the same one password hash as a wrong password for a real account
 * (counted, not timed), and every such refusal reads the same, for PasswordText and for
 * PasswordDigest.
 */
import { randomBytes } from 'node:crypto';
import { authOptions } from '../../src/api/operation';
import { passwordChecks } from '../../src/logic/access/passwords';
import { addUser, disableUser } from '../../src/logic/access/users';
import { BACKENDS, openTestStore, type TestStore } from '../support/backends';
import { startServer, type RunningServer } from '../support/server';
import { call, type Credentials } from '../support/soap';

describe.each(BACKENDS)('user enumeration on %s', (kind) => {
  let db: TestStore;
  let server: RunningServer;
  const secretKey = randomBytes(32);

  beforeAll(async () => {
    db = await openTestStore(kind);
    await addUser(db.store, { username: 'orch', password: 'orchestrator-pass-1', role: 'orchestrator' });
    await addUser(
      db.store,
      { username: 'digester', password: 'digest-account-pass-1', role: 'orchestrator', digest: true },
      secretKey,
    );
    await addUser(db.store, { username: 'gone', password: 'disabled-account-1', role: 'orchestrator' });
    await disableUser(db.store, 'gone', true);
    server = await startServer(db.store, { auth: authOptions(true, secretKey) });
  });
  afterAll(async () => {
    await server?.close();
    await db?.dispose();
  });

  /** The fault text of one refused call, and how many password hashes it cost. */
  const attempt = async (c: Credentials) => {
    const before = passwordChecks();
    const r = await call(server.url, 'ListAllocations', {}, c);
    return { code: r.fault?.code, message: r.fault?.message, hashes: passwordChecks() - before };
  };

  test('PasswordText: unknown, disabled and wrong-password users cost one hash each and read the same', async () => {
    const wrong = await attempt({ username: 'orch', password: 'not-the-password-1' });
    const unknown = await attempt({ username: 'nobody-here', password: 'not-the-password-1' });
    const disabled = await attempt({ username: 'gone', password: 'disabled-account-1' });
    expect(wrong).toEqual({
      code: 'AUTHENTICATION_FAILED',
      message: 'the user name or password is not accepted',
      hashes: 1,
    });
    expect(unknown).toEqual(wrong);
    expect(disabled).toEqual(wrong);
  });

  test('PasswordDigest: unknown, non-digest and wrong-digest accounts read the same', async () => {
    const results = await Promise.all(
      [
        { username: 'digester', password: 'not-the-password-1' },
        { username: 'nobody-here', password: 'not-the-password-1' },
        { username: 'orch', password: 'orchestrator-pass-1' },
        { username: 'gone', password: 'disabled-account-1' },
      ].map((c) => attempt({ ...c, digest: true })),
    );
    for (const r of results)
      expect({ code: r.code, message: r.message }).toEqual({
        code: 'AUTHENTICATION_FAILED',
        message: results[0].message,
      });
    expect(results[0].message).toMatch(/not accepted/);
  });
});
