/**
 * The audit trail: every commission, release, name issue and management change, who did it,
 * to what, before and after, and the outcome. Successes are written in the same transaction as
 * the change itself; refusals are written on their own after the change rolled back.
 */
import { IpcdError } from '../core/errors';
import type { Actor } from '../access/policy';
import type { UnitOfWork } from '../core/unit-of-work';
import type { AuditPort } from './port';
import type { AuditEntry, AuditTarget } from './port';

/** The ports this module uses. */
type Tx = { audit: AuditPort };

export type { AuditTarget, AuditEntry } from './port';

/** The row for one operation by one actor: who, what, which outcome. */
function entry(
  actor: Actor,
  operation: string,
  target: AuditTarget,
  outcome: string,
  change: { before?: unknown; after?: unknown },
): AuditEntry {
  return {
    ...target,
    actor: actor.principal.username,
    role: actor.principal.role,
    operation,
    before: change.before ?? null,
    after: change.after ?? null,
    outcome,
    requestId: actor.requestId ?? null,
  };
}

export function audit(
  tx: Tx,
  actor: Actor,
  operation: string,
  target: AuditTarget,
  change: { before?: unknown; after?: unknown },
): Promise<void> {
  return tx.audit.appendAudit(entry(actor, operation, target, 'ok', change));
}

/** Refusals already recorded: nested frames (the SOAP operation around the logic's) write one row. */
const recorded = new WeakSet<IpcdError>();

/**
 * Runs a change; when it is refused (an IpcdError: malformed, not allowed, in conflict…),
 * records the refusal once, the change itself having rolled back.
 */
export async function auditRefusals<T>(
  store: UnitOfWork<Tx>,
  actor: Actor,
  operation: string,
  target: AuditTarget,
  work: () => Promise<T>,
): Promise<T> {
  try {
    return await work();
  } catch (e) {
    // A failed authentication (a replayed nonce, an account changed meanwhile) leaves no row: the caller is not known.
    if (e instanceof IpcdError && e.code !== 'AUTHENTICATION_FAILED' && !recorded.has(e)) {
      recorded.add(e);
      await store.transaction((tx) =>
        tx.audit.appendAudit(entry(actor, operation, target, e.code, { after: { message: e.message } })),
      );
    }
    throw e;
  }
}
