/** Rows and entities to the logic's records, with addresses in ipcd's canonical text. */
import { formatAddress, parseAddress, parseCidr } from '../logic/core/ip';
import type { Allocation, AllocationSource, DataCenter, Intent, Network, Tenant, Zone } from '../logic/core/model';
import type { DataCenterEntity, NetworkEntity, TenantEntity, ZoneEntity } from './entities';

export function canonicalAddress(text: string): string {
  const a = parseAddress(text.split('/')[0]);
  if (!a) throw new Error(`database returned a malformed address '${text}'`);
  return formatAddress(a.family, a.value);
}

export const toDataCenter = (e: DataCenterEntity): DataCenter => ({ id: e.id, name: e.name, description: e.description });
export const toTenant = (e: TenantEntity): Tenant => ({ id: e.id, name: e.name, description: e.description });
export const toZone = (e: ZoneEntity): Zone => ({ id: e.id, name: e.name });

export function toNetwork(e: NetworkEntity): Network {
  const cidr = parseCidr(e.cidr);
  return {
    id: e.id,
    name: e.name,
    cidr: cidr.text,
    family: cidr.family,
    dataCenterId: e.dataCenterId,
    vlan: e.vlan,
    vxlan: e.vxlan,
    tenantId: e.tenantId,
    priority: e.priority,
    zoneId: e.zoneId,
    gateway: e.gateway === null ? null : canonicalAddress(e.gateway),
    reservePool: e.reservePool,
    namePattern: e.namePattern,
    tags: e.tags ?? {},
    holdDownSeconds: e.holdDownSeconds ?? 0,
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


/** A network row as SQL (or to_jsonb) gives it, snake_case, to the record. */
export function networkFromRow(r: Record<string, unknown>): Network {
  return toNetwork({
    id: r.id,
    name: r.name,
    cidr: r.cidr,
    dataCenterId: r.data_center_id,
    vlan: r.vlan ?? null,
    vxlan: r.vxlan ?? null,
    tenantId: r.tenant_id ?? null,
    priority: r.priority,
    zoneId: r.zone_id ?? null,
    gateway: r.gateway ?? null,
    reservePool: r.reserve_pool,
    namePattern: r.name_pattern,
    tags: r.tags,
    holdDownSeconds: r.hold_down_seconds,
  } as NetworkEntity);
}
