/**
 * Containers: prefixes of one data center (and optionally one tenant) that ipcd carves networks
 * from. A container is one address plan: every network of its data center inside its prefix uses
 * space, whatever its VLAN, whether it was carved or added by hand.
 */
import { IpcdError, invalid } from '../core/errors';
import { lastAddress, parseCidr, rangeSize, type AddressRange, type Cidr } from '../core/ip';
import { managed } from '../core/manage';
import type { Network } from '../core/model';
import { audit } from '../audit/audit';
import { mayManage, systemActor, type Actor } from '../access/policy';
import type { UnitOfWork } from '../core/unit-of-work';
import type { AuditPort } from '../audit/port';
import type { TopologyPort } from './port';
import { objectName, integer, vlanId, vxlanId, zoneName } from '../core/validate';
import { assertAssignablePrefix } from './special-purpose';
import { lowestFreeChild } from './carve';
import { checkTags, createNetwork } from './topology';
import type { ContainerPort, ContainerRecord } from './container-port';

/** The ports this module uses. */
type Tx = { topology: TopologyPort; containers: ContainerPort; audit: AuditPort };

export type { ContainerRecord } from './container-port';

export interface ContainerSpec {
  name: string;
  cidr: string;
  dataCenter: string;
  tenant?: string | null;
  description?: string | null;
}

const target = (c: Pick<ContainerRecord, 'dataCenterId' | 'tenantId'>, objectId: string) => ({
  objectType: 'container',
  objectId,
  dataCenterId: c.dataCenterId,
  tenantId: c.tenantId,
});

export function addContainer(
  store: UnitOfWork<Tx>,
  spec: ContainerSpec,
  actor: Actor = systemActor(),
): Promise<ContainerRecord> {
  return managed(store, actor, 'AddContainer', { objectType: 'container', objectId: String(spec.name) }, async (tx) => {
    const name = objectName(spec.name, 'container name');
    const cidr = assertAssignablePrefix(parseCidr(spec.cidr));
    const dc = await tx.topology.dataCenterByName(spec.dataCenter);
    if (!dc) throw new IpcdError('UNKNOWN_DATA_CENTER', `data center '${spec.dataCenter}' is not known to ipcd`);
    const tenant = spec.tenant ? await tx.topology.tenantByName(spec.tenant) : null;
    if (spec.tenant && !tenant) throw new IpcdError('NOT_FOUND', `tenant '${spec.tenant}' is not known to ipcd`);
    if (await tx.containers.containerByName(name))
      throw new IpcdError('CONFLICT', `container '${name}' already exists`);
    const [clash] = await tx.containers.overlappingContainers(dc.id, cidr.text);
    if (clash)
      throw new IpcdError(
        'CONFLICT',
        `${cidr.text} overlaps container ${clash.name} (${clash.cidr}) in data center ${dc.name}`,
      );
    const container = await tx.containers.insertContainer({
      name,
      cidr: cidr.text,
      dataCenterId: dc.id,
      tenantId: tenant?.id ?? null,
      description: spec.description ?? null,
    });
    await audit(tx, actor, 'AddContainer', target(container, container.name), { after: container });
    return container;
  });
}

/** Removes a container that holds no network (carved or not); carved networks must be removed first. */
export function removeContainer(
  store: UnitOfWork<Tx>,
  name: string,
  actor: Actor = systemActor(),
): Promise<ContainerRecord> {
  return managed(store, actor, 'RemoveContainer', { objectType: 'container', objectId: String(name) }, async (tx) => {
    const found = await containerNamed(tx, name);
    const container = await tx.containers.lockContainer(found.id);
    const inside = await tx.containers.networksInPrefix(container.dataCenterId, container.cidr);
    if (inside.length > 0) {
      const names = inside
        .slice(0, 5)
        .map((n) => `${n.name} (${n.cidr})`)
        .join(', ');
      throw new IpcdError(
        'CONFLICT',
        `container '${container.name}' still holds ${inside.length} network(s): ${names}${inside.length > 5 ? ', …' : ''}; remove them first`,
      );
    }
    await tx.containers.deleteContainer(container.id);
    await audit(tx, actor, 'RemoveContainer', target(container, container.name), { before: container });
    return container;
  });
}

