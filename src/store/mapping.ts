/** Rows to the logic's records, with addresses in ipcd's canonical text. */
import { formatAddress, parseAddress, parseCidr } from '../logic/core/ip';
import type { Allocation, AllocationSource, Intent, Network } from '../logic/core/model';

/** How PostgreSQL writes an IPv4 inet: already the canonical dotted quad (no leading zeros). */
const DOTTED_QUAD = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

export function canonicalAddress(text: string): string {
  // Every commission's answer passes here: skip the parse for the text that is canonical already.
  if (DOTTED_QUAD.test(text)) return text;
  const a = parseAddress(text.split('/')[0]);
  if (!a) throw new Error(`database returned a malformed address '${text}'`);
  return formatAddress(a.family, a.value);
}

/** A network row as SQL (or to_jsonb) gives it, snake_case, to the record. */
export function networkFromRow(r: Record<string, unknown>): Network {
  const cidr = parseCidr(r.cidr as string);
  return {
    id: r.id as number,
    name: r.name as string,
    cidr: cidr.text,
    family: cidr.family,
    dataCenterId: r.data_center_id as number,
    vlan: (r.vlan as number | null) ?? null,
    vxlan: (r.vxlan as number | null) ?? null,
    tenantId: (r.tenant_id as number | null) ?? null,
    priority: r.priority as number,
    zoneId: (r.zone_id as number | null) ?? null,
    gateway: r.gateway === null || r.gateway === undefined ? null : canonicalAddress(r.gateway as string),
    reservePool: r.reserve_pool as boolean,
    namePattern: r.name_pattern as string,
    tags: (r.tags as Record<string, string> | null) ?? {},
    holdDownSeconds: (r.hold_down_seconds as number | null) ?? 0,
  };
}

/** Raw allocation rows (snake_case, from SQL) to the record; released parts read as null. */
export function toAllocation(r: Record<string, unknown>): Allocation {
  return {
    id: r.id as string,
    networkId: r.network_id as number,
    address: r.address === null || r.address_released_at !== null ? null : canonicalAddress(r.address as string),
    zoneId: r.zone_id as number | null,
    name: r.name_released_at !== null ? null : (r.name as string | null),
    serverInstance: r.server_instance as string,
    source: r.source as AllocationSource | null,
    intent: r.intent as Intent,
    requestedDataCenterId: r.requested_dc_id as number,
    requestedVlan: r.requested_vlan as number,
    tenantId: (r.tenant_id as number | null) ?? null,
    createdAt: new Date(r.created_at as string),
  };
}
