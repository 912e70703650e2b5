/**
 * The one network filter: data center and tenant by name, VLAN by number, as the CLI, the console
 * and the management service take them, resolved to the store's NetworkFilter and the caller's
 * read scope. Every network listing (usage, search, allocation search) filters through here.
 */
import { IpcdError } from '../core/errors';
import type { NetworkFilter } from '../core/model';
import { readScope, type Actor, type Grant } from '../access/policy';
import type { TopologyPort } from '../topology/port';
import { vlanId } from '../core/validate';

/** A network filter by names, as an operator gives it. */
export interface NetworkQuery {
  dataCenter?: string;
  vlan?: number | string;
  tenant?: string;
}

export interface ResolvedFilter extends NetworkFilter {
  /** The caller's grants; absent: it sees everything. */
  scope?: Grant[];
  /** A filter named something the caller cannot see: the answer is empty. */
  empty: boolean;
}

/** Checks the VLAN before any lookup, so a malformed filter is refused the same way everywhere. */
export const filterVlan = (q: NetworkQuery): number | undefined => (q.vlan === undefined ? undefined : vlanId(q.vlan));

/** Names to ids. Unknown names are refused for administrators; for scoped callers they just match nothing. */
export async function resolveNetworkFilter(
  tx: { topology: TopologyPort },
  actor: Actor,
  q: NetworkQuery,
  vlan = filterVlan(q),
): Promise<ResolvedFilter> {
  const scope = readScope(actor.principal);
  const out: ResolvedFilter = { scope: scope.all ? undefined : scope.grants, empty: false, vlan };
  if (q.dataCenter !== undefined) {
    const dc = await tx.topology.dataCenterByName(String(q.dataCenter));
    if (!dc && scope.all)
      throw new IpcdError('UNKNOWN_DATA_CENTER', `data center '${q.dataCenter}' is not known to ipcd`);
    if (dc) out.dataCenterId = dc.id;
    else out.empty = true;
  }
  if (q.tenant !== undefined) {
    const t = await tx.topology.tenantByName(String(q.tenant));
    if (!t && scope.all) throw new IpcdError('NOT_FOUND', `tenant '${q.tenant}' is not known to ipcd`);
    if (t) out.tenantId = t.id;
    else out.empty = true;
  }
  return out;
}
