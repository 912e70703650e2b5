/**
 * WS-Security UsernameToken (OASIS UsernameToken Profile 1.0/1.1): PasswordText checked against
 * the scrypt hash, PasswordDigest = Base64(SHA-1(nonce + created + password)) checked against the
 * sealed password; Created must lie inside the replay window and a nonce is accepted once.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { IpcdError } from '../core/errors';
import { unseal, verifyNoAccount, type VerifiedCredentials } from './passwords';
import type { Principal } from './policy';
import type { UnitOfWork } from '../core/unit-of-work';
import type { AccessPort, UserRecord } from './port';
import { hotPathOf, type HotPathStore } from '../allocation/hot-path';

/** The ports this module uses. */
type Tx = { access: AccessPort };

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
  /**
   * Failed guesses allowed per (client address, user name) within windowMs before that pair is
   * refused without even hashing: stops password guessing and the CPU cost of slow hashes, in
   * every process sharing the database, without letting a stranger lock an orchestrator out.
   */
  guessLimit?: { max: number; windowMs: number };
  now?: () => Date;
}

const refuse = (why: string) => new IpcdError('AUTHENTICATION_FAILED', why);
const NOT_ACCEPTED = 'the user name or password is not accepted';
// One text for every digest refusal: which accounts exist or take digests is not told.
const DIGEST_NOT_ACCEPTED = `${NOT_ACCEPTED} (PasswordDigest needs an account created with digest on a server with IPCD_SECRET_KEY; else use PasswordText over TLS)`;

/**
 * cached: the caller's operation re-checks the account against the configuration its write is
 * made from (commission, release), so a PasswordText that verified recently is taken from memory
 * with no database round trip. Every other operation reads the account from the database.
 */
export async function authenticate(
  store: UnitOfWork<Tx> & HotPathStore,
  token: UsernameToken | undefined,
  s: AuthSettings,
  client = 'unknown',
  cached = false,
): Promise<Principal> {
  if (!token) throw refuse('this service requires a WS-Security UsernameToken in a wsse:Security header');
  const now = (s.now ?? (() => new Date()))();
  if (token.created !== undefined) {
    const created = Date.parse(token.created);
    if (Number.isNaN(created) || Math.abs(now.getTime() - created) > s.replayWindowMs) {
      throw refuse(
        `the UsernameToken's Created time is missing, malformed or more than ${s.replayWindowMs / 1000} s from the server's clock`,
      );
    }
  }
  if (token.type === 'PasswordDigest' && (token.nonce === undefined || token.created === undefined)) {
    throw refuse('a PasswordDigest needs a Nonce and a Created time');
  }
  const limit = s.guessLimit && s.guessLimit.max > 0 ? s.guessLimit : null;
  // No account name has control characters (a form post could carry them; the database refuses NUL).
  if (token.username.length > 256 || /[\u0000-\u001f\u007f]/.test(token.username)) throw refuse(NOT_ACCEPTED);
  const key = `${client} ${token.username}`;
  if (cached && !s.cache.suspect(key, now.getTime())) {
    const u = (await hotPathOf(store).topology.get()).user(token.username);
    const matches = (x: UserRecord) =>
      token.type === 'PasswordDigest'
        ? digestMatches(x, token, s)
        : s.cache.known(x.username, token.password, x.passwordHash, now.getTime());
    if (u && !u.disabled && matches(u)) {
      // The nonce is recorded by the write itself, in the same statement.
      const replayGuard =
        token.nonce === undefined
          ? undefined
          : { key: `${u.username}:${token.nonce}`, cutoff: new Date(now.getTime() - s.replayWindowMs) };
      return { ...principalOf(u), replayGuard };
    }
  }
  // One read for both: the account, and how often this pair failed lately.
  const { user, failures } = await store.transaction(async (tx) => ({
    user: await tx.access.userByName(token.username),
    failures: limit ? await tx.access.authFailures(key, new Date(now.getTime() - limit.windowMs)) : 0,
  }));
  if (limit && failures >= limit.max) {
    // Not even hashed: the guess tells the guesser nothing, and costs the server nothing.
    throw Object.assign(
      refuse(
        `too many failed attempts for this user from this address; try again in ${Math.ceil(limit.windowMs / 60_000)} minute(s)`,
      ),
      { guessLimited: true },
    );
  }
  let account: UserRecord;
  try {
    account = await checkPassword(user, token, s, now);
  } catch (e) {
    if (limit) {
      s.cache.failed(key, now.getTime());
      await store.transaction((tx) => tx.access.recordAuthFailure(key, now, new Date(now.getTime() - limit.windowMs)));
    }
    throw e;
  }
  if (failures > 0) await store.transaction((tx) => tx.access.clearAuthFailures(key));

  if (token.nonce !== undefined) {
    const cutoff = new Date(now.getTime() - s.replayWindowMs);
    const fresh = await store.transaction((tx) => tx.access.recordNonce(`${account.username}:${token.nonce}`, cutoff));
    if (!fresh) throw refuse('the UsernameToken nonce was used before: the message is a replay');
  }
  return principalOf(account);
}

const principalOf = (u: UserRecord): Principal => ({
  username: u.username,
  role: u.role,
  tenantId: u.tenantId,
  grants: u.grants,
  account: { id: u.id, passwordHash: u.passwordHash },
});

/** Refuses (NOT_ACCEPTED) unless the account is usable and the token's password (text or digest) is its own. */
async function checkPassword(
  user: UserRecord | null,
  token: UsernameToken,
  s: AuthSettings,
  now: Date,
): Promise<UserRecord> {
  if (!user || user.disabled) {
    if (token.type === 'PasswordText') await verifyNoAccount(token.password);
    throw refuse(token.type === 'PasswordText' ? NOT_ACCEPTED : DIGEST_NOT_ACCEPTED);
  }
  if (token.type === 'PasswordText') {
    if (!(await s.cache.verify(user.username, token.password, user.passwordHash, now.getTime())))
      throw refuse(NOT_ACCEPTED);
  } else {
    if (!user.sealedPassword || !s.secretKey) throw refuse(DIGEST_NOT_ACCEPTED);
    if (!digestMatches(user, token, s)) throw refuse(DIGEST_NOT_ACCEPTED);
  }
  return user;
}

/** Base64(SHA-1(nonce + created + password)) against the account's sealed password. */
function digestMatches(user: UserRecord, token: UsernameToken, s: AuthSettings): boolean {
  if (!user.sealedPassword || !s.secretKey || token.nonce === undefined || token.created === undefined) return false;
  const expected = createHash('sha1')
    .update(
      Buffer.concat([
        Buffer.from(token.nonce, 'base64'),
        Buffer.from(token.created, 'utf8'),
        Buffer.from(unseal(user.sealedPassword, s.secretKey), 'utf8'),
      ]),
    )
    .digest();
  const given = Buffer.from(token.password, 'base64');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** Whether a refusal came from the guessing limit (the console answers it with 429). */
export const isGuessLimited = (e: unknown): boolean => (e as { guessLimited?: boolean })?.guessLimited === true;