export interface ContainerView extends ContainerRecord {
  /** Addresses in the prefix. */
  size: bigint;
  /** Addresses covered by networks inside it. */
  used: bigint;
  percent: number;
  networks: { network: Network; carved: boolean }[];
}

/** Containers with how much of each is used; administrators only (a container is an address plan, not a tenant's view). */
export async function listContainers(
  store: UnitOfWork<Tx>,
  filter: { dataCenter?: string } = {},
  actor: Actor = systemActor(),
): Promise<ContainerView[]> {
  mayManage(actor.principal, 'ListContainers (containers are for administrators)');
  return store.transaction(async (tx) => {
    let dataCenterId: number | undefined;
    if (filter.dataCenter !== undefined) {
      const dc = await tx.topology.dataCenterByName(filter.dataCenter);
      if (!dc) throw new IpcdError('UNKNOWN_DATA_CENTER', `data center '${filter.dataCenter}' is not known to ipcd`);
      dataCenterId = dc.id;
    }
    const views: ContainerView[] = [];
    for (const c of await tx.containers.listContainers({ dataCenterId })) views.push(await viewOf(tx, c));
    return views;
  });
}

/** One container with its use, as listContainers shows it (after AddContainer). */
export function containerView(store: UnitOfWork<Tx>, c: ContainerRecord): Promise<ContainerView> {
  return store.transaction((tx) => viewOf(tx, c));
}

async function viewOf(tx: Tx, c: ContainerRecord): Promise<ContainerView> {
  const inside = await tx.containers.networksInPrefix(c.dataCenterId, c.cidr);
  const carved = new Set(await tx.containers.carvedNetworkIds(c.id));
  const prefix = parseCidr(c.cidr);
  const u = usage(
    prefix,
    inside.map((n) => parseCidr(n.cidr)),
  );
  return { ...c, ...u, networks: inside.map((network) => ({ network, carved: carved.has(network.id) })) };
}

/** Addresses of the prefix covered by the used prefixes (which may overlap each other: other VLANs). */
export function usage(prefix: Cidr, used: Cidr[]): { size: bigint; used: bigint; percent: number } {
  const end = lastAddress(prefix);
  const ranges: AddressRange[] = used
    .filter((u) => u.family === prefix.family)
    .map((u) => ({
      first: u.network > prefix.network ? u.network : prefix.network,
      last: lastAddress(u) < end ? lastAddress(u) : end,
    }))
    .filter((r) => r.first <= r.last)
    .sort((a, b) => (a.first < b.first ? -1 : a.first > b.first ? 1 : 0));
  const merged: AddressRange[] = [];
  for (const r of ranges) {
    const last = merged[merged.length - 1];
    if (last && r.first <= last.last + 1n) last.last = r.last > last.last ? r.last : last.last;
    else merged.push({ ...r });
  }
  const size = end - prefix.network + 1n;
  const covered = rangeSize(merged);
  return { size, used: covered, percent: Number((covered * 10000n) / size) / 100 };
}

export interface CarveSpec {
  container: string;
  prefixLength: number | string;
  name: string;
  vlan?: number | string | null;
  vxlan?: number | string | null;
  tenant?: string | null;
  zone?: string | null;
  tags?: Record<string, string>;
  /** The caller's key: a repeat with it returns the network carved the first time. */
  idempotencyKey: string;
}

export interface Carved {
  network: Network;
  container: ContainerRecord;
  /** True when the key had carved this network before (a retry). */
  existing: boolean;
}

const KEY = /^[\x21-\x7e]{1,200}$/;

/**
 * Carves the lowest free child of the asked length out of the container and creates it as a
 * network, in one transaction. Carvers of one container take turns on its row lock, and so do
 * networks added by hand inside it (container-plan.ts), so none sees another's space as free; a
 * carver that loses anyway (a store conflict) is retried by managed() and carves again.
 */
