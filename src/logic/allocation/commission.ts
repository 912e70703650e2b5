/**
 * CommissionIP and NameOnly: the seed's commissioning flow, branch by branch. The rules are made
 * here, from the cached configuration, into a plan (candidate networks in order, names, DNS
 * records, audit row); the store carries the plan out in one statement, re-checking that the
 * configuration it was made from is still the current one.
 */
import { addressCandidates, nameNetwork, tenantsOf } from './candidates';
import { IpcdError, invalid } from '../core/errors';
import { fqdn, renderName } from './names';
import { cidrContains, parseCidr, type Family } from '../core/ip';
import type { Allocation, AllocationSource, DataCenter, Intent, Network } from '../core/model';
import type { UnitOfWork } from '../core/unit-of-work';
import type { AuditPort } from '../audit/port';
import type { Allocator, CandidatePlan, CommissionOutcome, CommissionPlan } from './allocator-port';
import { auditRefusals } from '../audit/audit';
import { mayCommission, systemActor, type Actor } from '../access/policy';
import {
  currentPrincipal,
  hotPathOf,
  noncePlan,
  replay,
  resolveVlan,
  Stale,
  withCurrentTopology,
  type HotPath,
  type HotPathStore,
} from './hot-path';
import type { Topology } from '../topology/topology-cache';

/** The ports this module uses. */
type Tx = { audit: AuditPort };
/** The hot path (the allocator) and a transaction for the refusals' audit rows. */
type Service = UnitOfWork<Tx> & HotPathStore;

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

export function commission(
  store: Service,
  req: CommissionRequest,
  actor: Actor = systemActor(),
): Promise<CommissionResult> {
  return issue(store, req, actor, 'CommissionIP');
}

export function nameOnly(
  store: Service,
  req: { dataCenter?: string; vlan: number; serverInstance: string; hostnameHint?: string },
  actor: Actor = systemActor(),
): Promise<CommissionResult> {
  return issue(store, { ...req, wantAddress: false, wantName: true, family: 4 }, actor, 'NameOnly');
}

const NAME_ATTEMPTS = 32;

/** With a hint: the hint first, then up to NAME_ATTEMPTS generated names (as many numbers used). */
export const nameAttempts = (req: CommissionRequest) =>
  req.wantName && req.hostnameHint !== undefined ? NAME_ATTEMPTS + 1 : NAME_ATTEMPTS;
export const namesExhausted = () =>
  new IpcdError('NAME_EXHAUSTED', `no unused name found after ${NAME_ATTEMPTS} tries`);

export function checkCommission(req: CommissionRequest): void {
  if (!req.wantAddress && !req.wantName) {
    throw invalid('the request asks for neither an address nor a name (wantAddress and wantName are both false)');
  }
}

async function issue(
  store: Service,
  req: CommissionRequest,
  actor: Actor,
  operation: string,
): Promise<CommissionResult> {
  checkCommission(req);
  const h = hotPathOf(store);
  // Known before the write, so the audit row and DNS records can name it in the same statement.
  const allocationId = globalThis.crypto.randomUUID();
  const work = () =>
    withCurrentTopology(h, async (t, a) => {
      for (let i = 0; i < nameAttempts(req); i++) {
        const p = await planCommission(h, a, t, { req, actor, operation, allocationId, attempt: i });
        const r = commissionAnswer(await a.commission(p.plan), p);
        if (r !== NAMES_TAKEN) return r;
      }
      throw namesExhausted();
    });
  return auditRefusals(store, actor, operation, { objectType: 'allocation', serverInstance: req.serverInstance }, work);
}

/** One commission to plan: attempt counts the plans whose names were all taken. */
export interface CommissionTask {
  req: CommissionRequest;
  actor: Actor;
  operation: string;
  allocationId: string;
  attempt: number;
}

/** A plan and what its outcome is read against. */
export interface PlannedCommission {
  plan: CommissionPlan;
  t: Topology;
  req: CommissionRequest;
  dc: DataCenter;
  candidates: number;
}

/** Who may, which data center and networks, which names: the plan, or a refusal thrown. */
export async function planCommission(
  h: HotPath,
  a: Allocator,
  t: Topology,
  task: CommissionTask,
): Promise<PlannedCommission> {
  const { req, actor } = task;
  const principal = currentPrincipal(t, actor.principal);
  const { dc, onVlan } = resolveVlan(t, req.dataCenter, req.vlan);
  mayCommission(principal, dc.id, tenantsOf(onVlan), `commission on VLAN ${req.vlan} in data center ${dc.name}`);
  const candidates = candidatesFor(t, req, dc.id, onVlan);
  const plan: CommissionPlan = {
    version: t.version.toString(),
    nonce: noncePlan(actor.principal),
    allocationId: task.allocationId,
    dataCenterId: dc.id,
    vlan: req.vlan,
    serverInstance: req.serverInstance,
    intent: intentOf(req),
    wantAddress: req.wantAddress,
    candidates: await plans(h, a, t, req, onVlan, candidates, task.attempt === 0),
    audit: {
      actor: principal.username,
      role: principal.role,
      operation: task.operation,
      requestId: actor.requestId ?? null,
      after: { network: '$network', vlan: req.vlan, address: '$address', fqdn: '$fqdn', source: '$source' },
    },
  };
  return { plan, t, req, dc, candidates: candidates.length };
}

/** Every name offered was in use: plan again with the next attempt's names. */
export const NAMES_TAKEN = Symbol('names taken');

