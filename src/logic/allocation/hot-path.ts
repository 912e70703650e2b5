/**
 * What commission and decommission share: the per-store cached configuration and name numbers,
 * finding the VLAN, re-validating the caller against the configuration a plan is made from, and
 * the loop that re-plans when the database says the configuration moved on.
 */
import type { Allocator, NoncePlan } from './allocator-port';

/** What the hot path needs of the store: the allocator alone. */
export type HotPathStore = { readonly allocator: Allocator };
import { IpcdError, StoreConflict } from '../core/errors';
import { NameNumbers } from './name-numbers';
import type { DataCenter, Network } from '../core/model';
import type { Principal } from '../access/policy';
import { MAX_ATTEMPTS } from '../core/retry';
import { Topology, TopologyCache } from '../topology/topology-cache';

export interface HotPath {
  allocator: Allocator;
  topology: TopologyCache;
  names: NameNumbers;
}

const contexts = new WeakMap<HotPathStore, HotPath>();

/** One cache per store (per process in production); made on first use. */
export function hotPathOf(store: HotPathStore): HotPath {
  let h = contexts.get(store);
  if (!h) {
    h = {
      allocator: store.allocator,
      topology: new TopologyCache(store.allocator),
      names: new NameNumbers(store.allocator),
    };
    contexts.set(store, h);
  }
  return h;
}

/** Finds the data center and the networks tagged with the VLAN there, or says why not. */
export function resolveVlan(
  t: Topology,
  dataCenter: string | undefined,
  vlan: number,
): { dc: DataCenter; onVlan: Network[] } {
  let dc: DataCenter;
  if (dataCenter !== undefined) {
    const found = t.dataCenterByName(dataCenter);
    if (!found) throw new IpcdError('UNKNOWN_DATA_CENTER', `data center '${dataCenter}' is not known to ipcd`);
    dc = found;
  } else {
    const dcs = t.dataCentersWithVlan(vlan);
    if (dcs.length === 0)
      throw new IpcdError('UNKNOWN_VLAN', `VLAN ${vlan} is not tagged to any network managed by ipcd`);
    if (dcs.length > 1) {
      throw new IpcdError(
        'AMBIGUOUS_VLAN',
        `VLAN ${vlan} exists in data centers ${dcs.map((d) => d.name).join(', ')}: name the dataCenter`,
      );
    }
    dc = dcs[0];
  }
  const onVlan = t.networksOnVlan(dc.id, vlan);
  if (onVlan.length === 0) {
    throw new IpcdError(
      'UNKNOWN_VLAN',
      `VLAN ${vlan} is not tagged to any network managed by ipcd in data center ${dc.name}`,
    );
  }
  return { dc, onVlan };
}

/**
 * The caller as the configuration `t` knows it: an account authenticated against an earlier
 * copy must still exist, be enabled and have the same password; role and grants are t's.
 */
export function currentPrincipal(t: Topology, p: Principal): Principal {
  if (!p.account) return p;
  const u = t.user(p.username);
  if (!u || u.disabled || u.id !== p.account.id || u.passwordHash !== p.account.passwordHash) {
    // Thrown from the cached copy: withCurrentTopology confirms it against the database first.
    throw new IpcdError('AUTHENTICATION_FAILED', 'the user name or password is not accepted');
  }
  return { ...p, role: u.role, tenantId: u.tenantId, grants: u.grants };
}

/** A write's answer that the configuration moved on to `version`. */
export class Stale {
  constructor(readonly version: bigint) {}
}

/** The plan's nonce, when the caller was authenticated from memory with one. */
export function noncePlan(p: Principal): NoncePlan | undefined {
  return p.replayGuard && { key: p.replayGuard.key, cutoff: p.replayGuard.cutoff.toISOString() };
}

export const replay = () =>
  new IpcdError('AUTHENTICATION_FAILED', 'the UsernameToken nonce was used before: the message is a replay');

/** How often a plan is made again because the configuration changed under it. */
const PLAN_ATTEMPTS = 20;

/**
 * Runs plan-and-write until the write was made from the current configuration. A refusal made
 * from the cached copy is only sent once the database confirms that copy is current.
 */
export async function withCurrentTopology<T>(
  h: HotPath,
  attempt: (t: Topology, a: Allocator) => Promise<T | Stale>,
): Promise<T> {
  let conflicts = 0;
  let stale = false;
  for (let i = 0; i < PLAN_ATTEMPTS; i++) {
    // After a STALE answer the reload and the write share one connection: on a busy pool (the
    // embedded store has one connection) queued management work cannot slip in between them.
    let planned: Topology | undefined;
    const run = async (a: Allocator) =>
      attempt((planned = await (stale ? h.topology.reloadWith(a) : h.topology.get())), a);
    let r: T | Stale;
    try {
      r = await (stale ? h.allocator.pinned(run) : run(h.allocator));
    } catch (e) {
      if (e instanceof StoreConflict) {
        // Lost a race (a duplicate request, a name taken meanwhile): try again, bounded.
        if (++conflicts >= MAX_ATTEMPTS)
          throw new IpcdError('BUSY', `the request lost a race with concurrent requests ${conflicts} times; retry it`);
        await new Promise((res) => setTimeout(res, Math.random() * 5 * conflicts));
        continue;
      }
      // A refusal made from the cached copy is sent only once the database confirms the copy.
      if (e instanceof IpcdError && planned && (await h.topology.outdated(planned))) {
        stale = true;
        continue;
      }
      throw e;
    }
    if (r instanceof Stale) {
      h.topology.heard(r.version);
      stale = true;
      continue;
    }
    return r;
  }
  throw new IpcdError('BUSY', 'the configuration kept changing while the request was planned; retry it');
}
