/**
 * Web console sessions. A login checks the password with the very rules the SOAP services use
 * (authenticate, PasswordText); the session then carries only a random token (the cookie) and
 * a synchronizer CSRF token. Each request re-reads the user, so a disabled or removed account,
 * or a changed role, takes effect at once; a session idle longer than the timeout is gone.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { audit } from '../audit/audit';
import { authenticate, type AuthSettings } from './auth';
import type { HotPathStore } from '../allocation/hot-path';
import type { Principal } from './policy';
import type { UnitOfWork } from '../core/unit-of-work';
import type { AccessPort } from './port';
import type { AuditPort } from '../audit/port';

/** The ports this module uses. */
type Tx = { access: AccessPort; audit: AuditPort };

export interface ConsoleSession {
  principal: Principal;
  csrfToken: string;
  /** When the session expires unless used again. */
  expiresAt: Date;
}

export interface SessionSettings {
  idleTimeoutMs: number;
  now?: () => Date;
}

const hashOf = (token: string) => createHash('sha256').update(token, 'utf8').digest('base64url');
const TOKEN = /^[A-Za-z0-9_-]{43}$/;

/** Logs in with a user name and password; returns the new session's cookie token. */
export async function login(
  store: UnitOfWork<Tx> & HotPathStore,
  username: string,
  password: string,
  auth: AuthSettings,
  s: SessionSettings,
  requestId?: string,
  client?: string,
): Promise<{ token: string; session: ConsoleSession }> {
  const principal = await authenticate(
    store,
    { username: String(username), password: String(password), type: 'PasswordText' },
    auth,
    client,
  );
  const token = randomBytes(32).toString('base64url');
  const csrfToken = randomBytes(32).toString('base64url');
  const now = (s.now ?? (() => new Date()))();
  await store.transaction(async (tx) => {
    const user = await tx.access.userByName(principal.username);
    if (!user) throw new Error(`user ${principal.username} vanished during login`);
    // Housekeeping on the way: sessions idle past the timeout can never be resumed.
    await tx.access.deleteIdleSessions(new Date(now.getTime() - s.idleTimeoutMs));
    await tx.access.insertSession(hashOf(token), user.id, csrfToken, now);
    await audit(
      tx,
      { principal, requestId },
      'Login',
      { objectType: 'session', objectId: principal.username, tenantId: principal.tenantId },
      { after: { via: 'console' } },
    );
  });
  return { token, session: { principal, csrfToken, expiresAt: new Date(now.getTime() + s.idleTimeoutMs) } };
}

/**
 * The session behind a cookie token, or null (unknown, idle too long, user disabled). `touch`
 * counts the request as activity (a page or a form), not for background streams.
 */
export async function resumeSession(
  store: UnitOfWork<Tx>,
  token: string | undefined,
  s: SessionSettings,
  touch: boolean,
): Promise<ConsoleSession | null> {
  if (!token || !TOKEN.test(token)) return null;
  const now = (s.now ?? (() => new Date()))();
  const hash = hashOf(token);
  const rec = await store.transaction((tx) => tx.access.sessionByTokenHash(hash));
  if (!rec) return null;
  if (now.getTime() - rec.lastSeenAt.getTime() > s.idleTimeoutMs || rec.user.disabled) {
    await store.transaction((tx) => tx.access.deleteSession(hash));
    return null;
  }
  let lastSeen = rec.lastSeenAt;
  // One write per stretch of activity, not per request: good to a few percent of the timeout.
  if (touch && now.getTime() - lastSeen.getTime() > Math.min(30_000, s.idleTimeoutMs / 20)) {
    await store.transaction((tx) => tx.access.touchSession(hash, now));
    lastSeen = now;
  }
  const u = rec.user;
  return {
    principal: { username: u.username, role: u.role, tenantId: u.tenantId, grants: u.grants },
    csrfToken: rec.csrfToken,
    expiresAt: new Date(lastSeen.getTime() + s.idleTimeoutMs),
  };
}

export async function logout(
  store: UnitOfWork<Tx>,
  token: string,
  session: ConsoleSession,
  requestId?: string,
): Promise<void> {
  await store.transaction(async (tx) => {
    await tx.access.deleteSession(hashOf(token));
    await audit(
      tx,
      { principal: session.principal, requestId },
      'Logout',
      { objectType: 'session', objectId: session.principal.username, tenantId: session.principal.tenantId },
      {},
    );
  });
}

/** Constant-time comparison of a submitted CSRF token with the session's. */
export function csrfMatches(session: ConsoleSession, submitted: unknown): boolean {
  if (typeof submitted !== 'string') return false;
  const a = Buffer.from(submitted);
  const b = Buffer.from(session.csrfToken);
  return a.length === b.length && timingSafeEqual(a, b);
}
