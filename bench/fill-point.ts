/**
 * Commissioning in a network that already holds N allocations (bulk-filled with SQL by fill.ts
 * while the server was stopped): sequential CommissionIP, then DecommissionIP by address, by
 * name and by serverInstance, and cycles in the small network on another VLAN, all over SOAP.
 */
import type { Family } from '../src/logic/core/ip';
import { DC } from './management';
import { AddressBook, ok } from './replies';
import { msSince, summarize, type Summary } from './stats';
import { newClient, throughputPoint, type Target } from './workloads';

export interface FillPoint {
  family: Family;
  cidr: string;
  filled: number;
  fill: { insertMs: number; vacuumMs: number };
  /** Sequential CommissionIP (address and name). */
  soapCommission: Summary;
  /** Sequential DecommissionIP by address of the addresses just commissioned. */
  soapDecommission: Summary;
  /** DecommissionIP selecting by name (host label) and by serverInstance instead of by address. */
  soapDecommissionByName: Summary;
  soapDecommissionByServerInstance: Summary;
  /** 1-client commission+decommission cycles in the small cycle network while this fill exists. */
  otherNetwork: { commission: Summary; decommission: Summary };
  /** Series that stopped at the time cap before their planned count. */
  capped: string[];
}

export interface FillOptions {
  /** Recorded sequential CommissionIP calls (each then decommissioned by address). */
  ops: number;
  /** Recorded DecommissionIP calls by name and by serverInstance (each). */
  selectorOps: number;
  /** Cycles in the small network on `otherVlan` (`otherCidr`). */
  otherCycles: number;
  otherVlan: number;
  otherCidr: string;
  /** Unrecorded warm-up calls before the commission series. */
  warmup: number;
  /** Upper bound for each timed series, in seconds (at least 10 samples are kept). */
  capSeconds: number;
}

export interface FilledNetwork {
  family: Family;
  cidr: string;
  vlan: number;
  filled: number;
  /** The first address the fill left free: the first CommissionIP must return it. */
  nextAddress: string;
  firstFree: bigint;
  insertMs: number;
  vacuumMs: number;
}

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
let fillSeq = 0;

export async function fillPoint(t: Target, net: FilledNetwork, o: FillOptions): Promise<FillPoint> {
  const id = `${process.pid}-${++fillSeq}`;
  const vlan = net.vlan;
  const book = new AddressBook().expect(vlan, net.cidr, net.firstFree);
  const capped: string[] = [];
  const uncapped = (name: string, r: { samples: number[]; capped: boolean }) => {
    if (r.capped) capped.push(name);
    return r.samples;
  };
  const client = newClient(t, 1);
  try {
    const commissionIP = async (serverInstance: string) => {
      const v = ok(
        await client.call('CommissionIP', {
          dataCenter: DC,
          vlan,
          serverInstance,
          wantName: true,
          addressFamily: `IPv${net.family}`,
        }),
        'CommissionIP',
      );
      book.commissioned(vlan, v, true);
      return v;
    };
    const decommissionIP = async (
      select: { address?: string; name?: string; serverInstance?: string },
      address: string,
    ) => {
      book.releasing(vlan, address);
      book.released(
        vlan,
        address,
        ok(await client.call('DecommissionIP', { dataCenter: DC, vlan, ...select }), 'DecommissionIP'),
      );
    };

    // 1. CommissionIP; the first one must get the first address the fill left free.
    const held: { address: string; name: string }[] = [];
    const commission = await series(
      range(o.warmup + o.ops),
      o.capSeconds,
      async (i) => {
        const v = await commissionIP(`fill-${id}-${i}`);
        if (i === 0 && v.address !== net.nextAddress)
          throw new Error(`the first CommissionIP after the fill gave ${v.address}, expected ${net.nextAddress}`);
        held.push({ address: v.address, name: v.name });
      },
      o.warmup,
    );
    if (commission.capped) capped.push('CommissionIP');
    // 2. … and released again by address.
    const decommission = uncapped(
      'DecommissionIP by address',
      await series(held, o.capSeconds, (h) => decommissionIP({ address: h.address }, h.address), o.warmup),
    );
    // Whatever the cap left held is released untimed, so later points start from the same state.
    for (const h of held.slice(o.warmup + decommission.length)) await decommissionIP({ address: h.address }, h.address);

    // 3. DecommissionIP selecting by name and by serverInstance.
    const byNameHeld: { address: string; name: string }[] = [];
    for (const i of range(o.selectorOps))
      byNameHeld.push((await commissionIP(`fill-byname-${id}-${i}`)) as { address: string; name: string });
    const byName = uncapped(
      'DecommissionIP by name',
      await series(byNameHeld, o.capSeconds, (h) => decommissionIP({ name: h.name }, h.address)),
    );
    const bySiHeld: string[] = [];
    for (const i of range(o.selectorOps)) bySiHeld.push((await commissionIP(`fill-bysi-${id}-${i}`)).address);
    const bySi = uncapped(
      'DecommissionIP by serverInstance',
      await series(range(o.selectorOps), o.capSeconds, (i) =>
        decommissionIP({ serverInstance: `fill-bysi-${id}-${i}` }, bySiHeld[i]),
      ),
    );

    // 4. Cycles in another (small) network on another VLAN while this network is full.
    const otherBook = new AddressBook().expect(o.otherVlan, o.otherCidr);
    const other = await throughputPoint(t, otherBook, 1, () => o.otherVlan, {
      seconds: 0,
      cycles: o.otherCycles,
      warmupSeconds: 0,
    });
    if (Object.keys(other.errors).length)
      throw new Error(`other-network cycles failed: ${JSON.stringify(other.errors)}`);

    return {
      family: net.family,
      cidr: net.cidr,
      filled: net.filled,
      fill: { insertMs: net.insertMs, vacuumMs: net.vacuumMs },
      soapCommission: summarize(commission.samples),
      soapDecommission: summarize(decommission),
      soapDecommissionByName: summarize(byName),
      soapDecommissionByServerInstance: summarize(bySi),
      otherNetwork: { commission: other.commission, decommission: other.decommission },
      capped,
    };
  } finally {
    client.close();
  }
}
