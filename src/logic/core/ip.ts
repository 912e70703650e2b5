/**
 * Address arithmetic on BigInt, so IPv4 and IPv6 (a /64 has 2^64 addresses) share one code path.
 * Ranges are inclusive [first, last]; nothing here ever enumerates addresses.
 */
import { invalid } from './errors';

export type Family = 4 | 6;

export interface Cidr {
  family: Family;
  network: bigint; // first address of the prefix
  prefixLength: number;
  text: string; // canonical, e.g. 10.0.0.0/24 or 2001:db8::/64
}

export interface AddressRange {
  first: bigint;
  last: bigint;
}

const BITS: Record<Family, number> = { 4: 32, 6: 128 };

export function bitsOf(family: Family): number {
  return BITS[family];
}

function parseV4(text: string): bigint | null {
  const parts = text.split('.');
  if (parts.length !== 4) return null;
  let value = 0n;
  for (const p of parts) {
    if (!/^(0|[1-9][0-9]{0,2})$/.test(p)) return null;
    const n = Number(p);
    if (n > 255) return null;
    value = (value << 8n) | BigInt(n);
  }
  return value;
}

function parseV6(text: string): bigint | null {
  if (!/^[0-9A-Fa-f:.]+$/.test(text) || text.includes(':::')) return null;
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const groupsOf = (s: string): string[] | null => {
    if (s === '') return [];
    const groups = s.split(':');
    const tail = groups[groups.length - 1];
    if (tail.includes('.')) {
      const v4 = parseV4(tail);
      if (v4 === null) return null;
      groups.splice(groups.length - 1, 1, ((v4 >> 16n) & 0xffffn).toString(16), (v4 & 0xffffn).toString(16));
    }
    return groups.every((g) => /^[0-9A-Fa-f]{1,4}$/.test(g)) ? groups : null;
  };
  const head = groupsOf(halves[0]);
  const rest = halves.length === 2 ? groupsOf(halves[1]) : [];
  if (head === null || rest === null) return null;
  const missing = 8 - head.length - rest.length;
  if ((halves.length === 2 && missing < 1) || (halves.length === 1 && missing !== 0)) return null;
  const groups = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...rest];
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n);
}

/** Parses one address; returns null when the text is not an IPv4 or IPv6 address. */
export function parseAddress(text: string): { family: Family; value: bigint } | null {
  const t = text.trim();
  if (t.includes(':')) {
    const v = parseV6(t);
    return v === null ? null : { family: 6, value: v };
  }
  const v = parseV4(t);
  return v === null ? null : { family: 4, value: v };
}

