/**
 * DNS publication rules: which records an allocation gets and where they go, how a delivery
 * failure is judged, how long to wait before the next try, and what state an allocation's
 * records are in. The worker (src/ops/dns-publisher.ts, through outbox.ts) and the transactions
 * that issue and release addresses both decide through here; the wire protocol lives in src/dns/.
 */
import { invalid } from '../core/errors';
import { formatAddress, parseAddress, parseCidr, type Cidr } from '../core/ip';
import { seal, unseal } from '../access/passwords';
import type { DnsPort } from './port';
import type { DnsRecord, DnsRowSummary, DnsZoneRef, Publishable, TsigAlgorithm } from './port';
import { describe, zoneName } from '../core/validate';
import { backoffMs } from '../../contract/backoff';

/** The ports this module uses. */
type Tx = { dns: DnsPort };

export type {
  TsigAlgorithm,
  DnsServer,
  DnsZoneKind,
  DnsZoneRef,
  DnsZone,
  DnsRecordType,
  DnsAction,
  DnsRecord,
  NewDnsChange,
  DnsChange,
  Publishable,
  DnsRowSummary,
} from './port';
export const TSIG_ALGORITHMS = [
  'hmac-sha256',
  'hmac-sha384',
  'hmac-sha512',
] as const satisfies readonly TsigAlgorithm[];

/** What a transport reports when a delivery did not succeed. */
export class DnsDeliveryError extends Error {
  constructor(
    message: string,
    /** network: no answer; rcode: the server refused (code = RCODE name); tsig: the signature failed. */
    readonly kind: 'network' | 'rcode' | 'tsig',
    readonly code?: string,
  ) {
    super(message);
    this.name = 'DnsDeliveryError';
  }
}

/** Transient failures are retried with backoff; the rest wait for an administrator (state failed). */
export function isTransient(e: unknown): boolean {
  if (!(e instanceof DnsDeliveryError)) return true;
  return e.kind === 'network' || (e.kind === 'rcode' && e.code === 'SERVFAIL');
}

export const DEFAULT_RETRY_MAX_MS = 60_000;
const RETRY_BASE_MS = 1000;

/** Wait before retrying a change: 1 s doubling per attempt, jittered, at most `maxMs` — so once a server is back, every pending change is tried again within `maxMs`. */
export const retryDelayMs = (attempts: number, maxMs = DEFAULT_RETRY_MAX_MS, random?: () => number): number =>
  backoffMs(attempts, { baseMs: RETRY_BASE_MS, maxMs }, random);

// ---------------------------------------------------------------------------------------------
// Names

/** The PTR owner of an address: 4.3.2.1.in-addr.arpa, or 32 nibbles under ip6.arpa. */
export function reverseName(address: string): string {
  const a = parseAddress(address);
  if (!a) throw invalid(`'${address}' is not an address`);
  if (a.family === 4) return `${address.split('.').reverse().join('.')}.in-addr.arpa`;
  return `${a.value.toString(16).padStart(32, '0').split('').reverse().join('.')}.ip6.arpa`;
}

/** The reverse zone a prefix on an octet (IPv4) or nibble (IPv6) boundary delegates: 10.1.0.0/16 → 1.10.in-addr.arpa. */
export function reverseZoneName(cidr: Cidr): string {
  const step = cidr.family === 4 ? 8 : 4;
  if (cidr.prefixLength === 0 || cidr.prefixLength % step !== 0) {
    throw invalid(
      `reverse zones are delegated on ${cidr.family === 4 ? 'octet (/8, /16, /24)' : 'nibble (multiples of /4)'} boundaries; ${cidr.text} is not on one (RFC 2317 classless delegation is not supported)`,
    );
  }
  const full = reverseName(formatAddress(cidr.family, cidr.network)).split('.');
  const labels = cidr.family === 4 ? 4 : 32;
  return full.slice(labels - cidr.prefixLength / step).join('.');
}

// ---------------------------------------------------------------------------------------------
// Configuration

const HOST =
  /^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

/** host, host:port, IPv6 literal or [v6]:port; port 53 unless given. */
export function parseServer(value: unknown): { host: string; port: number } {
  const text = typeof value === 'string' ? value.trim() : '';
  let host = text;
  let port = 53;
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(text);
  if (bracketed) {
    host = bracketed[1];
    if (bracketed[2] !== undefined) port = Number(bracketed[2]);
  } else if ((text.match(/:/g) ?? []).length === 1) {
    [host] = text.split(':');
    port = Number(text.split(':')[1]);
  }
  const literal = parseAddress(host);
  if (!(literal || HOST.test(host)) || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw invalid(`DNS server must be host, host:port or [IPv6]:port, got ${describe(value)}`);
  }
  return { host: literal ? formatAddress(literal.family, literal.value) : host.toLowerCase(), port };
}

export const formatServer = (s: { host: string; port: number }) =>
  s.host.includes(':') ? `[${s.host}]:${s.port}` : `${s.host}:${s.port}`;

export interface TsigKeyText {
  name: string;
  algorithm: TsigAlgorithm;
  /** base64 */
  secret: string;
}

/**
 * A TSIG key as BIND's tsig-keygen writes it (`key "name" { algorithm hmac-sha256; secret "…"; };`),
 * or a bare base64 secret (then name and algorithm come from the caller).
 */
