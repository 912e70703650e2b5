/** Reading the audit trail: filtered, paged, and limited to the rows the caller may see. */
import { invalid } from '../core/errors';
import { decodeCursor, DIGITS, page, pageSize } from '../core/paging';
import { readScope, systemActor, type Actor } from '../access/policy';
import type { UnitOfWork } from '../core/unit-of-work';
import type { AuditPort, AuditRow } from './port';

/** The ports this module uses. */
type Tx = { audit: AuditPort };

export interface AuditSearch {
  user?: string;
  operation?: string;
  objectType?: string;
  objectId?: string;
  serverInstance?: string;
  since?: Date | string;
  until?: Date | string;
  pageSize?: number | string;
  after?: string;
  /** Newest first, as an operator reads a log; default oldest first, as an exporter follows it. */
  newestFirst?: boolean;
}

function time(value: Date | string | undefined, field: string): Date | undefined {
  if (value === undefined) return undefined;
  const d = value instanceof Date ? value : new Date(String(value));
  if (Number.isNaN(d.getTime())) throw invalid(`${field} must be a date-time such as 2026-11-25T10:00:00Z`);
  return d;
}

export async function queryAudit(
  store: UnitOfWork<Tx>,
  q: AuditSearch,
  actor: Actor = systemActor(),
): Promise<{ entries: AuditRow[]; nextPage: string | null }> {
  const size = pageSize(q.pageSize);
  const scope = readScope(actor.principal);
  // Each direction has its own cursor kind, so a cursor cannot be replayed the other way.
  const kind = q.newestFirst ? 'L' : 'l';
  const afterId = q.after === undefined ? undefined : decodeCursor(kind, q.after, DIGITS);
  const since = time(q.since, 'since');
  const until = time(q.until, 'until');
  return store.transaction(async (tx) => {
    const rows = await tx.audit.listAudit({
      scope: scope.all ? undefined : scope.grants,
      actor: q.user,
      operation: q.operation,
      objectType: q.objectType,
      objectId: q.objectId,
      serverInstance: q.serverInstance,
      since,
      until,
      afterId,
      newestFirst: q.newestFirst ?? false,
      limit: size + 1,
    });
    const { items, nextPage } = page(rows, size, kind, (r) => r.id);
    return { entries: items, nextPage };
  });
}
