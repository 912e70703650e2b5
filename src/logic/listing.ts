/** Read-only views of what is issued: for reconciliation by orchestrators and for operators. */
import { IpcdError } from './errors';
import { fqdn } from './names';
import type { Intent } from './model';
import type { Store } from './ports';
import { integer, vlanId } from './validate';
import { readScope, systemActor, type Actor } from './policy';

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
}

export const DEFAULT_PAGE = 100;
export const MAX_PAGE = 1000;

export async function listAllocations(
  store: Store,
  q: AllocationListQuery,
  actor: Actor = systemActor(),
): Promise<{ allocations: ListedAllocation[]; nextPage: string | null }> {
  const scope = readScope(actor.principal);
  const pageSize = q.pageSize === undefined ? DEFAULT_PAGE : integer(q.pageSize, 'pageSize');
  if (pageSize < 1 || pageSize > MAX_PAGE) throw new IpcdError('INVALID_REQUEST', `pageSize must be 1 to ${MAX_PAGE}, got ${pageSize}`);
  const after = q.after === undefined ? undefined : decodeCursor(q.after);
  const vlan = q.vlan === undefined ? undefined : vlanId(q.vlan);
  return store.transaction(async (tx) => {
    let dataCenterId: number | undefined;
    if (q.dataCenter !== undefined) {
      const dc = await tx.dataCenterByName(q.dataCenter);
      if (!dc) throw new IpcdError('UNKNOWN_DATA_CENTER', `data center '${q.dataCenter}' is not known to ipcd`);
      dataCenterId = dc.id;
    }
    // One extra row tells whether another page follows.
    const rows = await tx.listActiveAllocations({ dataCenterId, vlan, serverInstance: q.serverInstance, after, limit: pageSize + 1, scope: scope.all ? undefined : scope.grants });
    const page = rows.slice(0, pageSize);
    return {
      allocations: page.map((r) => ({
        allocationId: r.id,
        dataCenter: r.dataCenter,
        vlan: r.requestedVlan,
        network: r.network,
        serverInstance: r.serverInstance,
        intent: r.intent,
        address: r.address,
        fqdn: r.name !== null && r.zone !== null ? fqdn(r.name, r.zone) : null,
        createdAt: r.createdAt,
      })),
      nextPage: rows.length > pageSize ? encodeCursor(page[page.length - 1].id) : null,
    };
  });
}

const encodeCursor = (id: string) => Buffer.from(`a:${id}`).toString('base64url');

function decodeCursor(cursor: string): string {
  const text = Buffer.from(cursor, 'base64url').toString();
  if (!/^a:[0-9a-f-]{36}$/.test(text)) throw new IpcdError('INVALID_REQUEST', 'after is not a cursor this server issued (use nextPage of the previous page)');
  return text.slice(2);
}
