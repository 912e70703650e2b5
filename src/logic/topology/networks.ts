/** Changing networks after they were added: edit, tag, remove, split and merge. */
import { IpcdError, invalid } from '../core/errors';
import { audit } from '../audit/audit';
import { rebuildFreeRanges, reservedRanges } from './free-space';
import {
  contains,
  formatAddress,
  lastAddress,
  parseAddress,
  parseCidr,
  subnets,
  tiledParent,
  type Cidr,
} from '../core/ip';
import { lockedNetwork, managed } from '../core/manage';
import type { Network } from '../core/model';
import { checkNamePattern } from '../allocation/names';
import { assertAssignablePrefix } from './special-purpose';
import { systemActor, type Actor } from '../access/policy';
import type { UnitOfWork } from '../core/unit-of-work';
import type { NetworkChange, TopologyPort } from './port';
import type { AlertsPort } from '../alerts/port';
import type { AuditPort } from '../audit/port';
import type { DnsPort } from '../dns/port';
import { checkTags, type NetworkSpec } from './topology';
import { holdDownSeconds } from './hold-down';
import { unpublish } from '../dns/dns';
import { integer, objectName, vxlanId, zoneName } from '../core/validate';

/** The ports this module uses. */
type Tx = { topology: TopologyPort; alerts: AlertsPort; audit: AuditPort; dns: DnsPort };

/** What an edit may change: any attribute but the prefix, data center and VLAN (split/merge change prefixes). Tags replace all tags. */
export type NetworkPatch = Partial<Omit<NetworkSpec, 'cidr' | 'dataCenter' | 'vlan'>>;

/** Audit rows name networks as the caller did (a refusal may have no network to point at). */
const target = (n: Network, objectId = n.name) => ({
  objectType: 'network',
  objectId,
  dataCenterId: n.dataCenterId,
  tenantId: n.tenantId,
});

export async function editNetwork(
  store: UnitOfWork<Tx>,
  name: string,
  patch: NetworkPatch,
  actor: Actor = systemActor(),
): Promise<Network> {
  return managed(store, actor, 'EditNetwork', { objectType: 'network', objectId: name }, async (tx) => {
    const change: NetworkChange = {};
    if (patch.name !== undefined) change.name = objectName(patch.name, 'network name');
    if (patch.vxlan !== undefined) change.vxlan = patch.vxlan === null ? null : vxlanId(patch.vxlan);
    if (patch.priority !== undefined) change.priority = integer(patch.priority, 'priority');
    if (patch.reservePool !== undefined) change.reservePool = patch.reservePool;
    if (patch.namePattern !== undefined) change.namePattern = checkNamePattern(patch.namePattern);
    if (patch.tags !== undefined) change.tags = checkTags(patch.tags);
    if (patch.holdDownSeconds !== undefined) change.holdDownSeconds = holdDownSeconds(patch.holdDownSeconds);
    const before = await lockedNetwork(tx, name);
    if (change.name !== undefined && change.name !== before.name && (await tx.topology.networkByName(change.name))) {
      throw new IpcdError('CONFLICT', `network '${change.name}' already exists`);
    }
    if (patch.tenant !== undefined)
      change.tenantId =
        patch.tenant === null ? null : (await named(tx.topology.tenantByName(patch.tenant), 'tenant', patch.tenant)).id;
    if (patch.zone !== undefined)
      change.zoneId =
        patch.zone === null ? null : (await named(tx.topology.zoneByName(zoneName(patch.zone)), 'zone', patch.zone)).id;
    if (patch.gateway !== undefined) change.gateway = await checkGateway(tx, before, patch.gateway);
    const after = await tx.topology.updateNetwork(before.id, change);
    if (change.gateway !== undefined && change.gateway !== before.gateway) await rebuildFreeRanges(tx, after);
    await audit(tx, actor, 'EditNetwork', target(after), { before, after });
    return after;
  });
}

export async function tagNetwork(
  store: UnitOfWork<Tx>,
  name: string,
  set: Record<string, string>,
  remove: string[],
  actor: Actor = systemActor(),
): Promise<Network> {
  return managed(store, actor, 'TagNetwork', { objectType: 'network', objectId: name }, async (tx) => {
    checkTags(set);
    const before = await lockedNetwork(tx, name);
    const tags = { ...before.tags };
    for (const k of remove) delete tags[k];
    Object.assign(tags, set);
    const after = await tx.topology.updateNetwork(before.id, { tags });
    await audit(tx, actor, 'TagNetwork', target(after), { before: { tags: before.tags }, after: { tags: after.tags } });
    return after;
  });
}

