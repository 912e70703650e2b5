/**
 * CommissionIPBatch and DecommissionIPBatch: each item goes through the single call's flow
 * (planCommission / commissionAnswer, planRelease / releaseAnswer: who may, where, which names,
 * what an outcome means), only the writes are grouped — many plans per round trip.
 * - separate (default): every item stands alone; one's refusal leaves the others' allocations.
 * - atomic: all items in one transaction, committed only if every one succeeds; otherwise
 *   nothing is written and the result names the item refused.
 * Per item as in a single call: idempotency (a repeated item, or a retried batch, gets the same
 * allocation with `existing`), authorization, an audit row per allocation and per refusal.
 */
import { IpcdError, invalid } from '../core/errors';
import { MAX_ATTEMPTS } from '../core/retry';
import { auditRefusals, type AuditTarget } from '../audit/audit';
import type { Actor } from '../access/policy';
import type {
  Allocator,
  BatchOutcome,
  BatchPlans,
  CommissionItemOutcome,
  NoncePlan,
  ReleaseItemOutcome,
} from './allocator-port';
import { MAX_SEPARATE_PLANS } from './allocator-port';
import {
  checkCommission,
  commission,
  commissionAnswer,
  nameAttempts,
  NAMES_TAKEN,
  namesExhausted,
  planCommission,
  type CommissionRequest,
  type CommissionResult,
  type PlannedCommission,
} from './commission';
import {
  checkRelease,
  planRelease,
  releaseAnswer,
  type DecommissionRequest,
  type DecommissionResult,
  type PlannedRelease,
} from './decommission';
import { hotPathOf, noncePlan, replay, Stale, type HotPath } from './hot-path';
import type { Topology } from '../topology/topology-cache';

/** Most items in one batch (the contract's maxOccurs). */
export const MAX_BATCH_ITEMS = 1000;

/** What the single calls take: the batch needs the same of the store. */
type Store = Parameters<typeof commission>[0];

export type ItemResult<T> = { ok: T } | { fault: IpcdError };

export interface BatchResult<T> {
  /** One per item, in order. */
  results: ItemResult<T>[];
  /** Atomic and refused: the (0-based) item that was refused; nothing was written. */
  failed?: number;
}

/** An item as the API read it: the request, or why it could not be read. */
export type BatchItem<R> = R | IpcdError;

interface Planned {
  plan: { nonce?: NoncePlan };
}

interface Flow<R, P extends Planned, O, T> {
  operation: string;
  check(req: R): void;
  target(req: R): AuditTarget;
  attempts(req: R): number;
  plan(h: HotPath, a: Allocator, t: Topology, s: Slot<R, T>, actor: Actor): Promise<P>;
  answer(outcome: O, p: P): T | Stale | typeof NAMES_TAKEN;
  write(a: Allocator, batch: BatchPlans<P['plan']>): Promise<BatchOutcome<O | { status: 'CONFLICT' }>>;
}

interface Slot<R, T> {
  index: number;
  req: R;
  allocationId: string;
  attempt: number;
  conflicts: number;
  done?: ItemResult<T>;
}

const COMMISSION: Flow<CommissionRequest, PlannedCommission, CommissionItemOutcome, CommissionResult> = {
  operation: 'CommissionIPBatch',
  check: checkCommission,
  target: (req) => ({ objectType: 'allocation', serverInstance: req.serverInstance ?? null }),
  attempts: nameAttempts,
  plan: (h, a, t, s, actor) =>
    planCommission(h, a, t, {
      req: s.req,
      actor,
      operation: 'CommissionIPBatch',
      allocationId: s.allocationId,
      attempt: s.attempt,
    }),
  answer: (o, p) => commissionAnswer(o as Exclude<CommissionItemOutcome, { status: 'CONFLICT' }>, p),
  write: (a, b) => a.commissionBatch(b),
};

const RELEASE: Flow<DecommissionRequest, PlannedRelease, ReleaseItemOutcome, DecommissionResult> = {
  operation: 'DecommissionIPBatch',
  check: checkRelease,
  target: (req) => ({ objectType: 'allocation', serverInstance: req.serverInstance ?? null }),
  attempts: () => 1,
  plan: async (_h, _a, t, s, actor) => planRelease(t, s.req, actor, 'DecommissionIPBatch'),
  answer: (o, p) => releaseAnswer(o as Exclude<ReleaseItemOutcome, { status: 'CONFLICT' }>, p),
  write: (a, b) => a.releaseBatch(b),
};

