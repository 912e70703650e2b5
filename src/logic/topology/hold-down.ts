/**
 * Hold-down: a network may keep released addresses out of circulation for a while, so stale ARP
 * entries and DNS caches cannot send one VM's traffic to the next holder. The default, 0, keeps
 * the seed's rule: a released address is the next one issued.
 */
import { invalid } from '../core/errors';
import { integer } from '../core/validate';

export const MAX_HOLD_DOWN_SECONDS = 365 * 24 * 3600;

export function holdDownSeconds(value: unknown): number {
  const n = integer(value, 'hold-down');
  if (n < 0 || n > MAX_HOLD_DOWN_SECONDS)
    throw invalid(`hold-down ${n} is out of range: 0 to ${MAX_HOLD_DOWN_SECONDS} seconds (one year)`);
  return n;
}
