/**
 * ipcd_batch (migration 1764925200000) in memory: many plans in one unit of work, each carried
 * out by the single call's unit. Separate: a plan that raises undoes only itself (a savepoint in
 * place of the subtransaction) and reports that as its status. Atomic: the first plan that raises
 * undoes the whole call and is named (ABORTED); the caller's transaction then rolls back.
 */
import type { BatchOutcome, BatchPlans, Conflict, NoncePlan } from '../../logic/allocation/allocator-port';
import { StoreConflict } from '../../logic/core/errors';
import type { Journal } from './table';
import type { UnitRunner } from './allocator';

/** What one plan's unit did: its outcome, and the networks and DNS changes to tell at commit. */
export interface PlanDone<O> {
  outcome: O;
  networkIds: number[];
  dns: number;
}

/** A plan's refusal that undoes what it did (the SQL functions RAISE): its outcome. */
export class Raised<O> {
  constructor(readonly outcome: O) {}
}

export function batchUnit<P, O>(
  journal: Journal,
  useNonce: (n: NoncePlan | undefined) => boolean,
  unit: (plan: P) => PlanDone<O>,
  batch: BatchPlans<P>,
): { out: BatchOutcome<O | Conflict>; done: PlanDone<O>[] } {
  if (!useNonce(batch.nonce)) return { out: { status: 'REPLAY' }, done: [] };
  const start = journal.mark();
  const done: PlanDone<O>[] = [];
  const results: (O | Conflict)[] = [];
  for (let i = 0; i < batch.plans.length; i++) {
    const mark = journal.mark();
    try {
      const d = unit(batch.plans[i]);
      done.push(d);
      results.push(d.outcome);
    } catch (e) {
      // A unique index firing is the lost race the database would report; memory has no other.
      const raised: O | Conflict =
        e instanceof Raised ? (e.outcome as O) : e instanceof StoreConflict ? { status: 'CONFLICT' } : rethrow(e);
      if (batch.atomic) {
        journal.rollbackTo(start);
        return { out: { status: 'ABORTED', failed: i, result: raised }, done: [] };
      }
      journal.rollbackTo(mark);
      results.push(raised);
    }
  }
  return { out: { status: 'OK', results }, done };
}

/**
 * The runner of the allocator transaction() hands out: already inside the store's unit, each
 * call keeps a savepoint (a failed one undoes only itself); what it changed waits in pending.
 */
export function savepointRunner(j: Journal, pending: [number[], boolean][], outer: UnitRunner): UnitRunner {
  return {
    unit: (work) => {
      const mark = j.mark();
      try {
        return Promise.resolve(work());
      } catch (e) {
        j.rollbackTo(mark);
        return Promise.reject(e);
      }
    },
    committed: (ids, dns) => pending.push([ids, dns]),
    onConfigChange: (l) => outer.onConfigChange(l),
  };
}

function rethrow(e: unknown): never {
  throw e;
}
