/**
 * Defining what ipcd manages: data centers, tenants, zones, networks. The CLI (and later the
 * management service) call these; the rules live here only.
 */
import { IpcdError, invalid } from '../core/errors';
import { assignableRanges, formatAddress, parseAddress, parseCidr, rangeSize, lastAddress } from '../core/ip';
import type { DataCenter, Network, NetworkUsage, Tenant, Zone } from '../core/model';
import { checkNamePattern, DEFAULT_NAME_PATTERN } from '../allocation/names';
import { assertAssignablePrefix } from './special-purpose';
import { claimContainerSpace } from './container-plan';
import type { ContainerPort } from './container-port';
import { holdDownSeconds } from './hold-down';
import type { UnitOfWork } from '../core/unit-of-work';
import type { NetworkFilter } from '../core/model';
import type { TopologyPort } from './port';
import type { ReportsPort } from '../reporting/port';
import type { AuditPort } from '../audit/port';
import { managed } from '../core/manage';
import { filterVlan, resolveNetworkFilter, type NetworkQuery } from '../reporting/network-filter';
import { audit } from '../audit/audit';
import { readScope, systemActor, type Actor } from '../access/policy';
import { dataCenterName, integer, objectName, vlanId, vxlanId, zoneName } from '../core/validate';

/** The ports this module uses. */
type Tx = { topology: TopologyPort; reports: ReportsPort; audit: AuditPort; containers: ContainerPort };

export function addDataCenter(
  store: UnitOfWork<Tx>,
  name: string,
  description?: string,
  actor: Actor = systemActor(),
): Promise<DataCenter> {
  return managed(store, actor, 'AddDataCenter', { objectType: 'data_center', objectId: String(name) }, async (tx) => {
    const n = dataCenterName(name);
    if (await tx.topology.dataCenterByName(n)) throw new IpcdError('CONFLICT', `data center '${n}' already exists`);
    const dc = await tx.topology.insertDataCenter(n, description ?? null);
    await audit(
      tx,
      actor,
      'AddDataCenter',
      { objectType: 'data_center', objectId: dc.name, dataCenterId: dc.id },
      { after: dc },
    );
    return dc;
  });
}

export function addTenant(
  store: UnitOfWork<Tx>,
  name: string,
  description?: string,
  actor: Actor = systemActor(),
): Promise<Tenant> {
  return managed(store, actor, 'AddTenant', { objectType: 'tenant', objectId: String(name) }, async (tx) => {
    const n = objectName(name, 'tenant name');
    if (await tx.topology.tenantByName(n)) throw new IpcdError('CONFLICT', `tenant '${n}' already exists`);
    const t = await tx.topology.insertTenant(n, description ?? null);
    await audit(tx, actor, 'AddTenant', { objectType: 'tenant', objectId: t.name, tenantId: t.id }, { after: t });
    return t;
  });
}

export function addZone(store: UnitOfWork<Tx>, name: string, actor: Actor = systemActor()): Promise<Zone> {
  return managed(store, actor, 'AddZone', { objectType: 'zone', objectId: String(name) }, async (tx) => {
    const n = zoneName(name);
    if (await tx.topology.zoneByName(n)) throw new IpcdError('CONFLICT', `zone '${n}' already exists`);
    const z = await tx.topology.insertZone(n);
    await audit(tx, actor, 'AddZone', { objectType: 'zone', objectId: z.name }, { after: z });
    return z;
  });
}

export interface NetworkSpec {
  name: string;
  cidr: string;
  dataCenter: string;
  vlan?: number | string | null;
  vxlan?: number | string | null;
  tenant?: string | null;
  priority?: number | string;
  zone?: string | null;
  /** Omitted: the first host address. null: the network has no gateway. */
  gateway?: string | null;
  reservePool?: boolean;
  namePattern?: string;
  tags?: Record<string, string>;
  /** Seconds a released address waits before it is issued again (default 0: at once). */
  holdDownSeconds?: number | string;
}

export function addNetwork(store: UnitOfWork<Tx>, spec: NetworkSpec, actor: Actor = systemActor()): Promise<Network> {
  return managed(store, actor, 'AddNetwork', { objectType: 'network', objectId: String(spec.name) }, (tx) =>
    createNetwork(tx, spec, actor),
  );
}

/**
 * The AddNetwork rules inside the caller's transaction: validation, overlap on the VLAN (and,
 * inside a container, on any VLAN: container-plan.ts), the default gateway, the free ranges and
 * the audit row. AllocateNetwork creates what it carves
 * with this too, under its own operation name and with what it adds to the row.
 */
