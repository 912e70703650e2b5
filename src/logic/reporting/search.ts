/** Finding networks and allocations, and how full they are; every answer limited to what the caller may see. */
import { IpcdError, invalid } from '../core/errors';
import { type Family, assignableRanges, parseAddress, parseCidr, rangeSize, subtractRanges } from '../core/ip';
import { reservedRanges } from '../topology/free-space';
import type { Intent, NetworkUsage } from '../core/model';
import { fqdn, splitName } from '../allocation/names';
import { decodeCursor, DIGITS, page, pageSize, UUID } from '../core/paging';
import { readScope, systemActor, type Actor } from '../access/policy';
import type { UnitOfWork } from '../core/unit-of-work';
import type { AllocationSearchRow, NetworkSearchRow, ReportsPort } from './port';
import type { TopologyPort } from '../topology/port';
import { dnsState, type DnsState } from '../dns/dns';
import { ipAddress } from '../core/validate';
import { filterVlan, resolveNetworkFilter, type NetworkQuery } from './network-filter';

/** The ports this module uses. */
type Tx = { topology: TopologyPort; reports: ReportsPort };

export interface NetworkView extends NetworkUsage {
  reserved: bigint;
  free: bigint;
  percent: number;
}

export interface NetworkSearch extends NetworkQuery {
  tagKey?: string;
  tagValue?: string;
  address?: string;
  name?: string;
  pageSize?: number | string;
  after?: string;
}

export function toView(r: NetworkSearchRow): NetworkView {
  const cidr = parseCidr(r.network.cidr);
  const assignableSpace = assignableRanges(
    cidr,
    r.network.gateway === null ? null : parseAddress(r.network.gateway)!.value,
  );
  const assignable = rangeSize(assignableSpace);
  const reserved = assignable - rangeSize(subtractRanges(assignableSpace, reservedRanges(r.reserved)));
  const free = assignable - reserved - r.used - r.held;
  return {
    network: r.network,
    dataCenter: r.dataCenter,
    tenant: r.tenant,
    zone: r.zone,
    assignable,
    used: r.used,
    held: r.held,
    reserved,
    free: free < 0n ? 0n : free,
    percent: assignable === 0n ? 100 : Number((r.used * 10000n) / assignable) / 100,
  };
}

export async function searchNetworks(
  store: UnitOfWork<Tx>,
  q: NetworkSearch,
  actor: Actor = systemActor(),
): Promise<{ networks: NetworkView[]; nextPage: string | null }> {
  const size = pageSize(q.pageSize);
  const vlan = filterVlan(q);
  const address = q.address === undefined ? undefined : ipAddress(q.address);
  const afterId = q.after === undefined ? undefined : Number(decodeCursor('n', q.after, DIGITS));
  if (q.tagValue !== undefined && q.tagKey === undefined) throw invalid('tagValue needs tagKey');
  return store.transaction(async (tx) => {
    const r = await resolveNetworkFilter(tx, actor, q, vlan);
    if (r.empty) return { networks: [], nextPage: null };
    const rows = await tx.reports.searchNetworks({
      dataCenterId: r.dataCenterId,
      tenantId: r.tenantId,
      vlan: r.vlan,
      tagKey: q.tagKey,
      tagValue: q.tagValue,
      address,
      nameLike: q.name,
      scope: r.scope,
      afterId,
      limit: size + 1,
    });
    const { items, nextPage } = page(rows, size, 'n', (x) => String(x.network.id));
    return { networks: items.map(toView), nextPage };
  });
}

/** One network as searchNetworks shows it (names, usage), if the caller may see it. */
export async function networkView(
  store: UnitOfWork<Tx>,
  networkId: number,
  actor: Actor = systemActor(),
): Promise<NetworkView> {
  const scope = readScope(actor.principal);
  const [row] = await store.transaction((tx) =>
    tx.reports.searchNetworks({ id: networkId, scope: scope.all ? undefined : scope.grants, limit: 1 }),
  );
  if (!row) throw new IpcdError('NOT_FOUND', `network ${networkId} is not known to ipcd`);
  return toView(row);
}

export interface AllocationView {
  allocationId: string;
  network: string | null;
  dataCenter: string;
  vlan: number;
  tenant: string | null;
  serverInstance: string;
  intent: Intent;
  address: string | null;
  fqdn: string | null;
  createdAt: Date;
  releasedAt: Date | null;
  releaseReason: string | null;
  dns: { state: DnsState; detail: string | null };
}

/** An active allocation's publication state; a released one is PENDING/FAILED until its records are gone. */
function dnsOf(a: AllocationSearchRow): { state: DnsState; detail: string | null } {
  if (a.releasedAt === null) return dnsState({ address: a.address, name: a.name, zone: a.zone }, a.dns);
  if (a.dns.failed > 0) return { state: 'FAILED', detail: a.dns.lastError };
  if (a.dns.pending > 0) return { state: 'PENDING', detail: 'released: removal of its records is queued' };
  return { state: 'NONE', detail: 'released' };
}

