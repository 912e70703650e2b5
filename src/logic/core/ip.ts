/**
 * Address arithmetic on BigInt, so IPv4 and IPv6 (a /64 has 2^64 addresses) share one code path.
 * Ranges are inclusive [first, last]; nothing here ever enumerates addresses. Parsing and
 * formatting one address is the ip-address library's (see README, "IP addresses"); the prefix
 * and range algebra is ours.
 */
import { Address4, Address6 } from 'ip-address';
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

/** ip-address takes a prefix (`/64`) or a zone id (`%eth0`) as part of an address; an address here has neither. */
const NOT_AN_ADDRESS = /[/%\s]/;

/**
 * Parses one address; returns null when the text is not an IPv4 or IPv6 address. Text with a
 * colon is IPv6 and stays IPv6, IPv4-embedded forms included (`::ffff:10.0.0.1` is not read as
 * 10.0.0.1: the special-purpose rules refuse IPv4-mapped prefixes by their IPv6 value).
 */
export function parseAddress(text: string): { family: Family; value: bigint } | null {
  const t = text.trim();
  if (NOT_AN_ADDRESS.test(t)) return null;
  try {
    return t.includes(':')
      ? { family: 6, value: new Address6(t).bigInt() }
      : { family: 4, value: new Address4(t).bigInt() };
  } catch {
    return null; // AddressError: not an address
  }
}

/** Canonical text: dotted quad, or RFC 5952 (lower case, longest zero run as `::`, first on a tie, never one group). */
export function formatAddress(family: Family, value: bigint): string {
  return family === 4 ? Address4.fromBigInt(value).correctForm() : Address6.fromBigInt(value).correctForm();
}

/**
 * Parsed CIDRs by text. Every commission reads its candidate networks' CIDRs (reverse zones, the
 * store's network rows) and a data center has few networks, so each is parsed once, not per call.
 * Bounded: cleared when full, so hostile input cannot grow it without limit.
 */
const parsedCidrs = new Map<string, Readonly<Cidr>>();
const PARSED_CIDRS_MAX = 10_000;

/** Parses a CIDR; the address must be the prefix's first address (10.0.0.0/24, not 10.0.0.5/24). */
export function parseCidr(text: string): Readonly<Cidr> {
  const known = parsedCidrs.get(text);
  if (known) return known;
  const cidr = Object.freeze(parseCidrText(text));
  if (parsedCidrs.size >= PARSED_CIDRS_MAX) parsedCidrs.clear();
  parsedCidrs.set(text, cidr);
  return cidr;
}

function parseCidrText(text: string): Cidr {
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
    throw invalid(`'${text}' has host bits set: did you mean ${formatAddress(addr.family, net)}/${prefixLength}?`);
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
  return {
    family: parts[0].family,
    network,
    prefixLength,
    text: `${formatAddress(parts[0].family, network)}/${prefixLength}`,
  };
}