export async function removeNetwork(
  store: UnitOfWork<Tx>,
  name: string,
  opts: { force?: boolean },
  actor: Actor = systemActor(),
): Promise<{ network: Network; released: number }> {
  return managed(store, actor, 'RemoveNetwork', { objectType: 'network', objectId: name }, async (tx) => {
    const network = await lockedNetwork(tx, name);
    const active = await tx.topology.activeAllocationCount(network.id);
    if (active > 0 && !opts.force) {
      throw new IpcdError(
        'NETWORK_IN_USE',
        `network '${network.name}' still has ${active} active allocation(s); remove it with force to release them (their holders lose their addresses and names)`,
      );
    }
    if (active > 0) await unpublish(tx, await tx.topology.activeAllocationIds(network.id));
    const released = active > 0 ? await tx.topology.releaseNetwork(network.id, 'NETWORK_REMOVED') : 0;
    await tx.topology.deleteNetwork(network.id);
    await audit(tx, actor, 'RemoveNetwork', target(network), {
      before: network,
      after: { removed: true, forced: !!opts.force, released },
    });
    return { network, released };
  });
}

export const MAX_CHILDREN = 256;

export async function splitNetwork(
  store: UnitOfWork<Tx>,
  name: string,
  opts: { prefixLength: number | string; names?: string[] },
  actor: Actor = systemActor(),
): Promise<Network[]> {
  return managed(store, actor, 'SplitNetwork', { objectType: 'network', objectId: name }, async (tx) => {
    const prefixLength = integer(opts.prefixLength, 'prefixLength');
    const parent = await lockedNetwork(tx, name);
    const cidr = parseCidr(parent.cidr);
    const max = cidr.family === 4 ? 30 : 126;
    const refuse = (why: string) =>
      new IpcdError(
        'SPLIT_REFUSED',
        `network '${parent.name}' (${parent.cidr}) cannot be split into /${prefixLength}: ${why}`,
      );
    if (prefixLength <= cidr.prefixLength) throw refuse(`the new prefix must be longer than /${cidr.prefixLength}`);
    if (prefixLength > max) throw refuse(`IPv${cidr.family} networks may be at most /${max}`);
    if (prefixLength - cidr.prefixLength > 8)
      throw refuse(
        `that would make ${2n ** BigInt(prefixLength - cidr.prefixLength)} networks; at most ${MAX_CHILDREN} at once`,
      );
    const kids = subnets(cidr, prefixLength).map((k) => assertAssignablePrefix(k));
    const names = (opts.names?.length ? opts.names : kids.map((_, i) => `${parent.name}-${i + 1}`)).map((n) =>
      objectName(n, 'network name'),
    );
    if (names.length !== kids.length)
      throw invalid(`splitting into /${prefixLength} makes ${kids.length} networks; ${names.length} names were given`);
    if (new Set(names).size !== names.length) throw invalid('the new networks need distinct names');
    for (const n of names)
      if (n !== parent.name && (await tx.topology.networkByName(n)))
        throw new IpcdError('CONFLICT', `network '${n}' already exists`);

    const occupied = await tx.topology.occupiedAddresses(parent.id);
    const reserved = reservedRanges(await tx.topology.reservations(parent.id));
    for (const kid of kids) {
      const edges = cidr.family === 4 ? [kid.network, lastAddress(kid)] : [kid.network];
      const hit = occupied.find((a) => edges.includes(parseAddress(a)!.value));
      if (hit)
        throw refuse(
          `${hit} is allocated and would become the network${cidr.family === 4 ? ' or broadcast' : ''} address of ${kid.text}`,
        );
      const cut = reserved.find((r) => contains(kid, cidr.family, r.first) !== contains(kid, cidr.family, r.last));
      if (cut)
        throw refuse(
          `reserved range ${formatAddress(cidr.family, cut.first)}-${formatAddress(cidr.family, cut.last)} would straddle two networks`,
        );
    }
    const gateway = parent.gateway === null ? null : parseAddress(parent.gateway)!.value;
    const gatewayOf = (kid: Cidr) => (gateway !== null && contains(kid, cidr.family, gateway) ? parent.gateway : null);

    // The parent row becomes the first child (so it keeps its id and name-only allocations), then the rest are added.
    const children: Network[] = [
      await tx.topology.updateNetwork(parent.id, { name: names[0], cidr: kids[0].text, gateway: gatewayOf(kids[0]) }),
    ];
    // Children keep the parent's alert threshold too (the first keeps it with the row).
    const threshold = await tx.alerts.alertThreshold(parent.id);
    for (let i = 1; i < kids.length; i++) {
      const { id: _id, ...attrs } = parent;
      const child = await tx.topology.insertNetwork(
        { ...attrs, name: names[i], cidr: kids[i].text, gateway: gatewayOf(kids[i]) },
        [],
      );
      if (threshold !== null) await tx.alerts.setAlertThreshold(child.id, threshold);
      await tx.topology.moveIntoNetwork(parent.id, child.id, kids[i].text);
      children.push(child);
    }
    for (const child of children) await rebuildFreeRanges(tx, child);
    await audit(tx, actor, 'SplitNetwork', target(parent), { before: parent, after: children });
    return children;
  });
}

