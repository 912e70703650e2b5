/**
 * Why ipcd could not start, as one plain line that says what is wrong and what to do: an
 * operator reads it in `journalctl` or `kubectl logs`, not a stack trace (that is for debug).
 */
import { IpcdError } from '../logic/core/errors';

export type StartupStep = 'configuration' | 'store' | 'first administrator' | 'listen';

/** An error of one start-up step: the step decides how the cause is told. */
export class StartupError extends Error {
  constructor(
    readonly step: StartupStep,
    readonly reason: unknown,
  ) {
    super(reason instanceof Error ? reason.message : String(reason));
    this.name = 'StartupError';
  }
}

/** Runs one start-up step, marking what it throws with the step. */
export async function step<T>(name: StartupStep, work: () => T | Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (e) {
    throw new StartupError(name, e);
  }
}

/** What the line may name: where the store and the listener are (never a password). */
export interface StartupContext {
  databaseUrl?: string;
  dataDir?: string;
  host?: string;
  port?: number;
}

/** The failure's stack trace (LOG_LEVEL=debug only). */
export function stackOf(e: unknown): string {
  const x = e instanceof StartupError ? e.reason : e;
  return x instanceof Error && x.stack ? x.stack : String(x);
}

const codeOf = (e: unknown): string | undefined => {
  const x = e as { code?: unknown; errors?: unknown[] };
  if (typeof x?.code === 'string') return x.code;
  // Node tries each address of a name (::1, then 127.0.0.1) and reports them together.
  return Array.isArray(x?.errors) ? codeOf(x.errors[0]) : undefined;
};
const messageOf = (e: unknown) => (e instanceof Error && e.message ? e.message : String(e)).split('\n')[0];

function database(url: string): { host: string; port: string; name: string; user: string } | null {
  try {
    const u = new URL(url);
    const user = decodeURIComponent(u.username) || 'postgres';
    return /^postgres(ql)?:$/.test(u.protocol)
      ? {
          host: u.hostname || 'localhost',
          port: u.port || '5432',
          name: decodeURIComponent(u.pathname.slice(1)) || user,
          user,
        }
      : null;
  } catch {
    return null;
  }
}

export function describeStartupError(e: unknown, c: StartupContext): string {
  const step = e instanceof StartupError ? e.step : undefined;
  const cause = e instanceof StartupError ? e.reason : e;
  const code = codeOf(cause);
  const why = messageOf(cause);
  if (step === 'configuration') return `${why}: correct the environment and start again`;
  if (step === 'first administrator' && cause instanceof IpcdError) {
    return `IPCD_ADMIN_USER / IPCD_ADMIN_PASSWORD is not accepted: ${why}: set an acceptable one and start again`;
  }
  if (step === 'listen') {
    const at = `${c.host ?? '0.0.0.0'}:${c.port}`;
    if (code === 'EADDRINUSE')
      return `port ${c.port} is in use on ${c.host ?? '0.0.0.0'} by another process: stop it, or set PORT to a free port`;
    if (code === 'EACCES')
      return `no permission to listen on ${at}: set PORT above 1023, or let ipcd bind low ports (CAP_NET_BIND_SERVICE)`;
    if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND')
      return `cannot listen on ${at}: HOST is not an address of this machine; set HOST (0.0.0.0: all addresses)`;
  }
  if (step === 'store' && c.databaseUrl) {
    const d = database(c.databaseUrl);
    if (!d) return `DATABASE_URL is not a URL such as postgres://user:password@host:5432/ipcd: correct it`;
    const at = `${d.host}:${d.port}`;
    if (code === '3D000')
      return `database ${d.name} does not exist on ${at}: create it with createdb -h ${d.host} -p ${d.port} -U ${d.user} ${d.name}, or point DATABASE_URL at an existing one`;
    if (code === '28P01' || code === '28000')
      return `PostgreSQL at ${at} refused user ${d.user} (${why}): correct the user and password in DATABASE_URL, or pg_hba.conf`;
    if (code === '42501')
      return `PostgreSQL user ${d.user} lacks a privilege ipcd's migrations need on ${d.name} (${why}): run the first start as the database's owner`;
    if (code === 'ECONNREFUSED')
      return `cannot reach PostgreSQL at ${at}: nothing accepts connections there; start PostgreSQL, or correct DATABASE_URL`;
    if (code === 'ENOTFOUND' || code === 'EAI_AGAIN')
      return `cannot reach PostgreSQL: host ${d.host} is not found; correct DATABASE_URL`;
    if (code === 'ETIMEDOUT' || code === 'EHOSTUNREACH' || code === 'ENETUNREACH')
      return `cannot reach PostgreSQL at ${at} (${code}): check the network and DATABASE_URL`;
  }
  if (step === 'store' && !c.databaseUrl) {
    if (/is in use by process/.test(why)) return why;
    if (code === 'EACCES' || code === 'EPERM' || code === 'ENOTDIR' || code === 'EROFS' || code === 'ENOSPC') {
      return `the embedded store's directory ${c.dataDir} cannot be created or written (${code}): set IPCD_DATA_DIR to a writable directory (or DATABASE_URL to use PostgreSQL)`;
    }
  }
  return `${step ? `${step}: ` : ''}${why}${code ? ` (${code})` : ''}; run with LOG_LEVEL=debug for the stack trace`;
}
