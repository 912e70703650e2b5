/**
 * Load from outside: concurrent clients, each its own keep-alive connection to the server
 * child, running commission+decommission cycles (or commissions only) as the orchestrator.
 */
import { DC } from './management';
import { AddressBook, ErrorCounts, ok } from './replies';
import { SoapClient, type Credentials } from './soap-client';
import { msSince, summarize, type Summary } from './stats';
import { perCycle, type CpuSample } from './cpu';

/** Where to send the commissioning calls, and as whom. */
export interface Target {
  url: string;
  credentials: Credentials;
}

/** Outcome of one throughput point (one backend, one number of concurrent clients). */
export interface PointResult {
  clients: number;
  /** VLANs the clients spread over (1: all in one network). */
  networks: number;
  cycles: number;
  seconds: number;
  cyclesPerSecond: number;
  commission: Summary;
  decommission: Summary;
  /** Fault and wrong-reply codes by count; a failed cycle is not counted in `cycles`. */
  errors: Record<string, number>;
  /** CPU ms per cycle of ipcd's processes and its PostgreSQL backends (bench/cpu.ts), where readable. */
  cpuMsPerCycle?: CpuSample;
}

export interface PointOptions {
  /** Run for this long (new cycles stop starting after it)… */
  seconds: number;
  /** …or, when set, exactly this many cycles in total. */
  cycles?: number;
  warmupSeconds: number;
  /** Samples the CPU used so far by the server side (bench/cpu.ts). */
  cpu?: () => Promise<CpuSample | undefined>;
}

export const newClient = (t: Target, sockets: number) => new SoapClient(t.url, sockets, { credentials: t.credentials });

/** CommissionIP (address and name), then DecommissionIP of that address; both replies checked. */
export async function cycle(
  client: SoapClient,
  book: AddressBook,
  vlan: number,
  serverInstance: string,
): Promise<[number, number]> {
  let t = process.hrtime.bigint();
  const c = ok(
    await client.call('CommissionIP', { dataCenter: DC, vlan, serverInstance, wantName: true }),
    'CommissionIP',
  );
  const commissionMs = msSince(t);
  const address = book.commissioned(vlan, c, true);
  book.releasing(vlan, address);
  t = process.hrtime.bigint();
  const d = ok(await client.call('DecommissionIP', { dataCenter: DC, vlan, address }), 'DecommissionIP');
  const decommissionMs = msSince(t);
  book.released(vlan, address, d);
  return [commissionMs, decommissionMs];
}

let runSeq = 0;

/**
 * `clients` workers running cycles back to back; worker w always on VLAN vlanOf(w) (one VLAN for
 * all: one network; a VLAN per worker: the networks do not share a free list).
 */
export async function throughputPoint(
  t: Target,
  book: AddressBook,
  clients: number,
  vlanOf: (worker: number) => number,
  o: PointOptions,
): Promise<PointResult> {
  const client = newClient(t, clients);
  const tag = `b${process.pid}-${++runSeq}`;
  const vlans = new Set(Array.from({ length: clients }, (_, w) => vlanOf(w)));
  const errors = new ErrorCounts(); // the warm-up's count too: a wrong reply is wrong whenever it comes
  try {
    // Warm-up: open the sockets and the pool's connections, let the JIT settle; not timed.
    if (o.warmupSeconds > 0) {
      const until = performance.now() + o.warmupSeconds * 1000;
      await Promise.all(
        Array.from({ length: clients }, async (_, w) => {
          for (let i = 0; performance.now() < until; i++)
            await cycle(client, book, vlanOf(w), `${tag}-warm-${w}-${i}`).catch((e) => errors.add(e));
        }),
      );
    }
    const commissionMs: number[] = [];
    const decommissionMs: number[] = [];
    let started = 0;
    let done = 0;
    const cpu0 = await o.cpu?.();
    const t0 = process.hrtime.bigint();
    const deadline = performance.now() + o.seconds * 1000;
    const more = () => (o.cycles !== undefined ? started < o.cycles : performance.now() < deadline);
    await Promise.all(
      Array.from({ length: clients }, async (_, w) => {
        while (more()) {
          const i = started++;
          try {
            const [c, d] = await cycle(client, book, vlanOf(w), `${tag}-${w}-${i}`);
            commissionMs.push(c);
            decommissionMs.push(d);
            done++;
          } catch (e) {
            errors.add(e);
          }
        }
      }),
    );
    const seconds = msSince(t0) / 1000;
    const cpuMsPerCycle = perCycle(cpu0, await o.cpu?.(), done);
    return {
      clients,
      networks: vlans.size,
      cycles: done,
      seconds,
      cyclesPerSecond: done / seconds,
      commission: summarize(commissionMs),
      decommission: summarize(decommissionMs),
      errors: errors.byCode,
      cpuMsPerCycle,
    };
  } finally {
    client.close();
  }
}

export interface CommissionPointResult {
  clients: number;
  commissions: number;
  seconds: number;
  commissionsPerSecond: number;
  latency: Summary;
  /** True when the time cap ended the series before the planned count. */
  capped: boolean;
  errors: Record<string, number>;
}

/** `clients` workers doing CommissionIP only (new instances, nothing released): `count` in all, or until capSeconds. */
export async function commissionPoint(
  t: Target,
  book: AddressBook,
  vlan: number,
  clients: number,
  o: { count: number; capSeconds: number },
): Promise<CommissionPointResult> {
  const client = newClient(t, clients);
  const tag = `c${process.pid}-${++runSeq}`;
  try {
    const latency: number[] = [];
    const errors = new ErrorCounts();
    let started = 0;
    const t0 = process.hrtime.bigint();
    const deadline = performance.now() + o.capSeconds * 1000;
    await Promise.all(
      Array.from({ length: clients }, async () => {
        while (started < o.count && performance.now() < deadline) {
          const i = started++;
          try {
            const s = process.hrtime.bigint();
            const v = ok(
              await client.call('CommissionIP', {
                dataCenter: DC,
                vlan,
                serverInstance: `${tag}-${i}`,
                wantName: true,
              }),
              'CommissionIP',
            );
            const ms = msSince(s);
            book.commissioned(vlan, v, true);
            latency.push(ms);
          } catch (e) {
            errors.add(e);
          }
        }
      }),
    );
    const seconds = msSince(t0) / 1000;
    return {
      clients,
      commissions: latency.length,
      seconds,
      commissionsPerSecond: latency.length / seconds,
      latency: summarize(latency),
      capped: started < o.count,
      errors: errors.byCode,
    };
  } finally {
    client.close();
  }
}
