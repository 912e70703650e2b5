/**
 * The one retry backoff of ipcd: the DNS outbox, the alert webhook and the client's retries all
 * wait this long. It lives beside the generated contract (not in src/logic) because the client
 * may depend on src/contract alone and must not load the server's logic; it is pure and has no
 * imports, so both sides can use it.
 */

export interface Backoff {
  /** Ceiling of the first retry's wait. */
  baseMs: number;
  /** No wait is longer than this, however many attempts failed. */
  maxMs: number;
}

/**
 * The wait after `attempt` failed attempts (1 = the first failed): exponential with "equal
 * jitter" — between half and all of min(maxMs, baseMs · 2^(attempt-1)). The jitter spreads
 * processes that failed together (a server that was down for all of them); the lower half-bound
 * keeps a retry from coming back at once.
 */
export function backoffMs(attempt: number, b: Backoff, random: () => number = Math.random): number {
  const exponent = Math.min(Math.max(attempt - 1, 0), 52);
  const ceiling = Math.min(b.maxMs, b.baseMs * 2 ** exponent);
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