export async function createNetwork(
  tx: { topology: TopologyPort; audit: AuditPort; containers: ContainerPort },
  spec: NetworkSpec,
  actor: Actor,
  as: { operation: string; detail?: Record<string, unknown> } = { operation: 'AddNetwork' },
): Promise<Network> {
  const name = objectName(spec.name, 'network name');
  const cidr = assertAssignablePrefix(parseCidr(spec.cidr));
  const maxPrefix = cidr.family === 4 ? 30 : 126;
  if (cidr.prefixLength > maxPrefix) {
    throw invalid(`${cidr.text} is too small: IPv${cidr.family} networks may be at most /${maxPrefix}`);
  }
  const vlan = spec.vlan === undefined || spec.vlan === null ? null : vlanId(spec.vlan);
  const vxlan = spec.vxlan === undefined || spec.vxlan === null ? null : vxlanId(spec.vxlan);
  const priority = spec.priority === undefined ? 100 : integer(spec.priority, 'priority');
  const gateway = gatewayOf(cidr, spec.gateway);
  const namePattern = checkNamePattern(spec.namePattern ?? DEFAULT_NAME_PATTERN);
  const tags = checkTags(spec.tags ?? {});
  const holdDown = spec.holdDownSeconds === undefined ? 0 : holdDownSeconds(spec.holdDownSeconds);
  const dc = await tx.topology.dataCenterByName(spec.dataCenter);
  if (!dc) throw new IpcdError('UNKNOWN_DATA_CENTER', `data center '${spec.dataCenter}' is not known to ipcd`);
  if (await tx.topology.networkByName(name)) throw new IpcdError('CONFLICT', `network '${name}' already exists`);
  const tenant = spec.tenant ? await tx.topology.tenantByName(spec.tenant) : null;
  if (spec.tenant && !tenant) throw new IpcdError('NOT_FOUND', `tenant '${spec.tenant}' is not known to ipcd`);
  const zone = spec.zone ? await tx.topology.zoneByName(zoneName(spec.zone)) : null;
  if (spec.zone && !zone) throw new IpcdError('NOT_FOUND', `zone '${spec.zone}' is not known to ipcd`);
  const clash = await tx.topology.overlappingNetworks(dc.id, vlan, cidr.text);
  if (clash.length > 0) {
    throw new IpcdError(
      'CONFLICT',
      `${cidr.text} overlaps network ${clash[0].name} (${clash[0].cidr}) on ${vlan === null ? 'no VLAN' : `VLAN ${vlan}`} in data center ${dc.name}`,
    );
  }
  await claimContainerSpace(tx, dc, cidr);
  const ranges = assignableRanges(cidr, gateway === null ? null : parseAddress(gateway)!.value);
  const network = await tx.topology.insertNetwork(
    {
      name,
      cidr: cidr.text,
      family: cidr.family,
      dataCenterId: dc.id,
      vlan,
      vxlan,
      tenantId: tenant?.id ?? null,
      priority,
      zoneId: zone?.id ?? null,
      gateway,
      reservePool: spec.reservePool ?? false,
      namePattern,
      tags,
      holdDownSeconds: holdDown,
    },
    ranges,
  );
  await audit(
    tx,
    actor,
    as.operation,
    { objectType: 'network', objectId: network.name, dataCenterId: dc.id, tenantId: network.tenantId },
    { after: { ...network, ...as.detail } },
  );
  return network;
}

function gatewayOf(cidr: ReturnType<typeof parseCidr>, gateway: string | null | undefined): string | null {
  if (gateway === null) return null;
  if (gateway === undefined) return formatAddress(cidr.family, cidr.network + 1n);
  const g = parseAddress(gateway);
  const broadcast = cidr.family === 4 ? lastAddress(cidr) : -1n;
  if (
    !g ||
    g.family !== cidr.family ||
    g.value <= cidr.network ||
    g.value > lastAddress(cidr) ||
    g.value === broadcast
  ) {
    throw invalid(`gateway '${gateway}' must be a host address inside ${cidr.text}`);
  }
  return formatAddress(g.family, g.value);
}

const TAG_KEY = /^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$/;
export function checkTags(tags: Record<string, string>): Record<string, string> {
  for (const [k, v] of Object.entries(tags)) {
    if (!TAG_KEY.test(k)) throw invalid(`tag key '${k}' must be 1-64 letters, digits, '.', '_', '/' or '-'`);
    if (typeof v !== 'string' || v.length > 256)
      throw invalid(`tag '${k}' must have a text value of at most 256 characters`);
  }
  return tags;
}

/** Networks with used/assignable counts. Assignable excludes network, broadcast and gateway. */
export function networkUsage(store: UnitOfWork<Tx>, filter: NetworkFilter = {}): Promise<NetworkUsage[]> {
  return store.transaction(async (tx) =>
    (await tx.reports.networkUsage(filter)).map((u) => {
      const cidr = parseCidr(u.network.cidr);
      const gw = u.network.gateway === null ? null : parseAddress(u.network.gateway)!.value;
      return { ...u, assignable: rangeSize(assignableRanges(cidr, gw)) };
    }),
  );
}

