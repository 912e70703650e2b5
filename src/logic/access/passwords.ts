/**
 * Password storage. Hashes are scrypt with the parameters written into the hash, so they can be
 * raised later. A password is never stored, logged or compared in clear; an account that opts
 * into WS-Security PasswordDigest additionally keeps it sealed (AES-256-GCM) under the
 * operator's key, since a digest can only be checked against the password itself.
 */
import {
  createCipheriv,
  createDecipheriv,
  createHmac,
  randomBytes,
  scrypt as scryptCb,
  timingSafeEqual,
  type ScryptOptions,
} from 'node:crypto';
import { invalid } from '../core/errors';

const scrypt = (password: string, salt: Buffer, keylen: number, opts: ScryptOptions) =>
  new Promise<Buffer>((resolve, reject) =>
    scryptCb(password, salt, keylen, opts, (e, key) => (e ? reject(e) : resolve(key))),
  );

/** log2(N); 2^15 with r=8 costs 32 MiB and tens of milliseconds per hash. */
export const SCRYPT_LOG_N = 15;
const R = 8;
const P = 1;
const KEYLEN = 32;

export const MIN_PASSWORD_LENGTH = 12;

export function checkPasswordStrength(password: string): string {
  if (typeof password !== 'string' || password.length < MIN_PASSWORD_LENGTH || password.length > 1024) {
    throw invalid(`a password must be ${MIN_PASSWORD_LENGTH} to 1024 characters long`);
  }
  // SOAP toolkits (node-soap among them) trim element text: such a password could not be typed back.
  if (password.trim() !== password) throw invalid('a password must not begin or end with white space');
  return password;
}

export async function hashPassword(password: string, logN = SCRYPT_LOG_N): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, KEYLEN, { N: 2 ** logN, r: R, p: P, maxmem: 256 * 1024 * 1024 });
  return ['scrypt', logN, R, P, salt.toString('base64'), key.toString('base64')].join('$');
}

let verified = 0;
/** How many password hashes this process has computed to check a password (tests count them). */
export const passwordChecks = () => verified;

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [kind, logN, r, p, salt, key] = stored.split('$');
  if (kind !== 'scrypt') return false;
  verified++;
  const expected = Buffer.from(key, 'base64');
  const got = await scrypt(password, Buffer.from(salt, 'base64'), expected.length, {
    N: 2 ** Number(logN),
    r: Number(r),
    p: Number(p),
    maxmem: 256 * 1024 * 1024,
  });
  return timingSafeEqual(got, expected);
}

/** The hash of no password (random key), with the parameters real accounts get. */
const NO_ACCOUNT = [
  'scrypt',
  SCRYPT_LOG_N,
  R,
  P,
  randomBytes(16).toString('base64'),
  randomBytes(KEYLEN).toString('base64'),
].join('$');

/**
 * Refuses a password for an account that does not exist or is disabled, after the same hash a
 * wrong password costs: otherwise the answer's timing tells which user names exist.
 */
export async function verifyNoAccount(password: string): Promise<false> {
  await verifyPassword(password, NO_ACCOUNT);
  return false;
}

/** Parses IPCD_SECRET_KEY: 32 bytes as 64 hex digits or base64. */
export function parseSecretKey(text: string | undefined): Buffer | undefined {
  if (!text) return undefined;
  const key = /^[0-9a-fA-F]{64}$/.test(text) ? Buffer.from(text, 'hex') : Buffer.from(text, 'base64');
  if (key.length !== 32) throw new Error('IPCD_SECRET_KEY must be 32 bytes, as 64 hex digits or base64');
  return key;
}

export function seal(secret: string, key: Buffer): string {
  const iv = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', key, iv);
  const body = Buffer.concat([c.update(secret, 'utf8'), c.final()]);
  return ['v1', iv.toString('base64'), c.getAuthTag().toString('base64'), body.toString('base64')].join('$');
}

export function unseal(sealed: string, key: Buffer): string {
  const [v, iv, tag, body] = sealed.split('$');
  if (v !== 'v1') throw new Error('unknown sealed-secret format');
  const d = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64'));
  d.setAuthTag(Buffer.from(tag, 'base64'));
  return Buffer.concat([d.update(Buffer.from(body, 'base64')), d.final()]).toString('utf8');
}

/**
 * Remembers credentials that verified recently, so a busy orchestrator does not pay a slow hash
 * per request. Keys are HMACs under a per-process random key: no password is held in memory
 * longer than the request that carried it.
 */
export class VerifiedCredentials {
  private readonly key = randomBytes(32);
  private readonly seen = new Map<string, number>();
  /** Verifications under way: concurrent requests with the same credentials share one hash. */
  private readonly pending = new Map<string, Promise<boolean>>();

  constructor(
    private readonly ttlMs = 5 * 60_000,
    private readonly max = 10_000,
  ) {}

  private id(username: string, password: string, storedHash: string): string {
    return createHmac('sha256', this.key).update(`${username}\0${password}\0${storedHash}`).digest('base64');
  }

  /** Keys (client and user) that failed a login lately: they take the checked path only. */
  private readonly failures = new Map<string, number>();

  failed(key: string, now: number): void {
    if (this.failures.size >= this.max) this.failures.clear();
    this.failures.set(key, now);
  }

  suspect(key: string, now: number): boolean {
    const at = this.failures.get(key);
    return at !== undefined && now - at < this.ttlMs;
  }

  /** True when this password verified against this hash within ttlMs (no hashing: the fast path). */
  known(username: string, password: string, storedHash: string, now: number): boolean {
    const at = this.seen.get(this.id(username, password, storedHash));
    return at !== undefined && now - at < this.ttlMs;
  }

  /** True when the password matches the hash; remembered for ttlMs, computed once at a time. */
  async verify(username: string, password: string, storedHash: string, now: number): Promise<boolean> {
    const id = this.id(username, password, storedHash);
    const at = this.seen.get(id);
    if (at !== undefined && now - at < this.ttlMs) return true;
    let work = this.pending.get(id);
    if (!work) {
      work = verifyPassword(password, storedHash).finally(() => this.pending.delete(id));
      this.pending.set(id, work);
    }
    const ok = await work;
    if (ok) {
      if (this.seen.size >= this.max) this.seen.clear();
      this.seen.set(id, now);
    }
    return ok;
  }
}
