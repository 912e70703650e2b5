/**
 * SQL round trips per CommissionIP and per DecommissionIP on a warm server: N sequential
 * commissions, then their N decommissions. PostgreSQL: counted by the proxy between the server
 * child and the database (pg-proxy.ts), from outside. Embedded: PGlite runs inside the server, so
 * there is no wire; the server's own count is read from /metrics (ipcd_db_round_trips_total,
 * ipcd_db_transactions_total), and what a scrape itself costs is measured and taken off. The
 * server's background work (the DNS outbox poll, the alert sweep) is measured while idle just
 * before and subtracted at that rate.
 */
import { DC } from './management';
import { diff, type Counts } from './pg-proxy';
import { AddressBook, ok } from './replies';
import { cycle, newClient, type Target } from './workloads';

export interface PerOperation {
  roundTrips: number;
  transactions: number;
  /** Raw counts over the N calls, before the background was subtracted. */
  raw: Counts;
}

export interface RoundTrips {
  n: number;
  commission: PerOperation;
  decommission: PerOperation;
  /** Background round trips per second while idle. */
  backgroundPerSecond: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Where the counts come from: the proxy (PgProxy) or the server's /metrics (metricsCounter). */
export interface StatementCounter {
  counts(): Counts | Promise<Counts>;
}

/** The server's own statement counts, read from its /metrics. */
export function metricsCounter(base: string): StatementCounter {
  return {
    async counts() {
      const res = await fetch(`${base}/metrics`);
      const text = await res.text();
      if (res.status !== 200) throw new Error(`/metrics answered ${res.status}: ${text.slice(0, 200)}`);
      const value = (name: string) => {
        const m = new RegExp(`^${name} (\\S+)$`, 'm').exec(text);
        if (!m) throw new Error(`/metrics has no ${name}: the server predates it`);
        return Number(m[1]);
      };
      const roundTrips = value('ipcd_db_round_trips_total');
      return { roundTrips, queries: roundTrips, syncs: 0, transactions: value('ipcd_db_transactions_total') };
    },
  };
}

export async function countRoundTrips(
  t: Target,
  counter: StatementCounter,
  vlan: number,
  cidr: string,
  o: { n: number; warmup: number; idleMs: number },
): Promise<RoundTrips> {
  const book = new AddressBook().expect(vlan, cidr);
  const client = newClient(t, 1);
  try {
    for (let i = 0; i < o.warmup; i++) await cycle(client, book, vlan, `rt-${process.pid}-warm-${i}`);
    // What reading the counts costs (0 for the proxy; a scrape's own queries for /metrics).
    const cost = diff(await counter.counts(), await counter.counts());
    let t0 = performance.now();
    let c0 = await counter.counts();
    await sleep(o.idleMs);
    const idle = diff(c0, await counter.counts());
    const idleMs = performance.now() - t0;
    const perMs = {
      roundTrips: Math.max(0, idle.roundTrips - cost.roundTrips) / idleMs,
      transactions: Math.max(0, idle.transactions - cost.transactions) / idleMs,
    };

    const measure = async (fn: () => Promise<void>): Promise<PerOperation> => {
      t0 = performance.now();
      c0 = await counter.counts();
      await fn();
      const raw = diff(c0, await counter.counts());
      const ms = performance.now() - t0;
      return {
        roundTrips: (raw.roundTrips - cost.roundTrips - perMs.roundTrips * ms) / o.n,
        transactions: (raw.transactions - cost.transactions - perMs.transactions * ms) / o.n,
        raw,
      };
    };
    const addresses: string[] = [];
    const commission = await measure(async () => {
      for (let i = 0; i < o.n; i++) {
        const v = ok(
          await client.call('CommissionIP', {
            dataCenter: DC,
            vlan,
            serverInstance: `rt-${process.pid}-${i}`,
            wantName: true,
          }),
          'CommissionIP',
        );
        addresses.push(book.commissioned(vlan, v, true));
      }
    });
    const decommission = await measure(async () => {
      for (const address of addresses) {
        book.releasing(vlan, address);
        book.released(
          vlan,
          address,
          ok(await client.call('DecommissionIP', { dataCenter: DC, vlan, address }), 'DecommissionIP'),
        );
      }
    });
    return { n: o.n, commission, decommission, backgroundPerSecond: perMs.roundTrips * 1000 };
  } finally {
    client.close();
  }
}
