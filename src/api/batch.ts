/**
 * CommissionIPBatch and DecommissionIPBatch: each item is read as its single operation's request
 * (an unreadable item is that item's fault, not the batch's) and answered as its response.
 */
import { commissionBatch, MAX_BATCH_ITEMS, releaseBatch, type BatchResult } from '../logic/allocation/batch';
import { IpcdError, invalid } from '../logic/core/errors';
import { commissionRequest, decommissionRequest, flag, only } from './parse';
import type { CommissionResult } from '../logic/allocation/commission';
import type { DecommissionResult } from '../logic/allocation/decommission';
import { faultInfo } from './fault';
import { withDefaults, type Args, type OperationContext } from './operation';
import type { Actor } from '../logic/access/policy';

/** The items under `element`, each read by `read` with its schema defaults applied. */
function items<R>(ctx: OperationContext, args: Args, element: 'CommissionIP' | 'DecommissionIP', read: (a: Args) => R): { atomic: boolean; items: (R | IpcdError)[] } {
  only(args, ['atomic', element]);
  const raw = args[element];
  const list = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
  if (list.length === 0 || list.length > MAX_BATCH_ITEMS) throw invalid(`a batch holds 1 to ${MAX_BATCH_ITEMS} ${element} items, got ${list.length}`);
  return {
    atomic: flag(args, 'atomic') ?? false,
    items: list.map((x) => {
      try {
        if (x !== null && typeof x !== 'object') throw invalid(`a ${element} item holds elements, not text`);
        return read(withDefaults((x ?? {}) as Args, ctx.defaults?.[element]));
      } catch (e) {
        if (e instanceof IpcdError) return e;
        throw e;
      }
    }),
  };
}

/** The reply: counts, the refused item of an atomic batch, and one result per item in order. */
function reply<T>(r: BatchResult<T>, element: string, present: (x: T) => object) {
  const failed = r.results.filter((x) => 'fault' in x).length;
  return {
    succeeded: r.results.length - failed,
    failed,
    failedItem: r.failed === undefined ? null : r.failed + 1,
    result: r.results.map((x, i) => ({ item: i + 1, ...('ok' in x ? { [element]: present(x.ok) } : { IpcdFault: faultInfo(x.fault) }) })),
  };
}

export async function commissionIPBatch(ctx: OperationContext, args: Args, actor: Actor, present: (r: CommissionResult) => object) {
  const b = items(ctx, args, 'CommissionIP', commissionRequest);
  return reply(await commissionBatch(ctx.store, b.items, b.atomic, actor), 'CommissionIPResponse', present);
}

export async function decommissionIPBatch(ctx: OperationContext, args: Args, actor: Actor, present: (r: DecommissionResult) => object) {
  const b = items(ctx, args, 'DecommissionIP', decommissionRequest);
  return reply(await releaseBatch(ctx.store, b.items, b.atomic, actor), 'DecommissionIPResponse', present);
}
