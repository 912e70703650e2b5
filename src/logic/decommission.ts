/** DecommissionIP: release at once, by address, by name or by server instance. */
import { IpcdError, invalid } from './errors';
import { fqdn, splitName } from './names';
import type { ReleaseReason } from './model';
import type { Store } from './ports';
import { resolveVlan } from './commission';
import { withRetry } from './retry';
import { audit, auditRefusals } from './audit';
import { tenantsOf } from './candidates';
import { mayCommission, systemActor, type Actor } from './policy';
import { releaseAddress } from './hold-down';
import { unpublish } from './dns';

export interface DecommissionRequest {
  dataCenter?: string;
  vlan: number;
  address?: string;
  name?: string;
  serverInstance?: string;
  releaseAddress: boolean;
  releaseName: boolean;
  /** Why the VM gave them up (default DELETED); a migration to another cloud releases like a deletion. */
  reason?: ReleaseReason;
}

export interface Released {
  allocationId: string;
  network: string;
  serverInstance: string;
  address: string | null;
  fqdn: string | null;
}

export async function decommission(store: Store, req: DecommissionRequest, actor: Actor = systemActor()): Promise<Released[]> {
  if (req.address === undefined && req.name === undefined && req.serverInstance === undefined) {
    throw invalid('say what to release: an address, a name or a serverInstance');
  }
  if (!req.releaseAddress && !req.releaseName) {
    throw invalid('the request releases nothing (releaseAddress and releaseName are both false)');
  }
  const work = () =>
    store.transaction(async (tx) => {
      const { dc, onVlan } = await resolveVlan(tx, req.dataCenter, req.vlan);
      mayCommission(actor.principal, dc.id, tenantsOf(onVlan), `release on VLAN ${req.vlan} in data center ${dc.name}`);
      const matches = await tx.activeAllocations({
        dataCenterId: dc.id,
        vlan: req.vlan,
        address: req.address,
        name: req.name === undefined ? undefined : splitName(req.name),
        serverInstance: req.serverInstance,
      });
      if (matches.length === 0 && (req.address !== undefined || req.name !== undefined)) {
        throw new IpcdError('NOT_FOUND', `nothing matching ${describeTarget(req)} is issued on VLAN ${req.vlan} in data center ${dc.name}`);
      }
      const released: Released[] = [];
      for (const a of matches) {
        const address = req.releaseAddress ? a.address : null;
        const name = req.releaseName ? a.name : null;
        if (address === null && name === null) continue;
        const network = await tx.networkById(a.networkId);
        if (address !== null) await releaseAddress(tx, network, address);
        await tx.releaseParts(a.id, { address: address !== null, name: name !== null }, req.reason ?? 'DELETED');
        // Either part gone takes both records with it: the name no longer points at the address.
        await unpublish(tx, [a.id]);
        const zone = name !== null && a.zoneId !== null ? await tx.zoneById(a.zoneId) : null;
        const r: Released = {
          allocationId: a.id,
          network: network.name,
          serverInstance: a.serverInstance,
          address,
          fqdn: name !== null && zone ? fqdn(name, zone.name) : null,
        };
        released.push(r);
        await audit(
          tx,
          actor,
          'DecommissionIP',
          { objectType: 'allocation', objectId: a.id, dataCenterId: dc.id, tenantId: a.tenantId ?? network.tenantId, serverInstance: a.serverInstance },
          { before: { network: network.name, address: a.address, name: a.name }, after: { released: { address: r.address, fqdn: r.fqdn }, reason: req.reason ?? 'DELETED' } },
        );
      }
      return released;
    });
  return auditRefusals(store, actor, 'DecommissionIP', { objectType: 'allocation', serverInstance: req.serverInstance ?? null }, () => withRetry(work));
}


function describeTarget(req: DecommissionRequest): string {
  const parts: string[] = [];
  if (req.address !== undefined) parts.push(`address ${req.address}`);
  if (req.name !== undefined) parts.push(`name ${req.name}`);
  if (req.serverInstance !== undefined) parts.push(`server instance ${req.serverInstance}`);
  return parts.join(' and ');
}
