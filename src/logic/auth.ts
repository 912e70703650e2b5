/**
 * WS-Security UsernameToken (OASIS UsernameToken Profile 1.0/1.1): PasswordText checked against
 * the scrypt hash, PasswordDigest = Base64(SHA-1(nonce + created + password)) checked against the
 * sealed password; Created must lie inside the replay window and a nonce is accepted once.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { IpcdError } from './errors';
import { unseal, type VerifiedCredentials } from './passwords';
import type { Principal } from './policy';
import type { Store } from './ports';

export interface UsernameToken {
  username: string;
  password: string;
  type: 'PasswordText' | 'PasswordDigest';
  nonce?: string; // base64
  created?: string; // xsd:dateTime
}

export interface AuthSettings {
  cache: VerifiedCredentials;
  /** Operator key for sealed passwords; without it PasswordDigest is refused. */
  secretKey?: Buffer;
  /** How far Created may be from now, either way; nonces are remembered this long. */
  replayWindowMs: number;
  now?: () => Date;
}

const refuse = (why: string) => new IpcdError('AUTHENTICATION_FAILED', why);
const NOT_ACCEPTED = 'the user name or password is not accepted';

export async function authenticate(store: Store, token: UsernameToken | undefined, s: AuthSettings): Promise<Principal> {
  if (!token) throw refuse('this service requires a WS-Security UsernameToken in a wsse:Security header');
  const now = (s.now ?? (() => new Date()))();
  if (token.created !== undefined) {
    const created = Date.parse(token.created);
    if (Number.isNaN(created) || Math.abs(now.getTime() - created) > s.replayWindowMs) {
      throw refuse(`the UsernameToken's Created time is missing, malformed or more than ${s.replayWindowMs / 1000} s from the server's clock`);
    }
  }
  if (token.type === 'PasswordDigest' && (token.nonce === undefined || token.created === undefined)) {
    throw refuse('a PasswordDigest needs a Nonce and a Created time');
  }
  const user = await store.transaction((tx) => tx.userByName(token.username));
  if (!user || user.disabled) throw refuse(NOT_ACCEPTED);

  if (token.type === 'PasswordText') {
    if (!(await s.cache.verify(user.username, token.password, user.passwordHash, now.getTime()))) throw refuse(NOT_ACCEPTED);
  } else {
    if (!user.sealedPassword || !s.secretKey) throw refuse(`PasswordDigest is not enabled for this account; use PasswordText over TLS`);
    const expected = createHash('sha1')
      .update(Buffer.concat([Buffer.from(token.nonce!, 'base64'), Buffer.from(token.created!, 'utf8'), Buffer.from(unseal(user.sealedPassword, s.secretKey), 'utf8')]))
      .digest();
    const given = Buffer.from(token.password, 'base64');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw refuse(NOT_ACCEPTED);
  }

  if (token.nonce !== undefined) {
    const cutoff = new Date(now.getTime() - s.replayWindowMs);
    const fresh = await store.transaction((tx) => tx.recordNonce(`${user.username}:${token.nonce}`, cutoff));
    if (!fresh) throw refuse('the UsernameToken nonce was used before: the message is a replay');
  }
  return { username: user.username, role: user.role, tenantId: user.tenantId, grants: user.grants };
}
