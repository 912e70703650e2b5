/**
 * The order in which networks are asked for a free address (the seed's flow chart):
 * the VLAN's networks first, then alternate networks of the same tenant(s) in the same data
 * center, then the data center's reserve pools. Within a stage: priority, then name.
 */
import type { Family } from '../core/ip';
import type { AllocationSource, Network } from '../core/model';

export interface Candidate {
  network: Network;
  source: AllocationSource;
}

export const byPriority = (a: Network, b: Network) =>
  a.priority - b.priority || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

export function addressCandidates(
  family: Family,
  onVlan: Network[],
  tenantNetworks: Network[],
  reservePools: Network[],
): Candidate[] {
  const seen = new Set<number>();
  const out: Candidate[] = [];
  const stage = (nets: Network[], source: AllocationSource, keep: (n: Network) => boolean) => {
    for (const n of [...nets].sort(byPriority)) {
      if (n.family !== family || !keep(n) || seen.has(n.id)) continue;
      seen.add(n.id);
      out.push({ network: n, source });
    }
  };
  stage(onVlan, 'VLAN', (n) => !n.reservePool);
  stage(tenantNetworks, 'TENANT_ALTERNATE', (n) => !n.reservePool);
  stage(reservePools, 'RESERVE_POOL', (n) => n.reservePool);
  return out;
}

/** Tenants owning any network on the VLAN: their other networks are the alternates. */
export function tenantsOf(networks: Network[]): number[] {
  return [...new Set(networks.map((n) => n.tenantId).filter((t): t is number => t !== null))];
}

/** The network whose default zone names a name-only request: the VLAN's first with a zone. */
export function nameNetwork(onVlan: Network[]): Network | null {
  const sorted = [...onVlan].sort((a, b) => Number(a.reservePool) - Number(b.reservePool) || byPriority(a, b));
  return sorted.find((n) => n.zoneId !== null) ?? null;
}
