/**
 * A network's free addresses as sorted, disjoint, inclusive BigInt intervals (adjacent ones
 * merged): taking the lowest and returning one address cost a binary search over the intervals,
 * never a walk over addresses, so an IPv6 /64 costs what a /29 does.
 */
import type { AddressRange } from '../../logic/core/ip';
import type { Journal } from './table';

export class FreeSet {
  private ranges: AddressRange[] = [];

  constructor(private readonly journal: Journal) {}

  list(): AddressRange[] {
    return this.ranges.map((r) => ({ ...r }));
  }

  /** Removes and returns the lowest free address; null when none is free. */
  takeLowest(): bigint | null {
    const head = this.ranges[0];
    if (!head) return null;
    const a = head.first;
    this.cut(a);
    this.journal.record(() => this.join(a));
    return a;
  }

  /** Frees one address (a no-op when it already is free). */
  add(a: bigint): void {
    if (this.has(a)) return;
    this.join(a);
    this.journal.record(() => this.cut(a));
  }

  has(a: bigint): boolean {
    const i = this.indexAtOrBefore(a);
    return i >= 0 && this.ranges[i].last >= a;
  }

  replace(ranges: AddressRange[]): void {
    const old = this.ranges;
    this.ranges = normalize(ranges);
    this.journal.record(() => {
      this.ranges = old;
    });
  }

  /** Index of the last interval starting at or before a; -1 when none does. */
  private indexAtOrBefore(a: bigint): number {
    let lo = 0;
    let hi = this.ranges.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.ranges[mid].first <= a) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  }

  private join(a: bigint): void {
    const i = this.indexAtOrBefore(a);
    const before = i >= 0 ? this.ranges[i] : undefined;
    const after = this.ranges[i + 1];
    const touchesBefore = before !== undefined && before.last + 1n === a;
    const touchesAfter = after !== undefined && after.first - 1n === a;
    if (touchesBefore && touchesAfter) {
      this.ranges.splice(i, 2, { first: before.first, last: after.last });
    } else if (touchesBefore) {
      this.ranges[i] = { first: before.first, last: a };
    } else if (touchesAfter) {
      this.ranges[i + 1] = { first: a, last: after.last };
    } else {
      this.ranges.splice(i + 1, 0, { first: a, last: a });
    }
  }

  private cut(a: bigint): void {
    const i = this.indexAtOrBefore(a);
    const r = this.ranges[i];
    const parts: AddressRange[] = [];
    if (r.first < a) parts.push({ first: r.first, last: a - 1n });
    if (a < r.last) parts.push({ first: a + 1n, last: r.last });
    this.ranges.splice(i, 1, ...parts);
  }
}

/** Sorted, overlaps and neighbours merged. */
function normalize(ranges: AddressRange[]): AddressRange[] {
  const sorted = [...ranges].sort((a, b) => (a.first < b.first ? -1 : a.first > b.first ? 1 : 0));
  const out: AddressRange[] = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last && r.first <= last.last + 1n) {
      if (r.last > last.last) last.last = r.last;
    } else out.push({ first: r.first, last: r.last });
  }
  return out;
}
