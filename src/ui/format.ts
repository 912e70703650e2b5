/** How numbers, times and addresses read in the console. */
import { formatAddress, type Family } from '../logic/core/ip';

// Made at first use: creating it loads ICU's data, 40-70 ms that a start serving no page need not pay.
let grouped: Intl.NumberFormat | undefined;
const group = (n: bigint) => (grouped ??= new Intl.NumberFormat('en-US')).format(n);

/**
 * 65,534; above 10^15 (IPv6) as powers of two — 2⁶⁴ − 2 for a /64, 3 × 2⁶⁴ − 6 for three — since
 * 18,446,744,073,709,551,614 or 1.8e19 tell a reader nothing. ui.js writes the same for live updates.
 */
export function count(n: bigint | number): string {
  const b = typeof n === 'number' ? BigInt(Math.round(n)) : n;
  return b < BIG ? group(b) : powers(b, 3);
}

const BIG = 1_000_000_000_000_000n;
const SMALL = 1_000_000n;
const SUPERSCRIPT = '⁰¹²³⁴⁵⁶⁷⁸⁹';
const sup = (k: number) => [...String(k)].map((d) => SUPERSCRIPT[Number(d)]).join('');

/** m × 2^k ± a rest under a million, m < 1024; else 2^k ± the rest so written; "≈" when that gets long. */
function powers(b: bigint, terms: number): string {
  const bits = b.toString(2).length;
  const term = (k: number) => {
    const unit = 1n << BigInt(k);
    const m = (b + unit / 2n) / unit;
    return { head: `${m > 1n ? `${m} × ` : ''}2${sup(k)}`, rest: b - m * unit };
  };
  const magnitude = (r: bigint) => (r < 0n ? -r : r);
  let t = term(bits);
  for (let k = bits; k > bits - 10; k--) {
    const c = term(k);
    if (magnitude(c.rest) < SMALL) {
      t = c;
      break;
    }
  }
  if (t.rest === 0n) return t.head;
  const tail = magnitude(t.rest);
  if ((tail >= SMALL && tail < BIG) || (tail >= BIG && terms === 1)) return `≈ ${t.head}`;
  const more = tail < SMALL ? group(tail) : powers(tail, terms - 1);
  return more.startsWith('≈') ? `≈ ${t.head}` : `${t.head} ${t.rest < 0n ? '−' : '+'} ${more}`;
}

export const percent = (p: number): string => `${p.toFixed(p > 0 && p < 1 ? 2 : 1)}%`;

/** 2026-11-25 10:04:05 UTC */
export const when = (d: Date | null | undefined): string =>
  d ? `${d.toISOString().slice(0, 19).replace('T', ' ')} UTC` : '';

export const address = (family: Family, v: bigint): string => formatAddress(family, v);

export function rangeText(family: Family, first: bigint, last: bigint): string {
  return first === last ? address(family, first) : `${address(family, first)} – ${address(family, last)}`;
}
