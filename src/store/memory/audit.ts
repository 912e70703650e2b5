/** AuditPort in memory: the audit_log table, read back in id order as security.ts does. */
import type { Grant } from '../../logic/access/policy';
import type { AuditEntry, AuditPort, AuditQuery, AuditRow } from '../../logic/audit/port';
import type { MemoryState } from './state';

/** A grant covers the row (a null in the grant matches anything; a null in the row only that). */
export const inScope = (scope: Grant[], dataCenterId: number | null, tenantId: number | null) =>
  scope.some(
    (g) =>
      (g.dataCenterId === null || g.dataCenterId === dataCenterId) && (g.tenantId === null || g.tenantId === tenantId),
  );

/** JSON in, JSON out: what the jsonb columns keep of a value. */
const json = (v: unknown) => (v === undefined || v === null ? null : JSON.parse(JSON.stringify(v)));

export class MemoryAudit implements AuditPort {
  constructor(private readonly s: MemoryState) {}

  async appendAudit(e: AuditEntry): Promise<void> {
    const id = String(this.s.nextId('audit_log'));
    this.s.audit.insert(id, {
      id,
      at: this.s.now(),
      actor: e.actor,
      role: e.role,
      operation: e.operation,
      objectType: e.objectType,
      objectId: e.objectId ?? null,
      tenantId: e.tenantId ?? null,
      dataCenterId: e.dataCenterId ?? null,
      serverInstance: e.serverInstance ?? null,
      before: json(e.before),
      after: json(e.after),
      outcome: e.outcome,
      requestId: e.requestId ?? null,
    });
  }

  async listAudit(q: AuditQuery): Promise<AuditRow[]> {
    const after = q.afterId === undefined ? undefined : BigInt(q.afterId);
    const rows = this.s.audit.values().filter((r) => {
      const id = BigInt(r.id);
      return (
        (q.scope === undefined || inScope(q.scope, r.dataCenterId ?? null, r.tenantId ?? null)) &&
        (q.actor === undefined || r.actor === q.actor) &&
        (q.operation === undefined || r.operation === q.operation) &&
        (q.objectType === undefined || r.objectType === q.objectType) &&
        (q.objectId === undefined || r.objectId === q.objectId) &&
        (q.serverInstance === undefined || r.serverInstance === q.serverInstance) &&
        (q.since === undefined || r.at >= q.since) &&
        (q.until === undefined || r.at < q.until) &&
        (after === undefined || (q.newestFirst ? id < after : id > after))
      );
    });
    rows.sort((a, b) => Number(BigInt(a.id) - BigInt(b.id)) * (q.newestFirst ? -1 : 1));
    return rows.slice(0, q.limit).map((r) => ({ ...r, before: json(r.before), after: json(r.after) }));
  }
}
