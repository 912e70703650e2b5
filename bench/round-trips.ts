/**
 * SQL round trips per CommissionIP and per DecommissionIP, counted by the proxy between the
 * server child and PostgreSQL (pg-proxy.ts) on a warm server: N sequential commissions, then
 * their N decommissions. The server's own background work (the DNS outbox poll, the alert sweep)
 * is measured while idle just before and subtracted at that rate.
 */
import { DC } from './management';
import { diff, type Counts, type PgProxy } from './pg-proxy';
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

export async function countRoundTrips(
  t: Target,
  proxy: PgProxy,
  vlan: number,
  cidr: string,
  o: { n: number; warmup: number; idleMs: number },
): Promise<RoundTrips> {
  const book = new AddressBook().expect(vlan, cidr);
  const client = newClient(t, 1);
  try {
    for (let i = 0; i < o.warmup; i++) await cycle(client, book, vlan, `rt-${process.pid}-warm-${i}`);
    let t0 = performance.now();
    let c0 = proxy.counts();
    await sleep(o.idleMs);
    const idle = diff(c0, proxy.counts());
    const perMs = {
      roundTrips: idle.roundTrips / (performance.now() - t0),
      transactions: idle.transactions / (performance.now() - t0),
    };

    const measure = async (fn: () => Promise<void>): Promise<PerOperation> => {
      t0 = performance.now();
      c0 = proxy.counts();
      await fn();
      const raw = diff(c0, proxy.counts());
      const ms = performance.now() - t0;
      return {
        roundTrips: (raw.roundTrips - perMs.roundTrips * ms) / o.n,
        transactions: (raw.transactions - perMs.transactions * ms) / o.n,
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