export function allocateNetwork(store: UnitOfWork<Tx>, spec: CarveSpec, actor: Actor = systemActor()): Promise<Carved> {
  return managed(
    store,
    actor,
    'AllocateNetwork',
    { objectType: 'network', objectId: String(spec.name) },
    async (tx) => {
      const key = String(spec.idempotencyKey ?? '');
      if (!KEY.test(key))
        throw invalid(`idempotencyKey must be 1-200 visible ASCII characters, got '${key.slice(0, 64)}'`);
      const request = canonicalRequest(spec);
      const container = await tx.containers.lockContainer((await containerNamed(tx, spec.container)).id);
      const before = await tx.containers.carveByKey(key);
      if (before) return repeat(tx, before, request, container);

      const tenant = spec.tenant ?? container.tenant;
      if (container.tenant !== null && tenant !== container.tenant) {
        throw invalid(
          `container '${container.name}' belongs to tenant ${container.tenant}; a network carved from it cannot belong to tenant ${tenant}`,
        );
      }
      const prefix = parseCidr(container.cidr);
      const used = (await tx.containers.networksInPrefix(container.dataCenterId, container.cidr)).map((n) =>
        parseCidr(n.cidr),
      );
      const child = lowestFreeChild(prefix, used, integer(spec.prefixLength, 'prefixLength'));
      if (!child) {
        const u = usage(prefix, used);
        throw new IpcdError(
          'NO_FREE_PREFIX',
          `container '${container.name}' (${container.cidr}) has no free /${spec.prefixLength} left: ${used.length} network(s) use ${u.percent.toFixed(2)}% of it`,
        );
      }
      const network = await createNetwork(
        tx,
        {
          name: spec.name,
          cidr: child.text,
          dataCenter: container.dataCenter,
          vlan: spec.vlan,
          vxlan: spec.vxlan,
          tenant,
          zone: spec.zone,
          tags: spec.tags,
        },
        actor,
        { operation: 'AllocateNetwork', detail: { container: container.name, idempotencyKey: key } },
      );
      await tx.containers.insertCarve({
        key,
        containerId: container.id,
        request,
        networkId: network.id,
        networkName: network.name,
        cidr: network.cidr,
      });
      return { network, container, existing: false };
    },
  );
}

async function repeat(
  tx: Tx,
  before: {
    containerId: number;
    request: string;
    networkId: number | null;
    networkName: string;
    cidr: string;
    key: string;
  },
  request: string,
  container: ContainerRecord,
): Promise<Carved> {
  if (before.request !== request || before.containerId !== container.id) {
    throw new IpcdError(
      'CONFLICT',
      `idempotencyKey '${before.key}' was used for a different request (it carved ${before.networkName} ${before.cidr}); use a new key`,
    );
  }
  if (before.networkId === null) {
    throw new IpcdError(
      'CONFLICT',
      `idempotencyKey '${before.key}' carved ${before.networkName} (${before.cidr}), which has since been removed; use a new key to carve again`,
    );
  }
  return { network: await tx.topology.networkById(before.networkId), container, existing: true };
}

/** The request as its values mean it, so a retry written differently (05 for 5) is still the same request. */
function canonicalRequest(spec: CarveSpec): string {
  const opt = <T>(x: T | null | undefined, f: (x: T) => unknown) => (x === undefined || x === null ? null : f(x));
  const tags = checkTags(spec.tags ?? {});
  return JSON.stringify({
    container: String(spec.container),
    prefixLength: integer(spec.prefixLength, 'prefixLength'),
    name: objectName(spec.name, 'network name'),
    vlan: opt(spec.vlan, (v) => vlanId(v)),
    vxlan: opt(spec.vxlan, vxlanId),
    tenant: opt(spec.tenant, String),
    zone: opt(spec.zone, zoneName),
    tags: Object.keys(tags)
      .sort()
      .map((k) => [k, tags[k]]),
  });
}

async function containerNamed(tx: Tx, name: string): Promise<ContainerRecord> {
  const c = await tx.containers.containerByName(String(name));
  if (!c) throw new IpcdError('NOT_FOUND', `container '${name}' is not known to ipcd`);
  return c;
}
