/**
 * Prefixes that are never a VM's network, after the IANA special-purpose address registries
 * (RFC 6890 and successors) and the multicast ones: a VM given such an address could not use it.
 * Private space, shared space (100.64.0.0/10), ULA (fc00::/7), documentation and global space stay
 * allowed. Most specific first, so a refusal names the narrowest range it meets.
 */
import { invalid } from '../core/errors';
import { cidrContains, parseCidr, type Cidr } from '../core/ip';

const SPECIAL: [string, string][] = [
  ['255.255.255.255/32', 'the limited broadcast address (RFC 919)'],
  ['0.0.0.0/8', '"this network", the unspecified address (RFC 791, RFC 1122)'],
  ['127.0.0.0/8', 'loopback (RFC 1122)'],
  ['169.254.0.0/16', 'link-local (RFC 3927)'],
  ['224.0.0.0/4', 'multicast (RFC 5771)'],
  ['240.0.0.0/4', 'reserved for future use (RFC 1112)'],
  ['::/128', 'the unspecified address (RFC 4291)'],
  ['::1/128', 'the loopback address (RFC 4291)'],
  ['::ffff:0:0/96', 'IPv4-mapped IPv6 (RFC 4291)'],
  ['::/96', 'IPv4-compatible IPv6, deprecated (RFC 4291)'],
  ['fe80::/10', 'link-local (RFC 4291)'],
  ['ff00::/8', 'multicast (RFC 4291)'],
];

const RANGES = SPECIAL.map(([prefix, why]) => ({ cidr: parseCidr(prefix), why }));

/** The special-purpose range a prefix overlaps (prefixes overlap only by nesting), or null. */
export function specialPurpose(c: Cidr): { prefix: string; why: string } | null {
  const hit = RANGES.find((r) => cidrContains(r.cidr, c) || cidrContains(c, r.cidr));
  return hit ? { prefix: hit.cidr.text, why: hit.why } : null;
}

/** Refuses (INVALID_REQUEST) a network prefix whose addresses cannot be handed to a VM. */
export function assertAssignablePrefix(c: Cidr, what = 'a network'): Cidr {
  const hit = specialPurpose(c);
  if (hit)
    throw invalid(
      `${c.text} cannot be ${what}: it overlaps ${hit.prefix}, ${hit.why}, whose addresses a VM cannot use`,
    );
  return c;
}