export function parseTsigKey(text: string, name?: string, algorithm?: string): TsigKeyText {
  const block = /key\s+"?([^"\s{]+)"?\s*\{([^}]*)\}/i.exec(text);
  const given = block
    ? {
        name: name ?? block[1],
        algorithm: algorithm ?? /algorithm\s+"?([\w-]+)"?\s*;/i.exec(block[2])?.[1],
        secret: /secret\s+"([^"]+)"\s*;/i.exec(block[2])?.[1],
      }
    : { name, algorithm: algorithm ?? 'hmac-sha256', secret: text.trim() };
  if (given.name === undefined)
    throw invalid('the TSIG key needs a name (a key file in BIND format names it, or give one)');
  const keyName = zoneNameOf(given.name, 'TSIG key name');
  const alg = String(given.algorithm ?? '').toLowerCase();
  if (!(TSIG_ALGORITHMS as readonly string[]).includes(alg)) {
    throw invalid(`TSIG algorithm must be one of ${TSIG_ALGORITHMS.join(', ')}, got ${describe(given.algorithm)}`);
  }
  const secret = given.secret ?? '';
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(secret) || Buffer.from(secret, 'base64').length < 16) {
    throw invalid('the TSIG secret must be base64 of at least 16 bytes (tsig-keygen makes one)');
  }
  return { name: keyName, algorithm: alg as TsigAlgorithm, secret };
}

function zoneNameOf(value: string, field: string): string {
  try {
    return zoneName(value);
  } catch {
    throw invalid(`${field} must be a DNS name, got ${describe(value)}`);
  }
}

export function dnsTtl(value: unknown): number {
  const n = typeof value === 'number' ? value : /^\d{1,7}$/.test(String(value)) ? Number(value) : NaN;
  if (!Number.isInteger(n) || n < 0 || n > 604800)
    throw invalid(`ttl must be 0 to 604800 seconds, got ${describe(value)}`);
  return n;
}

/** The secret as stored: sealed under the operator's key when there is one. */
export function storedSecret(base64: string, sealKey?: Buffer): string {
  return sealKey ? seal(base64, sealKey) : `plain$${base64}`;
}

export function openSecret(stored: string, sealKey?: Buffer): Buffer {
  if (stored.startsWith('plain$')) return Buffer.from(stored.slice(6), 'base64');
  if (!sealKey)
    throw new DnsDeliveryError('the TSIG secret is sealed and IPCD_SECRET_KEY is not set', 'tsig', 'SEALED');
  try {
    return Buffer.from(unseal(stored, sealKey), 'base64');
  } catch {
    throw new DnsDeliveryError('the TSIG secret cannot be unsealed with this IPCD_SECRET_KEY', 'tsig', 'SEALED');
  }
}

// ---------------------------------------------------------------------------------------------
// Which records an allocation has

/**
 * A named address gets A/AAAA in its zone and PTR in the reverse zone holding the address, each
 * only where a server is configured. Name-only and address-only allocations publish nothing:
 * there is no address for the name to point at, or no name for the PTR to name.
 */
export async function recordsOf(tx: Tx, a: Publishable): Promise<DnsRecord[]> {
  if (a.address === null || a.name === null || a.zoneId === null) return [];
  const records: DnsRecord[] = [];
  const forward = await tx.dns.dnsZone({ kind: 'forward', id: a.zoneId });
  if (!forward) return [];
  const fqdn = `${a.name}.${forward.name}`.toLowerCase();
  if (forward.server) {
    records.push({ zone: forward, owner: fqdn, rtype: a.address.includes(':') ? 'AAAA' : 'A', rdata: a.address });
  }
  const reverse = await tx.dns.reverseZoneFor(a.address);
  if (reverse?.server) records.push({ zone: reverse, owner: reverseName(a.address), rtype: 'PTR', rdata: fqdn });
  return records;
}

const ref = (z: DnsZoneRef): DnsZoneRef => ({ kind: z.kind, id: z.id });

/** In the issuing transaction: queue the allocation's records for publication. */
export async function publish(tx: Tx, a: Publishable): Promise<void> {
  const records = await recordsOf(tx, a);
  if (records.length)
    await tx.dns.enqueueDnsChanges(
      records.map((r) => ({ ...r, zone: ref(r.zone), allocationId: a.id, action: 'add' })),
    );
}

/** In the releasing transaction: queue removal of whatever the allocation had published or queued. */
export async function unpublish(tx: Tx, allocationIds: string[]): Promise<void> {
  const live = await tx.dns.liveDnsRecords(allocationIds);
  if (live.length) await tx.dns.enqueueDnsChanges(live.map((r) => ({ ...r, action: 'delete' })));
}

// ---------------------------------------------------------------------------------------------
// State, as listings show it

export type DnsState = 'PENDING' | 'PUBLISHED' | 'FAILED' | 'NOT_CONFIGURED' | 'NONE';

export function dnsState(
  a: { address: string | null; name: string | null; zone: string | null },
  rows: DnsRowSummary,
): { state: DnsState; detail: string | null } {
  if (a.name === null)
    return { state: 'NONE', detail: a.address === null ? 'nothing to publish' : 'no name: nothing to publish' };
  if (a.address === null)
    return { state: 'NONE', detail: 'name only: no address for the name to point at, so nothing is published' };
  if (rows.total === 0)
    return {
      state: 'NOT_CONFIGURED',
      detail: `zone ${a.zone} and the reverse zone of ${a.address} have no DNS server configured`,
    };
  if (rows.failed > 0) return { state: 'FAILED', detail: rows.lastError };
  if (rows.pending > 0)
    return { state: 'PENDING', detail: rows.lastError === null ? null : `retrying after: ${rows.lastError}` };
  if (rows.skipped === rows.total) return { state: 'NOT_CONFIGURED', detail: rows.lastError };
  return { state: 'PUBLISHED', detail: null };
}

/** Reverse zone prefix as given by an operator. */
export const reversePrefix = (value: unknown): Cidr => parseCidr(String(value));