/** Attributes merged networks must share (tags compared as sets of key=value). */
const MUST_MATCH: [keyof Network, string][] = [
  ['dataCenterId', 'data center'],
  ['vlan', 'VLAN'],
  ['vxlan', 'VXLAN'],
  ['tenantId', 'tenant'],
  ['zoneId', 'zone'],
  ['reservePool', 'reserve-pool flag'],
  ['namePattern', 'name pattern'],
  ['holdDownSeconds', 'hold-down'],
];

const tagText = (n: Network) => JSON.stringify(Object.entries(n.tags).sort(([a], [b]) => (a < b ? -1 : 1)));

export async function mergeNetworks(
  store: UnitOfWork<Tx>,
  names: string[],
  opts: { name?: string },
  actor: Actor = systemActor(),
): Promise<Network> {
  return managed(store, actor, 'MergeNetworks', { objectType: 'network', objectId: names.join(',') }, async (tx) => {
    const merged = opts.name === undefined ? undefined : objectName(opts.name, 'network name');
    if (names.length < 2 || new Set(names).size !== names.length)
      throw invalid('merge needs two or more distinct networks');
    const found: Network[] = [];
    for (const n of names) found.push(await lockedNetwork(tx, n));
    const parts = found.sort((a, b) => (parseCidr(a.cidr).network < parseCidr(b.cidr).network ? -1 : 1));
    const list = parts.map((p) => `${p.name} (${p.cidr})`).join(', ');
    const refuse = (why: string) => new IpcdError('MERGE_REFUSED', `${list} cannot be merged: ${why}`);
    for (const [key, label] of MUST_MATCH) {
      if (parts.some((p) => p[key] !== parts[0][key])) throw refuse(`they differ in ${label}`);
    }
    if (parts.some((p) => tagText(p) !== tagText(parts[0]))) throw refuse('their tags differ');
    const parent = tiledParent(parts.map((p) => parseCidr(p.cidr)));
    if (!parent) throw refuse('they are not adjacent siblings that together make one prefix');
    assertAssignablePrefix(parent);
    const first = parts[0];
    const name = merged ?? first.name;
    if (!parts.some((p) => p.name === name) && (await tx.topology.networkByName(name)))
      throw new IpcdError('CONFLICT', `network '${name}' already exists`);
    for (const other of parts.slice(1)) {
      await tx.topology.moveIntoNetwork(other.id, first.id, null);
      await tx.topology.deleteNetwork(other.id);
    }
    const gateway = parts.find((p) => p.gateway !== null)?.gateway ?? null;
    const result = await tx.topology.updateNetwork(first.id, { name, cidr: parent.text, gateway });
    await rebuildFreeRanges(tx, result);
    await audit(tx, actor, 'MergeNetworks', target(result, names.join(',')), { before: parts, after: result });
    return result;
  });
}

async function named<T>(p: Promise<T | null>, kind: string, name: string): Promise<T> {
  const v = await p;
  if (!v) throw new IpcdError('NOT_FOUND', `${kind} '${name}' is not known to ipcd`);
  return v;
}

async function checkGateway(tx: Tx, n: Network, gateway: string | null): Promise<string | null> {
  if (gateway === null) return null;
  const cidr = parseCidr(n.cidr);
  const g = parseAddress(String(gateway));
  const broadcast = cidr.family === 4 ? lastAddress(cidr) : -1n;
  if (!g || !contains(cidr, g.family, g.value) || g.value === cidr.network || g.value === broadcast) {
    throw invalid(`gateway '${gateway}' must be a host address inside ${cidr.text}`);
  }
  const text = formatAddress(g.family, g.value);
  if (text !== n.gateway && (await tx.topology.occupiedAddresses(n.id)).includes(text)) {
    throw new IpcdError(
      'CONFLICT',
      `${text} is allocated in network '${n.name}'; release it before making it the gateway`,
    );
  }
  if (reservedRanges(await tx.topology.reservations(n.id)).some((r) => g.value >= r.first && g.value <= r.last)) {
    throw new IpcdError(
      'CONFLICT',
      `${text} is reserved in network '${n.name}'; unreserve it before making it the gateway`,
    );
  }
  return text;
}