export function percentUsed(u: Pick<NetworkUsage, 'used' | 'assignable'>): number {
  if (u.assignable === 0n) return 100;
  return Number((u.used * 10000n) / u.assignable) / 100;
}

/** The data centers the caller may see: all, or those its grants (a tenant's: any) cover. */
export async function listDataCenters(store: UnitOfWork<Tx>, actor: Actor = systemActor()): Promise<DataCenter[]> {
  const scope = readScope(actor.principal);
  const all = await store.transaction((tx) => tx.topology.listDataCenters());
  return scope.all
    ? all
    : all.filter((d) => scope.grants.some((g) => g.dataCenterId === null || g.dataCenterId === d.id));
}

/** The tenants the caller may see: a tenant user only its own, so it learns no other tenant's name. */
export async function listTenants(store: UnitOfWork<Tx>, actor: Actor = systemActor()): Promise<Tenant[]> {
  const scope = readScope(actor.principal);
  const all = await store.transaction((tx) => tx.topology.listTenants());
  return scope.all ? all : all.filter((t) => scope.grants.some((g) => g.tenantId === null || g.tenantId === t.id));
}

export function listZones(store: UnitOfWork<Tx>): Promise<Zone[]> {
  return store.transaction((tx) => tx.topology.listZones());
}

/** Resolves names to the store's filter; an unknown data center or tenant is refused, not an empty list. */
export function networkFilter(store: UnitOfWork<Tx>, q: NetworkQuery): Promise<NetworkFilter> {
  const vlan = filterVlan(q);
  return store.transaction(async (tx) => {
    // As an administrator sees them: unknown names are refused.
    const { dataCenterId, tenantId } = await resolveNetworkFilter(tx, systemActor(), q, vlan);
    return { vlan, dataCenterId, tenantId };
  });
}

/** Refuses (CONFLICT) unless the store holds no data center, tenant or zone (networks need a data center). */
export async function assertTopologyEmpty(store: UnitOfWork<Tx>): Promise<void> {
  const { dcs, tenants, zones } = await store.transaction(async (tx) => ({
    dcs: await tx.topology.listDataCenters(),
    tenants: await tx.topology.listTenants(),
    zones: await tx.topology.listZones(),
  }));
  if (dcs.length + tenants.length + zones.length > 0) {
    throw new IpcdError(
      'CONFLICT',
      `the example topology is only loaded into an empty store; this one holds data centers: ${dcs.length}, tenants: ${tenants.length}, zones: ${zones.length}`,
    );
  }
}

type TopologyKind = 'data_center' | 'tenant' | 'zone';
const KIND_LABEL: Record<TopologyKind, string> = { data_center: 'data center', tenant: 'tenant', zone: 'zone' };
const REMOVE_OP: Record<TopologyKind, string> = {
  data_center: 'RemoveDataCenter',
  tenant: 'RemoveTenant',
  zone: 'RemoveZone',
};

/** Removes a data center, tenant or zone that nothing refers to any more (networks, users, grants, issued names). */
function removeTopologyObject(store: UnitOfWork<Tx>, kind: TopologyKind, name: string, actor: Actor): Promise<void> {
  const label = KIND_LABEL[kind];
  return managed(store, actor, REMOVE_OP[kind], { objectType: kind, objectId: String(name) }, async (tx) => {
    const lookup =
      kind === 'data_center'
        ? tx.topology.dataCenterByName(String(name))
        : kind === 'tenant'
          ? tx.topology.tenantByName(String(name))
          : tx.topology.zoneByName(String(name).toLowerCase());
    const found = await lookup;
    if (!found)
      throw new IpcdError(
        kind === 'data_center' ? 'UNKNOWN_DATA_CENTER' : 'NOT_FOUND',
        `${label} '${name}' is not known to ipcd`,
      );
    const refs = await tx.topology.referencesTo(kind, found.id);
    if (refs > 0)
      throw new IpcdError(
        'CONFLICT',
        `${label} '${found.name}' is still in use (${refs} network(s), container(s), user(s), grant(s) or allocation(s) refer to it); remove those first`,
      );
    await tx.topology.deleteTopologyObject(kind, found.id);
    await audit(
      tx,
      actor,
      REMOVE_OP[kind],
      {
        objectType: kind,
        objectId: found.name,
        dataCenterId: kind === 'data_center' ? found.id : null,
        tenantId: kind === 'tenant' ? found.id : null,
      },
      { before: found },
    );
  });
}

export const removeDataCenter = (store: UnitOfWork<Tx>, name: string, actor: Actor = systemActor()) =>
  removeTopologyObject(store, 'data_center', name, actor);
export const removeTenant = (store: UnitOfWork<Tx>, name: string, actor: Actor = systemActor()) =>
  removeTopologyObject(store, 'tenant', name, actor);
export const removeZone = (store: UnitOfWork<Tx>, name: string, actor: Actor = systemActor()) =>
  removeTopologyObject(store, 'zone', name, actor);
