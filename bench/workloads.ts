/** What is timed: commission+decommission cycles under concurrency, and commissioning in a filled network. */
import { commission } from '../src/logic/commission';
import { decommission } from '../src/logic/decommission';
import { addNetwork, addZone } from '../src/logic/topology';
import type { Family } from '../src/logic/ip';
import type { BenchBackend } from './backend';
import { fillNetwork, type FillResult } from './fill';
import { SoapClient, type Reply } from './soap-client';
import { msSince, summarize, type Summary } from './stats';

export const DC = 'bench-dc';

/** Outcome of one throughput point (one backend, one number of concurrent clients). */
export interface PointResult {
  clients: number;
  cycles: number;
  seconds: number;
  cyclesPerSecond: number;
  commission: Summary;
  decommission: Summary;
  /** Fault codes (or transport errors) by count; a failed cycle is not counted in `cycles`. */
  errors: Record<string, number>;
}

export interface PointOptions {
  /** Run for this long (new cycles stop starting after it)… */
  seconds: number;
  /** …or, when set, exactly this many cycles in total. */
  cycles?: number;
  warmupSeconds: number;
}

const ok = (r: Reply, what: string): Record<string, string> => {
  if (r.fault) throw Object.assign(new Error(`${what}: fault ${r.fault.code}: ${r.fault.message}`), { code: r.fault.code });
  return r.values;
};

/**
 * One cycle: CommissionIP (address and name) then DecommissionIP of that address (address and
 * name released), both through SOAP. Returns the two latencies in ms.
 */
async function cycle(client: SoapClient, vlan: number, serverInstance: string): Promise<[number, number]> {
  let t = process.hrtime.bigint();
  const c = ok(await client.call('CommissionIP', { dataCenter: DC, vlan, serverInstance, wantName: true }), 'CommissionIP');
  const commissionMs = msSince(t);
  if (!c.address || !c.name) throw new Error(`CommissionIP returned no address or name: ${JSON.stringify(c)}`);
  t = process.hrtime.bigint();
  const d = ok(await client.call('DecommissionIP', { dataCenter: DC, vlan, address: c.address }), 'DecommissionIP');
  const decommissionMs = msSince(t);
  if (d.releasedCount !== '1') throw new Error(`DecommissionIP of ${c.address} released ${d.releasedCount}`);
  return [commissionMs, decommissionMs];
}

let runSeq = 0;

/** `clients` workers, each running cycles back to back over one shared keep-alive agent. */
export async function throughputPoint(b: BenchBackend, vlan: number, clients: number, o: PointOptions): Promise<PointResult> {
  const client = new SoapClient(b.url, clients);
  const tag = `b${++runSeq}`;
  try {
    // Warm-up: open the sockets and the pool's connections, let the JIT settle; not recorded.
    if (o.warmupSeconds > 0) {
      const until = performance.now() + o.warmupSeconds * 1000;
      await Promise.all(
        Array.from({ length: clients }, async (_, w) => {
          for (let i = 0; performance.now() < until; i++) await cycle(client, vlan, `${tag}-warm-${w}-${i}`);
        }),
      );
    }
    const commissionMs: number[] = [];
    const decommissionMs: number[] = [];
    const errors: Record<string, number> = {};
    let started = 0;
    let done = 0;
    const t0 = process.hrtime.bigint();
    const deadline = performance.now() + o.seconds * 1000;
    const more = () => (o.cycles !== undefined ? started < o.cycles : performance.now() < deadline);
    await Promise.all(
      Array.from({ length: clients }, async (_, w) => {
        while (more()) {
          const i = started++;
          try {
            const [c, d] = await cycle(client, vlan, `${tag}-${clients}-${w}-${i}`);
            commissionMs.push(c);
            decommissionMs.push(d);
            done++;
          } catch (e) {
            const code = (e as { code?: string }).code ?? (e as Error).message.slice(0, 80);
            errors[code] = (errors[code] ?? 0) + 1;
            if (Object.values(errors).reduce((s, n) => s + n, 0) > 100) throw new Error(`too many errors: ${JSON.stringify(errors)}`);
          }
        }
      }),
    );
    const seconds = msSince(t0) / 1000;
    return {
      clients,
      cycles: done,
      seconds,
      cyclesPerSecond: done / seconds,
      commission: summarize(commissionMs),
      decommission: summarize(decommissionMs),
      errors,
    };
  } finally {
    client.close();
  }
}

/** Commission (and decommission) latency in one network with `filled` addresses already allocated. */
export interface FillPoint {
  family: Family;
  cidr: string;
  filled: number;
  fill: Pick<FillResult, 'insertMs' | 'vacuumMs'>;
  /** Sequential CommissionIP (address and name) over SOAP. */
  soapCommission: Summary;
  /** Sequential DecommissionIP by address over SOAP, of the addresses just commissioned. */
  soapDecommission: Summary;
  /** The same through the logic functions directly (no HTTP, XML or node-soap): the store's share. */
  directCommission: Summary;
  directDecommission: Summary;
  /** DecommissionIP selecting by name (host label) and by serverInstance instead of by address. */
  soapDecommissionByName: Summary;
  soapDecommissionByServerInstance: Summary;
  /** 1-client commission+decommission cycles in the small cycle network while this fill exists. */
  otherNetwork: { commission: Summary; decommission: Summary };
  /** Series that stopped at the time cap before their planned count. */
  capped: string[];
}

