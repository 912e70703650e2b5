/** CommissionIP and NameOnly: the seed's commissioning flow, branch by branch. */
import { addressCandidates, nameNetwork, tenantsOf } from './candidates';
import { IpcdError, invalid } from './errors';
import { fqdn, renderName } from './names';
import type { Family } from './ip';
import type { Allocation, AllocationSource, DataCenter, Intent, Network, Zone } from './model';
import type { NewAllocation, Store, StoreTx } from './ports';
import { withRetry } from './retry';
import { audit, auditRefusals } from './audit';
import { mayCommission, systemActor, type Actor } from './policy';
import { publish } from './dns';

export interface CommissionRequest {
  dataCenter?: string;
  vlan: number;
  serverInstance: string;
  wantAddress: boolean;
  wantName: boolean;
  hostnameHint?: string;
  family: Family;
}

export interface CommissionResult {
  allocationId: string;
  /** True when the server instance already held this allocation (a retried request). */
  existing: boolean;
  network: Network;
  dataCenter: string;
  source: AllocationSource | null;
  address: string | null;
  prefixLength: number | null;
  gateway: string | null;
  name: string | null;
  zone: string | null;
  fqdn: string | null;
}

export const intentOf = (req: Pick<CommissionRequest, 'wantAddress' | 'family'>): Intent =>
  !req.wantAddress ? 'NAME' : req.family === 6 ? 'IPv6' : 'IPv4';

export function commission(store: Store, req: CommissionRequest, actor: Actor = systemActor()): Promise<CommissionResult> {
  return issue(store, req, actor, 'CommissionIP');
}

async function issue(store: Store, req: CommissionRequest, actor: Actor, operation: string): Promise<CommissionResult> {
  if (!req.wantAddress && !req.wantName) {
    throw invalid('the request asks for neither an address nor a name (wantAddress and wantName are both false)');
  }
  const intent = intentOf(req);
  // Two identical requests racing: the loser's insert violates the one-per-instance index, and
  // its retry finds the winner's allocation here.
  const work = () =>
    store.transaction(async (tx) => {
      const { dc, onVlan } = await resolveVlan(tx, req.dataCenter, req.vlan);
      mayCommission(actor.principal, dc.id, tenantsOf(onVlan), `commission on VLAN ${req.vlan} in data center ${dc.name}`);
      const held = await tx.heldBy(dc.id, req.vlan, req.serverInstance, intent);
      if (held) return existingResult(tx, dc, held, req);
      const record = async (n: Omit<NewAllocation, 'serverInstance' | 'intent' | 'requestedDataCenterId' | 'requestedVlan' | 'tenantId'>, network: Network, zone: Zone | null) => {
        // Charged to the serving network's tenant; a reserve pool's address to the VLAN's tenant.
        const tenantId = network.tenantId ?? tenantsOf(onVlan)[0] ?? null;
        const a = await tx.insertAllocation({ ...n, serverInstance: req.serverInstance, intent, requestedDataCenterId: dc.id, requestedVlan: req.vlan, tenantId });
        await publish(tx, a);
        const r = result(a, false, network, dc, zone);
        await audit(
          tx,
          actor,
          operation,
          { objectType: 'allocation', objectId: a.id, dataCenterId: dc.id, tenantId, serverInstance: req.serverInstance },
          { after: { network: network.name, vlan: req.vlan, address: r.address, fqdn: r.fqdn, source: r.source } },
        );
        return r;
      };

      if (!req.wantAddress) {
        const network = nameNetwork(onVlan);
        if (!network) {
          throw new IpcdError('NO_ZONE', `no network on VLAN ${req.vlan} in data center ${dc.name} has a default zone for names`);
        }
        const { zone, name } = await issueName(tx, network, req.hostnameHint);
        return record({ networkId: network.id, address: null, zoneId: zone.id, name, source: null }, network, zone);
      }

      const candidates = addressCandidates(
        req.family,
        onVlan,
        await tx.networksOfTenants(dc.id, tenantsOf(onVlan), req.family),
        await tx.reservePools(dc.id, req.family),
      );
      for (const { network, source } of candidates) {
        const address = await tx.takeFreeAddress(network.id);
        if (address === null) continue;
        const named = req.wantName ? await issueName(tx, network, req.hostnameHint) : null;
        return record({ networkId: network.id, address, zoneId: named?.zone.id ?? null, name: named?.name ?? null, source }, network, named?.zone ?? null);
      }
      throw new IpcdError(
        'NO_FREE_ADDRESS',
        `no free IPv${req.family} address for VLAN ${req.vlan} in data center ${dc.name}: ` +
          `${candidates.length} candidate network(s) (VLAN, tenant alternates, reserve pool) are all full`,
      );
    });
  return auditRefusals(store, actor, operation, { objectType: 'allocation', serverInstance: req.serverInstance }, () => withRetry(work));
}

