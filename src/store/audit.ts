/** The audit trail: rows appended in the changing transaction, read back by filter. */
import type { AuditEntry, AuditPort, AuditQuery, AuditRow } from '../logic/audit/port';
import { Query, type Sql } from './sql';

export class SqlAudit implements AuditPort {
  constructor(private readonly db: Sql) {}

  async appendAudit(e: AuditEntry): Promise<void> {
    await this.db.rows(
      `INSERT INTO audit_log (actor, role, operation, object_type, object_id, tenant_id, data_center_id, server_instance, before, after, outcome, request_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
      [
        e.actor,
        e.role,
        e.operation,
        e.objectType,
        e.objectId ?? null,
        e.tenantId ?? null,
        e.dataCenterId ?? null,
        e.serverInstance ?? null,
        e.before === undefined || e.before === null ? null : JSON.stringify(e.before),
        e.after === undefined || e.after === null ? null : JSON.stringify(e.after),
        e.outcome,
        e.requestId ?? null,
      ],
    );
  }

  async listAudit(q: AuditQuery): Promise<AuditRow[]> {
    const w = new Query([]);
    w.scope(q.scope, 'data_center_id', 'tenant_id');
    w.eq('actor', q.actor);
    w.eq('operation', q.operation);
    w.eq('object_type', q.objectType);
    w.eq('object_id', q.objectId);
    w.eq('server_instance', q.serverInstance);
    if (q.since !== undefined) w.where(`at >= ${w.p(q.since)}`);
    if (q.until !== undefined) w.where(`at < ${w.p(q.until)}`);
    if (q.afterId !== undefined) w.where(`id ${q.newestFirst ? '<' : '>'} ${w.p(q.afterId)}::bigint`);
    const rows: Record<string, unknown>[] = await this.db.rows(
      `SELECT * FROM audit_log WHERE ${w.sql} ORDER BY id ${q.newestFirst ? 'DESC' : 'ASC'} LIMIT ${w.p(q.limit)}`,
      w.params,
    );
    return rows.map((r) => ({
      id: String(r.id),
      at: new Date(r.at as string),
      actor: r.actor as string,
      role: r.role as string,
      operation: r.operation as string,
      objectType: r.object_type as string,
      objectId: r.object_id as string | null,
      tenantId: r.tenant_id as number | null,
      dataCenterId: r.data_center_id as number | null,
      serverInstance: r.server_instance as string | null,
      before: r.before,
      after: r.after,
      outcome: r.outcome as string,
      requestId: r.request_id as string | null,
    }));
  }
}
