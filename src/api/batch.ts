/**
 * CommissionIPBatch and DecommissionIPBatch: each item is read as its single operation's request
 * (its elements checked and its schema defaults applied as soapOperation does for a single call;
 * an unreadable item is that item's fault, not the batch's) and answered as its response.
 */
import { commissionBatch, MAX_BATCH_ITEMS, releaseBatch, type BatchResult } from '../logic/allocation/batch';
import { IpcdError, invalid } from '../logic/core/errors';
import { commissionRequest, decommissionRequest, flag, only } from './parse';
import type { CommissionResult } from '../logic/allocation/commission';
import type { DecommissionResult } from '../logic/allocation/decommission';
import { fieldsOf, type commissioning } from '../contract';
import { faultInfo } from './fault';
import { defaultsOf, withDefaults, type Args, type OperationContext } from './operation';
import type { Reply } from './reply';
import type { Actor } from '../logic/access/policy';

/** The items under `element`, each read by `read` with its schema defaults applied. */
function items<R>(
  ctx: OperationContext,
  args: Args,
  element: 'CommissionIP' | 'DecommissionIP',
  read: (a: Args) => R,
): { atomic: boolean; items: (R | IpcdError)[] } {
  const raw = args[element];
  const list = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
  if (list.length === 0 || list.length > MAX_BATCH_ITEMS)
    throw invalid(`a batch holds 1 to ${MAX_BATCH_ITEMS} ${element} items, got ${list.length}`);
  const fields = fieldsOf(ctx.model, element);
  const names = fields.map((f) => f.name);
  const defaults = defaultsOf(fields);
  return {
    atomic: flag(args, 'atomic') ?? false,
    items: list.map((x) => {
      try {
        if (x !== null && typeof x !== 'object') throw invalid(`a ${element} item holds elements, not text`);
        const item = (x ?? {}) as Args;
        only(item, names);
        return read(withDefaults(item, defaults));
      } catch (e) {
        if (e instanceof IpcdError) return e;
        throw e;
      }
    }),
  };
}

/** The reply: counts, the refused item of an atomic batch, and one result per item in order. */
function reply<T, O extends object>(r: BatchResult<T>, ok: (x: T) => O) {
  const failed = r.results.filter((x) => 'fault' in x).length;
  return {
    succeeded: r.results.length - failed,
    failed,
    failedItem: r.failed === undefined ? null : r.failed + 1,
    result: r.results.map((x, i) => ({ item: i + 1, ...('ok' in x ? ok(x.ok) : { IpcdFault: faultInfo(x.fault) }) })),
  };
}

export async function commissionIPBatch(
  ctx: OperationContext,
  args: Args,
  actor: Actor,
  present: (r: CommissionResult) => Reply<commissioning.CommissionIPResponse>,
): Promise<Reply<commissioning.CommissionIPBatchResponse>> {
  const b = items(ctx, args, 'CommissionIP', commissionRequest);
  return reply(await commissionBatch(ctx.store, b.items, b.atomic, actor), (x) => ({
    CommissionIPResponse: present(x),
  }));
}

export async function decommissionIPBatch(
  ctx: OperationContext,
  args: Args,
  actor: Actor,
  present: (r: DecommissionResult) => Reply<commissioning.DecommissionIPResponse>,
): Promise<Reply<commissioning.DecommissionIPBatchResponse>> {
  const b = items(ctx, args, 'DecommissionIP', decommissionRequest);
  return reply(await releaseBatch(ctx.store, b.items, b.atomic, actor), (x) => ({
    DecommissionIPResponse: present(x),
  }));
}