export function commissionBatch(
  store: Store,
  items: BatchItem<CommissionRequest>[],
  atomic: boolean,
  actor: Actor,
): Promise<BatchResult<CommissionResult>> {
  return runBatch(store, COMMISSION, items, atomic, actor);
}

export function releaseBatch(
  store: Store,
  items: BatchItem<DecommissionRequest>[],
  atomic: boolean,
  actor: Actor,
): Promise<BatchResult<DecommissionResult>> {
  return runBatch(store, RELEASE, items, atomic, actor);
}

/** Rounds of plan-and-write: items whose names were taken, that lost a race or met a newer configuration go again. */
const ROUNDS = 64;

async function runBatch<R, P extends Planned, O extends { status: string }, T>(
  store: Store,
  flow: Flow<R, P, O, T>,
  items: BatchItem<R>[],
  atomic: boolean,
  actor: Actor,
): Promise<BatchResult<T>> {
  if (items.length === 0 || items.length > MAX_BATCH_ITEMS)
    throw invalid(`a batch holds 1 to ${MAX_BATCH_ITEMS} items, got ${items.length}`);
  const slots: Slot<R, T>[] = items.map((item, index) => {
    const s = { index, req: item as R, allocationId: globalThis.crypto.randomUUID(), attempt: 0, conflicts: 0 } as Slot<
      R,
      T
    >;
    try {
      if (item instanceof IpcdError) throw item;
      flow.check(item);
    } catch (e) {
      if (!(e instanceof IpcdError)) throw e;
      s.done = { fault: e };
    }
    return s;
  });
  const run = new Run(hotPathOf(store), flow, slots, actor);
  const failed = atomic ? await run.atomic() : await run.separate();
  // One audit row per refused item, as its single call would leave (the rolled-back rest: none).
  for (const s of slots) {
    if (s.done && 'fault' in s.done) {
      const fault = s.done.fault;
      await auditRefusals(
        store,
        actor,
        flow.operation,
        flow.target(s.req instanceof IpcdError ? ({} as R) : s.req),
        () => Promise.reject(fault),
      ).catch(() => undefined);
    }
  }
  if (failed === undefined) return { results: slots.map((s) => s.done!) };
  const code = (slots[failed].done as { fault: IpcdError }).fault.code;
  const aborted = new IpcdError(
    'BATCH_ABORTED',
    `not written: item ${failed + 1} of this atomic batch was refused (${code}), so nothing of the batch was written`,
  );
  return { results: slots.map((s) => (s.index === failed ? s.done! : { fault: aborted })), failed };
}

class Run<R, P extends Planned, O extends { status: string }, T> {
  private t!: Topology;

  constructor(
    private readonly h: HotPath,
    private readonly flow: Flow<R, P, O, T>,
    private readonly slots: Slot<R, T>[],
    private readonly actor: Actor,
  ) {}

  /** Each item on its own; returns nothing (no item fails the others). */
  async separate(): Promise<undefined> {
    this.t = await this.h.topology.get();
    let nonce = noncePlan(this.actor.principal);
    for (let round = 0; round < ROUNDS; round++) {
      const pending = this.slots.filter((s) => !s.done);
      if (pending.length === 0) return undefined;
      const planned = await this.planAll(pending);
      if (!planned) continue;
      let stale = false;
      let lost = false;
      for (let i = 0; i < planned.length; i += MAX_SEPARATE_PLANS) {
        const chunk = planned.slice(i, i + MAX_SEPARATE_PLANS);
        const out = await this.flow.write(this.h.allocator, {
          nonce,
          atomic: false,
          plans: chunk.map(([, p]) => p.plan),
        });
        nonce = undefined;
        if (out.status === 'REPLAY') throw replay();
        if (out.status !== 'OK') throw new Error(`a separate batch answered ${out.status}`);
        out.results.forEach((o, k) => {
          const [s, p] = chunk[k];
          const v = this.settle(s, p, o);
          stale ||= v === 'stale';
          lost ||= v === 'conflict';
        });
      }
      if (stale) this.t = await this.h.topology.reloadWith(this.h.allocator);
      if (lost) await pause(round);
    }
    for (const s of this.slots) s.done ??= { fault: busy() };
    return undefined;
  }

