/**
 * Reconciliation for orchestrators: allocations whose server instance the orchestrator no longer
 * runs (it crashed between CommissionIP and recording the VM, or between deleting the VM and
 * DecommissionIP) are leaked; find them against the list of live instances and release them.
 */
import type { IpcdClient, IssuedAllocation, ReleaseReason, Decommissioned } from './client';
import { IpcdFaultError, IpcdTransportError } from './errors';

/** Live instance ids from text: one per line; blank lines and '#' comments (whole-line, or after whitespace) ignored. */
export function parseLiveList(text: string): string[] {
  const ids = new Set<string>();
  for (const line of text.split(/\r?\n/)) {
    const id = line.replace(/(^|\s)#.*$/, '').trim();
    if (id !== '') ids.add(id);
  }
  return [...ids];
}

export interface LeakQuery {
  dataCenter?: string;
  vlan?: number;
  /** The orchestrator's live server instances (compared after trimming, as the server trims them). */
  live: Iterable<string>;
  /**
   * Skip allocations younger than this (server createdAt against this clock). An instance started
   * after the live list was taken would otherwise look leaked. Default 0.
   */
  minAgeMs?: number;
  now?: Date;
}

export interface LeakReport {
  /** Active allocations matching the data center / VLAN filter. */
  active: number;
  /** Distinct live instance ids given. */
  live: number;
  /** Active allocations of no live instance, oldest first as listed. */
  leaked: IssuedAllocation[];
  /** Allocations of no live instance left out because they are younger than minAgeMs. */
  tooYoung: number;
}

export async function findLeaked(client: IpcdClient, q: LeakQuery): Promise<LeakReport> {
  const live = new Set([...q.live].map((s) => s.trim()).filter((s) => s !== ''));
  const cutoff = (q.now ?? new Date()).getTime() - (q.minAgeMs ?? 0);
  const report: LeakReport = { active: 0, live: live.size, leaked: [], tooYoung: 0 };
  for await (const a of client.allAllocations({ dataCenter: q.dataCenter, vlan: q.vlan, pageSize: 1000 })) {
    report.active++;
    if (live.has(a.serverInstance)) continue;
    if (a.createdAt.getTime() > cutoff) report.tooYoung++;
    else report.leaked.push(a);
  }
  return report;
}

export interface ReleaseOutcome {
  dataCenter: string;
  vlan: number;
  serverInstance: string;
  /** What DecommissionIP released, when it succeeded. */
  result?: Decommissioned;
  error?: IpcdFaultError | IpcdTransportError;
}

/**
 * Releases leaked allocations: one DecommissionIP by serverInstance per (data center, VLAN,
 * instance), which frees everything the instance holds there and is harmless to repeat. Goes on
 * after a failure; each outcome says what happened.
 */
export async function releaseLeaked(
  client: IpcdClient,
  leaked: Iterable<IssuedAllocation>,
  reason: ReleaseReason = 'DELETED',
): Promise<ReleaseOutcome[]> {
  const groups = new Map<string, { dataCenter: string; vlan: number; serverInstance: string }>();
  for (const a of leaked) {
    const key = JSON.stringify([a.dataCenter, a.vlan, a.serverInstance]);
    if (!groups.has(key)) groups.set(key, { dataCenter: a.dataCenter, vlan: a.vlan, serverInstance: a.serverInstance });
  }
  const outcomes: ReleaseOutcome[] = [];
  for (const g of groups.values()) {
    try {
      outcomes.push({ ...g, result: await client.decommission({ ...g, reason }) });
    } catch (e) {
      if (!(e instanceof IpcdFaultError || e instanceof IpcdTransportError)) throw e;
      outcomes.push({ ...g, error: e });
    }
  }
  return outcomes;
}
