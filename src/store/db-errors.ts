/**
 * What a thrown driver error means for the caller, in one place: every path that talks to
 * PostgreSQL (TypeormStore.transaction, and any direct query path) classifies with this, so a
 * lost race stays a retry, an outage becomes the retryable UNAVAILABLE fault, and only the rest
 * is INTERNAL.
 */
export type DbErrorKind = 'conflict' | 'unavailable' | 'other';

/** "Another transaction won": unique, exclusion, serialization failure, deadlock. */
const CONFLICT_STATES = new Set(['23505', '23P01', '40001', '40P01']);

/**
 * The server is gone or not (yet) able to serve writes: class 08 (connection exception),
 * 57P01-57P03 (terminated by a shutdown, crash, or "the database system is starting up / in
 * recovery"), 25006 (a read-only transaction: the server is a standby, as after a failover).
 */
const UNAVAILABLE_STATE = /^(08...|57P0[123]|25006)$/;

/** Socket errors on connect or on an open connection. */
const UNAVAILABLE_ERRNO = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/** node-postgres and pg-pool say these in plain Errors without a code. */
const UNAVAILABLE_MESSAGE =
  /^(Connection terminated|Client has encountered a connection error and is not queryable|timeout exceeded when trying to connect|timeout expired)/;

/**
 * TypeORM releases a transaction's query runner when its connection emits an error (the server
 * terminated it), so the transaction's next statement, or its COMMIT, throws one of these instead
 * of the socket's error.
 */
const UNAVAILABLE_NAME = new Set(['QueryRunnerProviderAlreadyReleasedError', 'QueryRunnerAlreadyReleasedError']);

export function classifyDbError(e: unknown): DbErrorKind {
  let unavailable = false;
  for (const x of causes(e)) {
    const code = typeof x.code === 'string' ? x.code : undefined;
    if (code && CONFLICT_STATES.has(code)) return 'conflict';
    if (code && (UNAVAILABLE_STATE.test(code) || UNAVAILABLE_ERRNO.has(code))) unavailable = true;
    if (UNAVAILABLE_MESSAGE.test(String(x.message ?? '')) || UNAVAILABLE_NAME.has(String(x.name))) unavailable = true;
  }
  return unavailable ? 'unavailable' : 'other';
}

/** The SQLSTATE or errno of the error or what it wraps, for messages. */
export function dbErrorCode(e: unknown): string | undefined {
  for (const x of causes(e)) if (typeof x.code === 'string') return x.code;
  return undefined;
}

type Loose = {
  code?: unknown;
  name?: unknown;
  message?: unknown;
  driverError?: unknown;
  cause?: unknown;
  errors?: unknown;
};

/** The error and what it wraps: TypeORM's driverError, an Error's cause, an AggregateError's errors (IPv4 and IPv6 connects). */
function* causes(e: unknown, depth = 0): Generator<Loose> {
  if (e === null || typeof e !== 'object' || depth > 4) return;
  const x = e as Loose;
  yield x;
  yield* causes(x.driverError, depth + 1);
  yield* causes(x.cause, depth + 1);
  if (Array.isArray(x.errors)) for (const inner of x.errors) yield* causes(inner, depth + 1);
}
