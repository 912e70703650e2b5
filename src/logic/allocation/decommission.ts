/**
 * DecommissionIP: release at once, by allocation id, by address, by name or by server instance.
 * Which forms are safe to repeat: by allocationId (a repeat answers "already released") and by
 * serverInstance (a repeat releases what is left: nothing). A bare address or name may by then
 * belong to the next VM, so a repeat of those releases that VM's allocation.
 */
import { IpcdError, invalid } from '../core/errors';
import { splitName } from './names';
import type { DataCenter, ReleaseReason } from '../core/model';
import type { UnitOfWork } from '../core/unit-of-work';
import type { AuditPort } from '../audit/port';
import { auditRefusals } from '../audit/audit';
import { tenantsOf } from './candidates';
import { mayCommission, systemActor, type Actor } from '../access/policy';
import {
  currentPrincipal,
  hotPathOf,
  noncePlan,
  replay,
  resolveVlan,
  Stale,
  withCurrentTopology,
  type HotPathStore,
} from './hot-path';
import type { ReleasedRow, ReleaseOutcome, ReleasePlan } from './allocator-port';
import type { Topology } from '../topology/topology-cache';

/** The ports this module uses. */
type Tx = { audit: AuditPort };
/** The hot path (the allocator) and a transaction for the refusals' audit rows. */
type Service = UnitOfWork<Tx> & HotPathStore;

export interface DecommissionRequest {
  dataCenter?: string;
  vlan: number;
  /** The allocationId CommissionIP returned: the retry-safe way to name one allocation. */
  allocationId?: string;
  address?: string;
  name?: string;
  serverInstance?: string;
  releaseAddress: boolean;
  releaseName: boolean;
  /** Why the VM gave them up (default DELETED); a migration to another cloud releases like a deletion. */
  reason?: ReleaseReason;
}

export type Released = ReleasedRow;

export interface DecommissionResult {
  released: Released[];
  /** Released by allocationId before: nothing left to do. */
  alreadyReleased: boolean;
}

export async function decommission(
  store: Service,
  req: DecommissionRequest,
  actor: Actor = systemActor(),
): Promise<Released[]> {
  return (await release(store, req, actor)).released;
}

export function checkRelease(req: DecommissionRequest): void {
  if (
    req.allocationId === undefined &&
    req.address === undefined &&
    req.name === undefined &&
    req.serverInstance === undefined
  ) {
    throw invalid('say what to release: an allocationId, an address, a name or a serverInstance');
  }
  if (!req.releaseAddress && !req.releaseName) {
    throw invalid('the request releases nothing (releaseAddress and releaseName are both false)');
  }
}

export async function release(
  store: Service,
  req: DecommissionRequest,
  actor: Actor = systemActor(),
): Promise<DecommissionResult> {
  checkRelease(req);
  const h = hotPathOf(store);
  const work = () =>
    withCurrentTopology(h, async (t, a) => {
      const p = planRelease(t, req, actor, 'DecommissionIP');
      return releaseAnswer(await a.release(p.plan), p);
    });
  return auditRefusals(
    store,
    actor,
    'DecommissionIP',
    { objectType: 'allocation', serverInstance: req.serverInstance ?? null },
    work,
  );
}

export interface PlannedRelease {
  plan: ReleasePlan;
  req: DecommissionRequest;
  dc: DataCenter;
}

/** Who may, which data center, what to release: the plan, or a refusal thrown. */
export function planRelease(t: Topology, req: DecommissionRequest, actor: Actor, operation: string): PlannedRelease {
  const principal = currentPrincipal(t, actor.principal);
  const { dc, onVlan } = resolveVlan(t, req.dataCenter, req.vlan);
  mayCommission(principal, dc.id, tenantsOf(onVlan), `release on VLAN ${req.vlan} in data center ${dc.name}`);
  const name = req.name === undefined ? undefined : splitName(req.name);
  const reason = req.reason ?? 'DELETED';
  const plan: ReleasePlan = {
    version: t.version.toString(),
    nonce: noncePlan(actor.principal),
    dataCenterId: dc.id,
    vlan: req.vlan,
    allocationId: req.allocationId,
    address: req.address,
    name: name?.label,
    zone: name?.zone,
    serverInstance: req.serverInstance,
    releaseAddress: req.releaseAddress,
    releaseName: req.releaseName,
    reason,
    holdDown: t.holdDowns(dc.id),
    audit: {
      actor: principal.username,
      role: principal.role,
      operation,
      requestId: actor.requestId ?? null,
      before: { network: '$network', address: '$address', name: '$name' },
      after: { released: { address: '$releasedAddress', fqdn: '$releasedFqdn' }, reason },
    },
  };
  return { plan, req, dc };
}

/** What the store's outcome means for the caller: the result, a stale copy, or a refusal thrown. */
export function releaseAnswer(outcome: ReleaseOutcome, p: PlannedRelease): DecommissionResult | Stale {
  const { req, dc } = p;
  if (outcome.status === 'STALE') return new Stale(outcome.version);
  if (outcome.status === 'REPLAY') throw replay();
  if (outcome.status === 'ALREADY_RELEASED') return { released: [], alreadyReleased: true };
  const targeted = req.allocationId !== undefined || req.address !== undefined || req.name !== undefined;
  if (outcome.matched === 0 && targeted) {
    throw new IpcdError(
      'NOT_FOUND',
      `nothing matching ${describeTarget(req)} is issued on VLAN ${req.vlan} in data center ${dc.name}`,
    );
  }
  return { released: outcome.released, alreadyReleased: false };
}

function describeTarget(req: DecommissionRequest): string {
  const parts: string[] = [];
  if (req.allocationId !== undefined) parts.push(`allocation ${req.allocationId}`);
  if (req.address !== undefined) parts.push(`address ${req.address}`);
  if (req.name !== undefined) parts.push(`name ${req.name}`);
  if (req.serverInstance !== undefined) parts.push(`server instance ${req.serverInstance}`);
  return parts.join(' and ');
}
