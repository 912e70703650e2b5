/** The frame of every management change: admins only, one transaction, retried on a lost race, refusals audited. */
import { IpcdError } from './errors';
import { auditRefusals, type AuditTarget } from '../audit/audit';
import type { Network } from './model';
import { mayManage, type Actor } from '../access/policy';
import type { UnitOfWork } from './unit-of-work';
import type { AuditPort } from '../audit/port';
import type { TopologyPort } from '../topology/port';
import { withRetry } from './retry';

export function managed<P extends { audit: AuditPort }, T>(
  store: UnitOfWork<P>,
  actor: Actor,
  operation: string,
  target: AuditTarget,
  work: (tx: P) => Promise<T>,
): Promise<T> {
  return auditRefusals(store, actor, operation, target, () => {
    mayManage(actor.principal, `${operation} (management is for administrators)`);
    return withRetry(() => store.transaction(work));
  });
}

export async function networkNamed(tx: { topology: TopologyPort }, name: string): Promise<Network> {
  const n = await tx.topology.networkByName(String(name));
  if (!n) throw new IpcdError('NOT_FOUND', `network '${name}' is not known to ipcd`);
  return n;
}

/** The network, locked against commissions and releases on it for the rest of the transaction. */
export async function lockedNetwork(tx: { topology: TopologyPort }, name: string): Promise<Network> {
  const n = await networkNamed(tx, name);
  await tx.topology.lockNetwork(n.id);
  return tx.topology.networkById(n.id);
}
