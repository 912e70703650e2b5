/** The audit trail as stored: append a row, read rows back by filter. */
import type { Grant } from '../access/policy';

export interface AuditTarget {
  objectType: string;
  objectId?: string | null;
  dataCenterId?: number | null;
  tenantId?: number | null;
  serverInstance?: string | null;
}

export interface AuditEntry extends AuditTarget {
  actor: string;
  role: string;
  operation: string;
  before?: unknown;
  after?: unknown;
  outcome: string;
  requestId?: string | null;
}

export interface AuditQuery {
  /** Limit to rows about these tenants / data centers (a tenant's or orchestrator's view). */
  scope?: Grant[];
  actor?: string;
  operation?: string;
  objectType?: string;
  objectId?: string;
  serverInstance?: string;
  since?: Date;
  until?: Date;
  afterId?: string;
  /** Newest rows first (afterId then continues downwards). */
  newestFirst?: boolean;
  limit: number;
}

export interface AuditRow extends AuditEntry {
  id: string;
  at: Date;
}

export interface AuditPort {
  appendAudit(e: AuditEntry): Promise<void>;
  listAudit(q: AuditQuery): Promise<AuditRow[]>;
}
