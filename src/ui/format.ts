/** How numbers, times and addresses read in the console. */
import { formatAddress, type Family } from '../logic/core/ip';

const GROUPED = new Intl.NumberFormat('en-US');

/** 65,534; above 10^15 (IPv6) as 1.8e19 — exact counts of a /64 mean nothing to a reader. */
export function count(n: bigint | number): string {
  const b = typeof n === 'number' ? BigInt(Math.round(n)) : n;
  if (b < 1_000_000_000_000_000n) return GROUPED.format(b);
  const digits = b.toString();
  return `${digits[0]}.${digits[1]}e${digits.length - 1}`;
}

export const percent = (p: number): string => `${p.toFixed(p > 0 && p < 1 ? 2 : 1)}%`;

/** 2026-11-25 10:04:05 UTC */
export const when = (d: Date | null | undefined): string => (d ? `${d.toISOString().slice(0, 19).replace('T', ' ')} UTC` : '');

export const address = (family: Family, v: bigint): string => formatAddress(family, v);

export function rangeText(family: Family, first: bigint, last: bigint): string {
  return first === last ? address(family, first) : `${address(family, first)} – ${address(family, last)}`;
}
