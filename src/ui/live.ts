/**
 * Live utilization for every open dashboard, in this process and fed by all of them: one poller
 * per process asks the database for its change stamp every 500 ms (a one-row query) and, only
 * when a write committed anywhere — a SOAP call on any ipcd process, the CLI, a management
 * change — reloads every network's counts once and sends each subscriber what changed in the
 * part it may see, as a server-sent event. No in-process events: other processes' writes count.
 */
import type { Response } from 'express';
import { mayRead, systemActor, type Principal } from '../logic/access/policy';
import type { Store } from '../store/store';
import { searchNetworks, tenantTotals, type NetworkView } from '../logic/reporting/search';
import type { Logger } from '../logger';
import { isUnavailable } from '../logic/core/errors';

export interface LiveNetwork {
  id: number;
  used: string;
  assignable: string;
  reserved: string;
  held: string;
  free: string;
  percent: number;
}

interface Subscriber {
  principal: Principal;
  res: Response;
  /** What this subscriber was last sent, per network id. */
  sent: Map<number, string>;
  idsKey: string | null;
  tenantsKey: string;
}

export class UsageFeed {
  private readonly subs = new Set<Subscriber>();
  private timer: NodeJS.Timeout | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private busy = false;
  private stamp: string | null = null;
  private views: NetworkView[] | null = null;
  private loadedAt = 0;

  constructor(
    private readonly store: Store,
    private readonly log: Logger,
    private readonly intervalMs = 500,
    /** Reload at least this often even without a new stamp (belt and braces). */
    private readonly maxQuietMs = 15_000,
  ) {}

  /** Streams usage events to res until it closes; returns the unsubscribe function. */
  subscribe(principal: Principal, res: Response): () => void {
    const sub: Subscriber = { principal, res, sent: new Map(), idsKey: null, tenantsKey: '' };
    this.subs.add(sub);
    if (this.views) this.push(sub, this.views);
    if (!this.timer) {
      this.timer = setInterval(() => void this.tick(), this.intervalMs);
      this.heartbeat = setInterval(() => this.each((s) => s.res.write(': keep-alive\n\n')), 15_000);
    }
    void this.tick();
    return () => this.unsubscribe(sub);
  }

  private unsubscribe(sub: Subscriber): void {
    this.subs.delete(sub);
    if (this.subs.size === 0) this.stop();
  }

  private stop(): void {
    clearInterval(this.timer);
    clearInterval(this.heartbeat);
    this.timer = this.heartbeat = undefined;
    this.views = null;
    this.stamp = null;
  }

  /** Ends every stream (server shutdown: open streams would keep the HTTP server from closing). */
  close(): void {
    this.each((s) => s.res.end());
    this.subs.clear();
    this.stop();
  }

  private each(fn: (s: Subscriber) => void): void {
    for (const s of [...this.subs]) {
      try {
        fn(s);
      } catch {
        this.subs.delete(s);
      }
    }
  }

  private async tick(): Promise<void> {
    if (this.busy || this.subs.size === 0) return;
    this.busy = true;
    try {
      const stamp = await this.store.transaction((tx) => tx.reports.changeStamp());
      if (stamp === this.stamp && this.views && Date.now() - this.loadedAt < this.maxQuietMs) return;
      const views = await allNetworks(this.store);
      this.stamp = stamp;
      this.views = views;
      this.loadedAt = Date.now();
      this.each((s) => this.push(s, views));
    } catch (e) {
      if (!isUnavailable(e)) this.log.warn('console live usage poll failed', { error: String(e) }); // an outage is logged once by the store
    } finally {
      this.busy = false;
    }
  }

  private push(sub: Subscriber, views: NetworkView[]): void {
    const visible = views.filter((v) => mayRead(sub.principal, v.network.dataCenterId, v.network.tenantId));
    const changed: LiveNetwork[] = [];
    for (const v of visible) {
      const n = liveNetwork(v);
      const key = `${n.used}/${n.assignable}/${n.reserved}/${n.held}`;
      if (sub.sent.get(n.id) !== key) {
        sub.sent.set(n.id, key);
        changed.push(n);
      }
    }
    const ids = visible.map((v) => v.network.id).sort((a, b) => a - b);
    const idsKey = ids.join(',');
    const tenants = tenantTotals(visible.filter((v) => v.network.family === 4)).map((t) => ({
      tenant: t.tenant,
      networks: t.networks,
      used: t.used.toString(),
      assignable: t.assignable.toString(),
      percent: t.percent,
    }));
    const tenantsKey = JSON.stringify(tenants);
    const idsChanged = idsKey !== sub.idsKey;
    if (changed.length === 0 && !idsChanged && tenantsKey === sub.tenantsKey) return;
    sub.idsKey = idsKey;
    sub.tenantsKey = tenantsKey;
    sub.res.write(
      `event: usage\ndata: ${JSON.stringify({
        networks: changed,
        ids,
        tenants,
        at: new Date().toISOString(),
      })}\n\n`,
    );
  }
}

export const liveNetwork = (v: NetworkView): LiveNetwork => ({
  id: v.network.id,
  used: v.used.toString(),
  assignable: v.assignable.toString(),
  reserved: v.reserved.toString(),
  held: v.held.toString(),
  free: v.free.toString(),
  percent: v.percent,
});

/** Every network with its counts, by the logic's own search (as the system: each subscriber is filtered after). */
async function allNetworks(store: Store): Promise<NetworkView[]> {
  const out: NetworkView[] = [];
  for (let after: string | undefined; ;) {
    const page = await searchNetworks(store, { pageSize: 1000, after }, systemActor('console'));
    out.push(...page.networks);
    if (!page.nextPage) return out;
    after = page.nextPage;
  }
}