export interface FillOptions {
  /** Recorded sequential CommissionIP calls over SOAP (each then decommissioned by address). */
  ops: number;
  /** Recorded direct commission() calls. */
  directOps: number;
  /** Recorded DecommissionIP calls by name and by serverInstance (each). */
  selectorOps: number;
  /** Cycles in the small network on `otherVlan`. */
  otherCycles: number;
  otherVlan: number;
  /** Unrecorded warm-up calls before each commission series. */
  warmup: number;
  /** Upper bound for each decommission series, in seconds. */
  capSeconds: number;
}

let fillSeq = 0;

/** Runs `fn` for each item in order, timing it; stops early (keeping ≥ 10 samples) after capSeconds. */
async function series<T>(items: T[], capSeconds: number, fn: (item: T, i: number) => Promise<unknown>, skip = 0) {
  const samples: number[] = [];
  const until = performance.now() + capSeconds * 1000;
  let capped = false;
  for (let i = 0; i < items.length; i++) {
    if (performance.now() > until && samples.length >= 10) {
      capped = true;
      break;
    }
    const t = process.hrtime.bigint();
    await fn(items[i], i);
    if (i >= skip) samples.push(msSince(t));
  }
  return { samples, capped };
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

export async function fillPoint(
  b: BenchBackend,
  spec: { family: Family; cidr: string; vlan: number },
  filled: number,
  o: FillOptions,
): Promise<FillPoint> {
  const id = ++fillSeq;
  const zone = `fill${id}.bench.test`;
  await addZone(b.store, zone);
  const network = await addNetwork(b.store, { name: `fill-${id}-v${spec.family}-${filled}`, cidr: spec.cidr, dataCenter: DC, vlan: spec.vlan, zone });
  const fill = await fillNetwork(b.store, network, filled);
  const vlan = spec.vlan;
  const capped: string[] = [];
  const uncapped = (name: string, r: { samples: number[]; capped: boolean }) => {
    if (r.capped) capped.push(name);
    return r.samples;
  };

  const client = new SoapClient(b.url, 1);
  try {
    const soapCommissionIP = async (serverInstance: string) =>
      ok(
        await client.call('CommissionIP', { dataCenter: DC, vlan, serverInstance, wantName: true, addressFamily: `IPv${spec.family}` }),
        'CommissionIP',
      );
    const soapDecommissionIP = async (select: { address?: string; name?: string; serverInstance?: string }) => {
      const v = ok(await client.call('DecommissionIP', { dataCenter: DC, vlan, ...select }), 'DecommissionIP');
      if (v.releasedCount !== '1') throw new Error(`DecommissionIP of ${JSON.stringify(select)} released ${v.releasedCount}`);
    };

    // 1. CommissionIP over SOAP; the first one must get the first address the fill left free.
    const soapAddresses: string[] = [];
    const soapCommission = await series(range(o.warmup + o.ops), Infinity, async (i) => {
      const v = await soapCommissionIP(`fill-soap-${id}-${i}`);
      if (i === 0 && v.address !== fill.nextAddress) throw new Error(`the first CommissionIP after the fill gave ${v.address}, expected ${fill.nextAddress}`);
      soapAddresses.push(v.address);
    }, o.warmup);
    // 2. … and released again by address.
    const soapDecommission = uncapped('DecommissionIP by address', await series(soapAddresses, o.capSeconds, (address) => soapDecommissionIP({ address }), o.warmup));

    // 3. The same through the logic. Released addresses are single-address free ranges now and are
    //    taken first: the same index path as taking from the big range.
    const directAddresses: string[] = [];
    const directCommission = await series(range(o.warmup + o.directOps), Infinity, async (i) => {
      const r = await commission(b.store, { dataCenter: DC, vlan, serverInstance: `fill-direct-${id}-${i}`, wantAddress: true, wantName: true, family: spec.family });
      directAddresses.push(r.address!);
    }, o.warmup);
    const directDecommission = uncapped('decommission() by address', await series(directAddresses, o.capSeconds, async (address) => {
      const r = await decommission(b.store, { dataCenter: DC, vlan, address, releaseAddress: true, releaseName: true });
      if (r.length !== 1) throw new Error(`decommission of ${address} released ${r.length}`);
    }, o.warmup));

    // 4. DecommissionIP selecting by name and by serverInstance.
    const names: string[] = [];
    for (const i of range(o.selectorOps)) names.push((await soapCommissionIP(`fill-byname-${id}-${i}`)).name);
    const byName = uncapped('DecommissionIP by name', await series(names, o.capSeconds, (name) => soapDecommissionIP({ name })));
    for (const i of range(o.selectorOps)) await soapCommissionIP(`fill-bysi-${id}-${i}`);
    const bySi = uncapped(
      'DecommissionIP by serverInstance',
      await series(range(o.selectorOps), o.capSeconds, (i) => soapDecommissionIP({ serverInstance: `fill-bysi-${id}-${i}` })),
    );

    // 5. Cycles in another (small) network on another VLAN while this network is full.
    const other = await throughputPoint(b, o.otherVlan, 1, { seconds: 0, cycles: o.otherCycles, warmupSeconds: 0 });

    return {
      family: spec.family,
      cidr: spec.cidr,
      filled,
      fill: { insertMs: fill.insertMs, vacuumMs: fill.vacuumMs },
      soapCommission: summarize(soapCommission.samples),
      soapDecommission: summarize(soapDecommission),
      directCommission: summarize(directCommission.samples),
      directDecommission: summarize(directDecommission),
      soapDecommissionByName: summarize(byName),
      soapDecommissionByServerInstance: summarize(bySi),
      otherNetwork: { commission: other.commission, decommission: other.decommission },
      capped,
    };
  } finally {
    client.close();
  }
}
