/**
 * What the in-memory allocator writes beside an allocation, as the SQL functions do: DNS outbox
 * rows, audit rows, and the row shapes the ports hand out.
 */
/**
 * The hot path in memory: what ipcd_commission / ipcd_decommission (migration 1764835200000) do,
 * each call one atomic unit. Units run one at a time, so "the lowest free address no other
 * commission holds" is simply the lowest free address.
 */
import type { AuditTemplate } from '../../logic/allocation/allocator-port';
import type { UserRecord } from '../../logic/access/port';
import type { Allocation } from '../../logic/core/model';
import { cidrContains, parseAddress, parseCidr } from '../../logic/core/ip';
import { byId, type AllocationRow, type MemoryState } from './state';

/** How a unit of work is run: atomically, after the units before it (the store's mutex and journal). */

export const allocationOf = (a: AllocationRow): Allocation => ({
  id: a.id,
  networkId: a.networkId!,
  address: a.address === null || a.addressReleasedAt !== null ? null : a.address,
  zoneId: a.zoneId,
  name: a.nameReleasedAt !== null ? null : a.name,
  serverInstance: a.serverInstance,
  source: a.source,
  intent: a.intent,
  requestedDataCenterId: a.requestedDcId,
  requestedVlan: a.requestedVlan,
  tenantId: a.tenantId,
  createdAt: a.createdAt,
});

export function queueDns(
  s: MemoryState,
  allocationId: string,
  o: {
    zoneId?: number;
    reverseZoneId?: number;
    owner: string;
    action: 'add' | 'delete';
    rtype: 'A' | 'AAAA' | 'PTR';
    rdata: string;
  },
): void {
  const id = s.nextId('dns_outbox');
  s.outbox.insert(id, {
    id,
    allocationId,
    zoneId: o.zoneId ?? null,
    reverseZoneId: o.reverseZoneId ?? null,
    owner: o.owner,
    action: o.action,
    rtype: o.rtype,
    rdata: o.rdata,
  });
}

/** Either part gone takes its published records with it: a delete for each record whose latest change is an add. */
export function unpublish(s: MemoryState, allocationId: string): number {
  const latest = new Map<string, (typeof rows)[number]>();
  const rows = s.outbox.byGroup('allocation', allocationId).sort((a, b) => a.id - b.id);
  for (const r of rows) latest.set(`${r.owner}\u0000${r.rtype}`, r);
  const adds = [...latest.values()].filter((r) => r.action === 'add').sort((a, b) => a.id - b.id);
  for (const r of adds)
    queueDns(s, allocationId, {
      zoneId: r.zoneId ?? undefined,
      reverseZoneId: r.reverseZoneId ?? undefined,
      owner: r.owner,
      action: 'delete',
      rtype: r.rtype,
      rdata: r.rdata,
    });
  return adds.length;
}

export function appendAllocationAudit(
  s: MemoryState,
  t: AuditTemplate,
  a: AllocationRow,
  tenantId: number | null,
  dataCenterId: number,
  serverInstance: string,
  before: unknown,
  after: unknown,
): void {
  const id = String(s.nextId('audit_log'));
  s.audit.insert(id, {
    id,
    at: s.now(),
    actor: t.actor,
    role: t.role,
    operation: t.operation,
    objectType: 'allocation',
    objectId: a.id,
    tenantId,
    dataCenterId,
    serverInstance,
    before,
    after,
    outcome: 'ok',
    requestId: t.requestId,
  });
}

/** The user as the snapshot and the access port give it: with its grants in grant order. */
export function userRecord(s: MemoryState, id: number): UserRecord | null {
  const u = s.users.get(id);
  if (!u) return null;
  const grants = s.grants
    .byGroup('user', String(id))
    .sort(byId)
    .map((g) => ({ dataCenterId: g.dataCenterId, tenantId: g.tenantId }));
  return { ...u, grants };
}

/** ipcd_fill: each "$key" string in the template becomes the value of key. */
export function fill(template: unknown, values: Record<string, unknown>): unknown {
  if (template === undefined || template === null) return null;
  if (typeof template === 'string')
    return template.startsWith('$') && template.slice(1) in values ? (values[template.slice(1)] ?? null) : template;
  if (Array.isArray(template)) return template.map((t) => fill(t, values));
  if (typeof template === 'object')
    return Object.fromEntries(Object.entries(template).map(([k, v]) => [k, v === null ? null : fill(v, values)]));
  return template;
}

/** The reverse zone with the longest prefix holding the address. */
export function longestHolding(zones: { id: number; prefix: string }[], address: string): number | null {
  const a = parseAddress(address)!;
  const point = parseCidr(`${address}/${a.family === 4 ? 32 : 128}`);
  let best: { id: number; len: number } | null = null;
  for (const z of zones) {
    const p = parseCidr(z.prefix);
    if (cidrContains(p, point) && (!best || p.prefixLength > best.len)) best = { id: z.id, len: p.prefixLength };
  }
  return best?.id ?? null;
}
