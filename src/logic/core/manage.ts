/** The frame of every management change: admins only, one transaction, retried on a lost race, refusals audited. */
import { IpcdError } from './errors';
import { auditRefusals, type AuditTarget } from '../audit/audit';
import type { Network } from './model';
import { mayManage, type Actor } from '../access/policy';
import type { Store, StoreTx } from '../ports';
import { withRetry } from './retry';

export function managed<T>(store: Store, actor: Actor, operation: string, target: AuditTarget, work: (tx: StoreTx) => Promise<T>): Promise<T> {
  return auditRefusals(store, actor, operation, target, () => {
    mayManage(actor.principal, `${operation} (management is for administrators)`);
    return withRetry(() => store.transaction(work));
  });
}

export async function networkNamed(tx: StoreTx, name: string): Promise<Network> {
  const n = await tx.networkByName(String(name));
  if (!n) throw new IpcdError('NOT_FOUND', `network '${name}' is not known to ipcd`);
  return n;
}

/** The network, locked against commissions and releases on it for the rest of the transaction. */
export async function lockedNetwork(tx: StoreTx, name: string): Promise<Network> {
  const n = await networkNamed(tx, name);
  await tx.lockNetwork(n.id);
  return tx.networkById(n.id);
}
