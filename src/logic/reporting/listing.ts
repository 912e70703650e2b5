/** Read-only views of what is issued: for reconciliation by orchestrators and for operators. */
import { IpcdError } from '../core/errors';
import { fqdn } from '../allocation/names';
import type { Intent } from '../core/model';
import type { UnitOfWork } from '../core/unit-of-work';
import type { TopologyPort } from '../topology/port';
import type { ActiveAllocationKey, ReportsPort } from './port';
import { vlanId } from '../core/validate';
import { decodeCursor, page as pageOf, pageSize as sizeOf, UUID } from '../core/paging';
import { parseAddress } from '../core/ip';
import { readScope, systemActor, type Actor } from '../access/policy';
import { dnsState, type DnsState } from '../dns/dns';

/** The ports this module uses. */
type Tx = { topology: TopologyPort; reports: ReportsPort };

export interface AllocationListQuery {
  dataCenter?: string;
  vlan?: number;
  serverInstance?: string;
  pageSize?: number;
  /** Opaque cursor from the previous page's nextPage. */
  after?: string;
}

export interface ListedAllocation {
  allocationId: string;
  dataCenter: string;
  vlan: number;
  network: string;
  serverInstance: string;
  intent: Intent;
  address: string | null;
  fqdn: string | null;
  createdAt: Date;
  /** Where its DNS records stand: published, on their way, refused, or nothing to publish. */
  dns: { state: DnsState; detail: string | null };
}

export { DEFAULT_PAGE, MAX_PAGE } from '../core/paging';

export async function listAllocations(
  store: UnitOfWork<Tx>,
  q: AllocationListQuery,
  actor: Actor = systemActor(),
): Promise<{ allocations: ListedAllocation[]; nextPage: string | null }> {
  const scope = readScope(actor.principal);
  const pageSize = sizeOf(q.pageSize);
  const after = q.after === undefined ? undefined : cursorKey(q.after);
  const vlan = q.vlan === undefined ? undefined : vlanId(q.vlan);
  return store.transaction(async (tx) => {
    let dataCenterId: number | undefined;
    if (q.dataCenter !== undefined) {
      const dc = await tx.topology.dataCenterByName(q.dataCenter);
      if (!dc) throw new IpcdError('UNKNOWN_DATA_CENTER', `data center '${q.dataCenter}' is not known to ipcd`);
      dataCenterId = dc.id;
    }
    // One extra row tells whether another page follows.
    const rows = await tx.reports.listActiveAllocations({
      dataCenterId,
      vlan,
      serverInstance: q.serverInstance,
      after,
      limit: pageSize + 1,
      scope: scope.all ? undefined : scope.grants,
    });
    const { items, nextPage } = pageOf(rows, pageSize, 'l', (r) =>
      JSON.stringify([r.dataCenter, r.requestedVlan, r.address, r.id]),
    );
    return {
      allocations: items.map((r) => ({
        allocationId: r.id,
        dataCenter: r.dataCenter,
        vlan: r.requestedVlan,
        network: r.network,
        serverInstance: r.serverInstance,
        intent: r.intent,
        address: r.address,
        fqdn: r.name !== null && r.zone !== null ? fqdn(r.name, r.zone) : null,
        createdAt: r.createdAt,
        dns: dnsState({ address: r.address, name: r.name, zone: r.zone }, r.dns),
      })),
      nextPage,
    };
  });
}

/** The cursor holds the whole sort key, so a page continues even when its last row has gone since. */
function cursorKey(cursor: string): ActiveAllocationKey {
  const text = decodeCursor('l', cursor, /^\[.*\]$/);
  let key: unknown;
  try {
    key = JSON.parse(text);
  } catch {
    key = null;
  }
  const [dataCenter, vlan, address, id] = Array.isArray(key) && key.length === 4 ? (key as unknown[]) : [];
  if (
    typeof dataCenter === 'string' &&
    typeof vlan === 'number' &&
    Number.isInteger(vlan) &&
    (address === null || (typeof address === 'string' && parseAddress(address) !== null)) &&
    typeof id === 'string' &&
    UUID.test(id)
  ) {
    return { dataCenter, vlan, address, id };
  }
  throw new IpcdError(
    'INVALID_REQUEST',
    'after is not a cursor this server issued for this list (use nextPage of the previous page)',
  );
}