export function formatAddress(family: Family, value: bigint): string {
  if (family === 4) {
    return [24n, 16n, 8n, 0n].map((s) => ((value >> s) & 0xffn).toString()).join('.');
  }
  const groups: number[] = [];
  for (let i = 7; i >= 0; i--) groups.push(Number((value >> BigInt(i * 16)) & 0xffffn));
  // RFC 5952: compress the longest run (>1) of zero groups, the first one on a tie.
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

/** Parses a CIDR; the address must be the prefix's first address (10.0.0.0/24, not 10.0.0.5/24). */
export function parseCidr(text: string): Cidr {
  const m = /^([^/\s]+)\/(\d{1,3})$/.exec(text.trim());
  if (!m) throw invalid(`'${text}' is not a CIDR: expected address/prefix-length, e.g. 10.0.0.0/24`);
  const addr = parseAddress(m[1]);
  if (!addr) throw invalid(`'${m[1]}' is not an IPv4 or IPv6 address`);
  const prefixLength = Number(m[2]);
  const bits = BITS[addr.family];
  if (prefixLength > bits) throw invalid(`prefix length /${prefixLength} is longer than ${bits} bits`);
  const hostBits = BigInt(bits - prefixLength);
  if (addr.value & ((1n << hostBits) - 1n)) {
    const net = (addr.value >> hostBits) << hostBits;
    throw invalid(
      `'${text}' has host bits set: did you mean ${formatAddress(addr.family, net)}/${prefixLength}?`,
    );
  }
  return {
    family: addr.family,
    network: addr.value,
    prefixLength,
    text: `${formatAddress(addr.family, addr.value)}/${prefixLength}`,
  };
}

export function lastAddress(c: Cidr): bigint {
  return c.network + (1n << BigInt(BITS[c.family] - c.prefixLength)) - 1n;
}

export function size(c: Cidr): bigint {
  return 1n << BigInt(BITS[c.family] - c.prefixLength);
}

export function contains(c: Cidr, family: Family, value: bigint): boolean {
  return family === c.family && value >= c.network && value <= lastAddress(c);
}

/** True when b lies wholly inside a. */
export function cidrContains(a: Cidr, b: Cidr): boolean {
  return a.family === b.family && b.network >= a.network && lastAddress(b) <= lastAddress(a);
}

/**
 * Addresses of a network that may be handed out: everything but the network address
 * (IPv6: the subnet-router anycast address), the IPv4 broadcast address and the gateway.
 */
export function assignableRanges(c: Cidr, gateway: bigint | null): AddressRange[] {
  const first = c.network + 1n;
  const last = c.family === 4 ? lastAddress(c) - 1n : lastAddress(c);
  return subtractPoints({ first, last }, gateway === null ? [] : [gateway]);
}

/** Removes single addresses from a range; the result stays sorted. */
export function subtractPoints(range: AddressRange, points: bigint[]): AddressRange[] {
  const sorted = [...new Set(points)].filter((p) => p >= range.first && p <= range.last).sort(cmp);
  const out: AddressRange[] = [];
  let cursor = range.first;
  for (const p of sorted) {
    if (p > cursor) out.push({ first: cursor, last: p - 1n });
    cursor = p + 1n;
  }
  if (cursor <= range.last) out.push({ first: cursor, last: range.last });
  return out;
}

export function rangeSize(ranges: AddressRange[]): bigint {
  return ranges.reduce((n, r) => n + (r.last - r.first + 1n), 0n);
}

function cmp(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Removes ranges from ranges; the inputs need not be sorted, the result is sorted and disjoint. */
export function subtractRanges(from: AddressRange[], cut: AddressRange[]): AddressRange[] {
  const cuts = [...cut].sort((a, b) => cmp(a.first, b.first));
  const out: AddressRange[] = [];
  for (const r of [...from].sort((a, b) => cmp(a.first, b.first))) {
    let cursor = r.first;
    for (const c of cuts) {
      if (c.last < cursor || c.first > r.last) continue;
      if (c.first > cursor) out.push({ first: cursor, last: c.first - 1n });
      cursor = c.last + 1n;
      if (cursor > r.last) break;
    }
    if (cursor <= r.last) out.push({ first: cursor, last: r.last });
  }
  return out;
}

/** Collapses sorted single addresses into ranges of consecutive addresses. */
export function pointsToRanges(points: bigint[]): AddressRange[] {
  const sorted = [...new Set(points)].sort(cmp);
  const out: AddressRange[] = [];
  for (const p of sorted) {
    const last = out[out.length - 1];
    if (last && last.last + 1n === p) last.last = p;
    else out.push({ first: p, last: p });
  }
  return out;
}

/** The subnets of c with the longer prefix, in address order. */
export function subnets(c: Cidr, prefixLength: number): Cidr[] {
  const count = 1n << BigInt(prefixLength - c.prefixLength);
  const step = 1n << BigInt(BITS[c.family] - prefixLength);
  const out: Cidr[] = [];
  for (let i = 0n; i < count; i++) {
    const network = c.network + i * step;
    out.push({ family: c.family, network, prefixLength, text: `${formatAddress(c.family, network)}/${prefixLength}` });
  }
  return out;
}

/**
 * The one prefix that the given prefixes exactly tile, or null: they must share a family, have
 * no overlap and leave no gap, and together form an aligned prefix.
 */
export function tiledParent(parts: Cidr[]): Cidr | null {
  if (parts.length < 2 || parts.some((p) => p.family !== parts[0].family)) return null;
  const sorted = [...parts].sort((a, b) => cmp(a.network, b.network));
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i].network !== lastAddress(sorted[i - 1]) + 1n) return null;
  }
  const total = sorted.reduce((n, p) => n + size(p), 0n);
  const bits = total.toString(2).length - 1;
  if (1n << BigInt(bits) !== total) return null;
  const prefixLength = BITS[parts[0].family] - bits;
  const network = sorted[0].network;
  if (network & (total - 1n)) return null;
  return { family: parts[0].family, network, prefixLength, text: `${formatAddress(parts[0].family, network)}/${prefixLength}` };
}