export function nameOnly(
  store: Store,
  req: { dataCenter?: string; vlan: number; serverInstance: string; hostnameHint?: string },
  actor: Actor = systemActor(),
): Promise<CommissionResult> {
  return issue(store, { ...req, wantAddress: false, wantName: true, family: 4 }, actor, 'NameOnly');
}

/** The retried request gets what the first one got — if that is what it asks for. */
async function existingResult(tx: StoreTx, dc: DataCenter, held: Allocation, req: CommissionRequest): Promise<CommissionResult> {
  const lacks = (req.wantAddress && held.address === null) || (req.wantName && held.name === null);
  if (lacks) {
    throw new IpcdError(
      'CONFLICT',
      `server instance '${req.serverInstance}' already holds allocation ${held.id} on VLAN ${req.vlan} in data center ${dc.name} ` +
        `(${held.address ?? 'no address'}, ${held.name ?? 'no name'}); decommission it before asking for a different one`,
    );
  }
  const zone = held.zoneId === null || held.name === null ? null : await tx.zoneById(held.zoneId);
  return result(held, true, await tx.networkById(held.networkId), dc, zone);
}

function result(a: Allocation, existing: boolean, network: Network, dc: DataCenter, zone: Zone | null): CommissionResult {
  const name = zone ? a.name : null;
  return {
    allocationId: a.id,
    existing,
    network,
    dataCenter: dc.name,
    source: a.source,
    address: a.address,
    prefixLength: a.address === null ? null : Number(network.cidr.split('/')[1]),
    gateway: a.address === null ? null : network.gateway,
    name,
    zone: name === null ? null : zone!.name,
    fqdn: name === null ? null : fqdn(name, zone!.name),
  };
}

/** Finds the data center and the networks tagged with the VLAN there, or says why not. */
export async function resolveVlan(tx: StoreTx, dataCenter: string | undefined, vlan: number) {
  let dc: DataCenter;
  if (dataCenter !== undefined) {
    const found = await tx.dataCenterByName(dataCenter);
    if (!found) throw new IpcdError('UNKNOWN_DATA_CENTER', `data center '${dataCenter}' is not known to ipcd`);
    dc = found;
  } else {
    const dcs = await tx.dataCentersWithVlan(vlan);
    if (dcs.length === 0) throw new IpcdError('UNKNOWN_VLAN', `VLAN ${vlan} is not tagged to any network managed by ipcd`);
    if (dcs.length > 1) {
      throw new IpcdError(
        'AMBIGUOUS_VLAN',
        `VLAN ${vlan} exists in data centers ${dcs.map((d) => d.name).join(', ')}: name the dataCenter`,
      );
    }
    dc = dcs[0];
  }
  const onVlan = await tx.networksOnVlan(dc.id, vlan);
  if (onVlan.length === 0) {
    throw new IpcdError('UNKNOWN_VLAN', `VLAN ${vlan} is not tagged to any network managed by ipcd in data center ${dc.name}`);
  }
  return { dc, onVlan };
}

const NAME_ATTEMPTS = 32;

/** A name unique in the network's default zone: the hint when free, else the pattern's next. */
async function issueName(tx: StoreTx, network: Network, hint?: string): Promise<{ zone: Zone; name: string }> {
  const zone = network.zoneId === null ? null : await tx.zoneById(network.zoneId);
  if (!zone) throw new IpcdError('NO_ZONE', `network ${network.name} has no default zone, so no name can be issued`);
  if (hint !== undefined && !(await tx.nameInUse(zone.id, hint))) return { zone, name: hint };
  const pattern = hint !== undefined ? `${hint.slice(0, 48).replace(/-+$/, '')}-{seq}` : network.namePattern;
  for (let i = 0; i < NAME_ATTEMPTS; i++) {
    const name = renderName(pattern, await tx.nextNameSeq(zone.id));
    if (!(await tx.nameInUse(zone.id, name))) return { zone, name };
  }
  throw new IpcdError('NAME_EXHAUSTED', `no unused name found in zone ${zone.name} after ${NAME_ATTEMPTS} tries`);
}