export interface AllocationSearch extends NetworkQuery {
  network?: string;
  tagKey?: string;
  tagValue?: string;
  address?: string;
  name?: string;
  serverInstance?: string;
  includeReleased?: boolean;
  pageSize?: number | string;
  after?: string;
}

export async function searchAllocations(
  store: UnitOfWork<Tx>,
  q: AllocationSearch,
  actor: Actor = systemActor(),
): Promise<{ allocations: AllocationView[]; nextPage: string | null }> {
  const size = pageSize(q.pageSize);
  const vlan = filterVlan(q);
  const address = q.address === undefined ? undefined : ipAddress(q.address);
  const after = q.after === undefined ? undefined : decodeCursor('s', q.after, UUID);
  if (q.tagValue !== undefined && q.tagKey === undefined) throw invalid('tagValue needs tagKey');
  return store.transaction(async (tx) => {
    const r = await resolveNetworkFilter(tx, actor, q, vlan);
    let networkId: number | undefined;
    if (q.network !== undefined) {
      const n = await tx.topology.networkByName(String(q.network));
      if (!n && !r.scope) throw new IpcdError('NOT_FOUND', `network '${q.network}' is not known to ipcd`);
      if (!n) return { allocations: [], nextPage: null };
      networkId = n.id;
    }
    if (r.empty) return { allocations: [], nextPage: null };
    const rows = await tx.reports.searchAllocations({
      dataCenterId: r.dataCenterId,
      tenantId: r.tenantId,
      networkId,
      vlan: r.vlan,
      tagKey: q.tagKey,
      tagValue: q.tagValue,
      address,
      name: q.name === undefined ? undefined : splitName(String(q.name)),
      serverInstance: q.serverInstance,
      includeReleased: q.includeReleased ?? false,
      scope: r.scope,
      after,
      limit: size + 1,
    });
    const { items, nextPage } = page(rows, size, 's', (x) => x.id);
    return {
      allocations: items.map((a) => ({
        allocationId: a.id,
        network: a.network,
        dataCenter: a.dataCenter,
        vlan: a.requestedVlan,
        tenant: a.tenant,
        serverInstance: a.serverInstance,
        intent: a.intent,
        address: a.issuedAddress,
        fqdn: a.issuedName !== null && a.zone !== null ? fqdn(a.issuedName, a.zone) : null,
        createdAt: a.createdAt,
        releasedAt: a.releasedAt,
        releaseReason: a.releaseReason,
        dns: dnsOf(a),
      })),
      nextPage,
    };
  });
}

/** A tenant's totals for one address family (IPv4 and IPv6 counts are never added together). */
export interface TenantUtilization {
  tenant: string;
  family: Family;
  networks: number;
  assignable: bigint;
  used: bigint;
  free: bigint;
  percent: number;
}

/** Totals per tenant over the networks the caller may see (networks without a tenant are not counted). */
export async function tenantUtilization(
  store: UnitOfWork<Tx>,
  actor: Actor = systemActor(),
): Promise<TenantUtilization[]> {
  const scope = readScope(actor.principal);
  const views: NetworkView[] = [];
  await store.transaction(async (tx) => {
    for (let afterId: number | undefined; ;) {
      const rows = await tx.reports.searchNetworks({
        scope: scope.all ? undefined : scope.grants,
        afterId,
        limit: 1000,
      });
      views.push(...rows.map(toView));
      if (rows.length < 1000) break;
      afterId = rows[rows.length - 1].network.id;
    }
  });
  return tenantTotals(views);
}

/** Sums networks' usage per tenant and family, in tenant order (the live console sums its own snapshot with it). */
export function tenantTotals(views: NetworkView[]): TenantUtilization[] {
  const totals = new Map<string, TenantUtilization>();
  for (const v of views) {
    if (v.tenant === null) continue;
    const key = `${v.tenant}\0${v.network.family}`;
    const t = totals.get(key) ?? {
      tenant: v.tenant,
      family: v.network.family,
      networks: 0,
      assignable: 0n,
      used: 0n,
      free: 0n,
      percent: 0,
    };
    t.networks++;
    t.assignable += v.assignable;
    t.used += v.used;
    t.free += v.free;
    totals.set(key, t);
  }
  return [...totals.values()]
    .map((t) => ({ ...t, percent: t.assignable === 0n ? 100 : Number((t.used * 10000n) / t.assignable) / 100 }))
    .sort((a, b) => (a.tenant < b.tenant ? -1 : a.tenant > b.tenant ? 1 : a.family - b.family));
}