  /** All items or none; returns the index of the item refused, if one was. */
  async atomic(): Promise<number | undefined> {
    const early = this.slots.find((s) => s.done);
    if (early) return this.refusedAt(early);
    this.t = await this.h.topology.get();
    // The nonce is recorded on its own: a rolled-back batch must not make its message replayable.
    const nonce = noncePlan(this.actor.principal);
    if (nonce && (await this.flow.write(this.h.allocator, { nonce, atomic: false, plans: [] })).status === 'REPLAY')
      throw replay();
    for (let round = 0; round < ROUNDS; round++) {
      const planned = await this.planAll(this.slots);
      if (!planned) continue;
      const refused = this.slots.find((s) => s.done);
      if (refused) return this.refusedAt(refused);
      const plans = planned.map(([, p]) => p.plan);
      const verdict = await this.h.allocator.transaction(async (a) => {
        const out = await this.flow.write(a, { atomic: true, plans });
        if (out.status === 'REPLAY') throw replay();
        const outcomes = out.status === 'OK' ? out.results : [...new Array<undefined>(out.failed), out.result];
        for (let k = 0; k < outcomes.length; k++) {
          const o = outcomes[k];
          if (o === undefined) continue; // carried out, then rolled back with the one that raised
          const [s, p] = planned[k];
          const v = this.settle(s, p, o);
          if (v !== 'ok') return { commit: false, value: { k, v } };
        }
        if (out.status !== 'OK') throw new Error('an aborted batch named no failing plan');
        return { commit: true, value: undefined };
      });
      if (verdict === undefined) return undefined;
      const s = this.slots[verdict.k];
      if (verdict.v === 'refused') return this.refusedAt(s);
      // Results of items before it were rolled back: plan everything again.
      for (const x of this.slots) if (x !== s || verdict.v !== 'exhausted') delete x.done;
      if (verdict.v === 'exhausted') return s.index;
      if (verdict.v === 'stale') this.t = await this.h.topology.reloadWith(this.h.allocator);
      if (verdict.v === 'conflict') await pause(round);
    }
    throw busy();
  }

  /** An atomic batch refused at s: the first refusal is the batch's; the others were not written. */
  private refusedAt(s: Slot<R, T>): number {
    for (const x of this.slots) if (x !== s) delete x.done;
    return s.index;
  }

  /**
   * Plans every slot against the current copy. A refusal made from the copy is kept only once the
   * database confirms the copy is current; otherwise the copy is reloaded and null returned.
   */
  private async planAll(slots: Slot<R, T>[]): Promise<[Slot<R, T>, P][] | null> {
    const planned: [Slot<R, T>, P][] = [];
    const refused: [Slot<R, T>, IpcdError][] = [];
    const names = this.h.names.expect(slots.length);
    try {
      for (const s of slots) {
        try {
          const p = await this.flow.plan(this.h, this.h.allocator, this.t, s, this.actor);
          // The batch records its nonce once, not with every plan.
          delete p.plan.nonce;
          planned.push([s, p]);
        } catch (e) {
          if (!(e instanceof IpcdError)) throw e;
          refused.push([s, e]);
        }
      }
    } finally {
      names();
    }
    if (refused.length > 0) {
      if (await this.h.topology.outdated(this.t)) {
        this.t = await this.h.topology.reloadWith(this.h.allocator);
        return null;
      }
      // An account disabled or changed meanwhile refuses the whole request, as a single call.
      const auth = refused.find(([, e]) => e.code === 'AUTHENTICATION_FAILED');
      if (auth) throw auth[1];
      for (const [s, e] of refused) s.done = { fault: e };
    }
    return planned;
  }

  /** Reads one outcome into its slot: done (ok or refused), or to go again. */
  private settle(
    s: Slot<R, T>,
    p: P,
    o: O | { status: 'CONFLICT' },
  ): 'ok' | 'refused' | 'exhausted' | 'stale' | 'names' | 'conflict' {
    if (o.status === 'CONFLICT') {
      if (++s.conflicts >= MAX_ATTEMPTS) {
        s.done = { fault: busy() };
        return 'refused';
      }
      return 'conflict';
    }
    let r: T | Stale | typeof NAMES_TAKEN;
    try {
      r = this.flow.answer(o as O, p);
    } catch (e) {
      if (!(e instanceof IpcdError)) throw e;
      s.done = { fault: e };
      return 'refused';
    }
    if (r instanceof Stale) {
      this.h.topology.heard(r.version);
      return 'stale';
    }
    if (r === NAMES_TAKEN) {
      if (++s.attempt < this.flow.attempts(s.req)) return 'names';
      s.done = { fault: namesExhausted() };
      return 'exhausted';
    }
    s.done = { ok: r };
    return 'ok';
  }
}

const busy = () =>
  new IpcdError(
    'BUSY',
    'the batch lost races with concurrent requests, or met configuration changes, too often; retry it',
  );
const pause = (round: number) => new Promise((res) => setTimeout(res, Math.random() * 5 * (1 + Math.min(round, 8))));
