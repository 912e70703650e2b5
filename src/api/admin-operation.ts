/**
 * How a management operation is declared, shared by the modules that hold them (admin-service,
 * admin-networks, admin-accounts): the handler's answer is typed by the contract's response for
 * that operation name, so a misspelt element fails the build rather than the request.
 */
import type { Actor } from '../logic/access/policy';
import type { AuditTarget } from '../logic/audit/audit';
import type { management as wsdl } from '../contract';
import { soapOperation, type Args, type OperationContext } from './operation';
import type { Reply } from './reply';

type Answer<K extends wsdl.OperationName> = Promise<Reply<wsdl.Operations[K]['output']>>;

/** op(name, run, change?): the [name, handler] entry of the port; `change` marks a change and names its audit target. */
export function adminOperation(ctx: OperationContext) {
  return <K extends wsdl.OperationName>(
    name: K,
    run: (args: Args, actor: Actor) => Answer<K>,
    change?: (args: Args) => AuditTarget,
  ) => [name, soapOperation(ctx, name, run, change)] as const;
}