/** What the store's outcome means for the caller: the result, a stale copy, names to retry, or a refusal thrown. */
export function commissionAnswer(
  outcome: CommissionOutcome,
  p: PlannedCommission,
): CommissionResult | Stale | typeof NAMES_TAKEN {
  const { req, dc, t } = p;
  switch (outcome.status) {
    case 'STALE':
      return new Stale(outcome.version);
    case 'REPLAY':
      throw replay();
    case 'NAMES_TAKEN':
      return NAMES_TAKEN;
    case 'NO_ZONE':
      throw new IpcdError(
        'NO_ZONE',
        `network ${t.network(outcome.networkId)?.name ?? outcome.networkId} has no default zone, so no name can be issued`,
      );
    case 'FULL':
      throw new IpcdError(
        'NO_FREE_ADDRESS',
        `no free IPv${req.family} address for VLAN ${req.vlan} in data center ${dc.name}: ` +
          `${p.candidates} candidate network(s) (VLAN, tenant alternates, reserve pool) are all full`,
      );
    case 'EXISTING':
      return existingResult(outcome.allocation, outcome.network, dc.name, outcome.zone, req);
    case 'ISSUED':
      return result(outcome.allocation, false, outcome.network, dc.name, outcome.zone);
  }
}

/** The networks asked, in the seed's order; a name-only request names in the VLAN's first zoned network. */
type Candidate = { network: Network; source: AllocationSource | null };

function candidatesFor(t: Topology, req: CommissionRequest, dataCenterId: number, onVlan: Network[]): Candidate[] {
  if (req.wantAddress) {
    const tenants = tenantsOf(onVlan);
    return addressCandidates(
      req.family,
      onVlan,
      t.networksOfTenants(dataCenterId, tenants, req.family),
      t.reservePools(dataCenterId, req.family),
    );
  }
  const network = nameNetwork(onVlan);
  if (!network)
    throw new IpcdError(
      'NO_ZONE',
      `no network on VLAN ${req.vlan} in data center ${t.dataCenterName(dataCenterId)} has a default zone for names`,
    );
  return [{ network, source: null }];
}

/** Each candidate as the store needs it: charged tenant, names to offer, DNS records, hold-down. */
async function plans(
  h: HotPath,
  a: Allocator,
  t: Topology,
  req: CommissionRequest,
  onVlan: Network[],
  candidates: Candidate[],
  first: boolean,
): Promise<CandidatePlan[]> {
  // One number per distinct (zone, pattern): candidates sharing them offer the same names.
  const offered = new Map<string, string[]>();
  const out: CandidatePlan[] = [];
  for (const { network, source } of candidates) {
    // Charged to the serving network's tenant; a reserve pool's address to the VLAN's tenant.
    const plan: CandidatePlan = {
      networkId: network.id,
      source,
      tenantId: network.tenantId ?? tenantsOf(onVlan)[0] ?? null,
      holdDown: network.holdDownSeconds > 0,
    };
    if (req.wantName) {
      const zone = network.zoneId === null ? null : t.zone(network.zoneId);
      if (!zone) {
        plan.noZone = true;
      } else {
        const hint = req.hostnameHint;
        const pattern = hint !== undefined ? `${hint.slice(0, 48).replace(/-+$/, '')}-{seq}` : network.namePattern;
        const key = `${zone.id}\u0000${pattern}`;
        let names = offered.get(key);
        if (!names) {
          // The hint alone first: a number is used only when a name has to be generated.
          names = hint !== undefined && first ? [hint] : [renderName(pattern, await h.names.next(zone.id, a))];
          offered.set(key, names);
        }
        Object.assign(plan, {
          names,
          zoneId: zone.id,
          zoneName: zone.name,
          forward: zone.publishes,
          reverse: reverseZonesOf(t, network),
        });
      }
    }
    out.push(plan);
  }
  return out;
}

function reverseZonesOf(t: Topology, network: Network): { id: number; prefix: string }[] {
  const cidr = parseCidr(network.cidr);
  return t.snapshot.reverseZones.filter((z) => {
    const p = parseCidr(z.prefix);
    return p.family === cidr.family && (cidrContains(p, cidr) || cidrContains(cidr, p));
  });
}

/** The retried request gets what the first one got — if that is what it asks for. */
function existingResult(
  held: Allocation,
  network: Network,
  dataCenter: string,
  zone: string | null,
  req: CommissionRequest,
): CommissionResult {
  const lacks = (req.wantAddress && held.address === null) || (req.wantName && held.name === null);
  if (lacks) {
    throw new IpcdError(
      'CONFLICT',
      `server instance '${req.serverInstance}' already holds allocation ${held.id} on VLAN ${req.vlan} in data center ${dataCenter} ` +
        `(${held.address ?? 'no address'}, ${held.name ?? 'no name'}); decommission it before asking for a different one`,
    );
  }
  return result(held, true, network, dataCenter, zone);
}

/** The answer, from the allocation and its network as the database has them at commit. */
function result(
  a: Allocation,
  existing: boolean,
  network: Network,
  dataCenter: string,
  zone: string | null,
): CommissionResult {
  const name = zone ? a.name : null;
  return {
    allocationId: a.id,
    existing,
    network,
    dataCenter,
    source: a.source,
    address: a.address,
    prefixLength: a.address === null ? null : Number(network.cidr.split('/')[1]),
    gateway: a.address === null ? null : network.gateway,
    name,
    zone: name === null ? null : zone,
    fqdn: name === null ? null : fqdn(name, zone!),
  };
}
