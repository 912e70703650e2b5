/**
 * Batch commissioning (issue 15): addresses/s through CommissionIPBatch / DecommissionIPBatch by
 * batch size, one client, all in one network, against single CommissionIP / DecommissionIP calls
 * for the same number of addresses. Every reply is checked: each item issued (or released), the
 * addresses distinct and inside the network.
 */
import { DC, ZONE, type Management } from './management';
import { ErrorCounts } from './replies';
import { SoapClient } from './soap-client';
import { msSince, summarize, type Summary } from './stats';
import type { Target } from './workloads';

export const BATCH_NETWORK = { name: 'bench-batch', cidr: '10.200.0.0/16', vlan: 600 };

export interface BatchPoint {
  /** 'single' for CommissionIP / DecommissionIP calls, else the batch size. */
  size: number | 'single';
  atomic: boolean;
  addresses: number;
  commissionPerSecond: number;
  releasePerSecond: number;
  /** Per call. */
  commission: Summary;
  release: Summary;
  errors: Record<string, number>;
}

export const addBatchNetwork = (m: Management) => m.addNetwork({ ...BATCH_NETWORK, zone: ZONE });

const first = (cidr: string) => cidr.split('/')[0].split('.').map(Number);
const inNetwork = (a: string) => {
  const [p, q] = first(BATCH_NETWORK.cidr);
  const [x, y] = a.split('.').map(Number);
  return x === p && y === q;
};

let seq = 0;

/** `addresses` addresses commissioned in calls of `size` items, then released the same way. */
export async function batchPoint(
  t: Target,
  size: number | 'single',
  atomic: boolean,
  addresses: number,
): Promise<BatchPoint> {
  const client = new SoapClient(t.url, 1, { credentials: t.credentials });
  const errors = new ErrorCounts();
  const per = size === 'single' ? 1 : size;
  const run = ++seq;
  const item = (k: number) => ({
    dataCenter: DC,
    vlan: BATCH_NETWORK.vlan,
    serverInstance: `batch-${run}-${k}`,
    wantName: true,
  });
  const seen = new Set<string>();
  const times = { commission: [] as number[], release: [] as number[] };
  const calls: number[][] = [];
  for (let k = 0; k < addresses; k += per)
    calls.push(Array.from({ length: Math.min(per, addresses - k) }, (_, i) => k + i));
  try {
    const started = process.hrtime.bigint();
    for (const ks of calls) {
      const t0 = process.hrtime.bigint();
      try {
        const r =
          size === 'single'
            ? await client.call('CommissionIP', item(ks[0]))
            : await client.call('CommissionIPBatch', { atomic: atomic || undefined, CommissionIP: ks.map(item) });
        times.commission.push(msSince(t0));
        if (r.fault) throw Object.assign(new Error(r.fault.message), { code: r.fault.code });
        const got = [...r.raw.matchAll(/<(?:[\w.-]+:)?address>([^<]+)</g)].map((m) => m[1]);
        if (got.length !== ks.length || /<(?:[\w.-]+:)?IpcdFault>/.test(r.raw))
          throw Object.assign(new Error('an item was refused'), { code: 'ITEM_FAULT' });
        for (const a of got) {
          if (!inNetwork(a))
            throw Object.assign(new Error(`${a} is outside ${BATCH_NETWORK.cidr}`), { code: 'OUTSIDE' });
          if (seen.has(a)) throw Object.assign(new Error(`${a} issued twice`), { code: 'DUPLICATE' });
          seen.add(a);
        }
      } catch (e) {
        errors.add(e);
      }
    }
    const commissionSeconds = msSince(started) / 1000;
    const releasedAt = process.hrtime.bigint();
    for (const ks of calls) {
      const t0 = process.hrtime.bigint();
      const release = (k: number) => ({
        dataCenter: DC,
        vlan: BATCH_NETWORK.vlan,
        serverInstance: item(k).serverInstance,
      });
      try {
        const r =
          size === 'single'
            ? await client.call('DecommissionIP', release(ks[0]))
            : await client.call('DecommissionIPBatch', {
                atomic: atomic || undefined,
                DecommissionIP: ks.map(release),
              });
        times.release.push(msSince(t0));
        if (r.fault) throw Object.assign(new Error(r.fault.message), { code: r.fault.code });
        const counts = [...r.raw.matchAll(/<(?:[\w.-]+:)?releasedCount>(\d+)</g)].map((m) => m[1]);
        if (counts.length !== ks.length || counts.some((c) => c !== '1'))
          throw Object.assign(new Error('a release count was not 1'), { code: 'RELEASE_COUNT' });
      } catch (e) {
        errors.add(e);
      }
    }
    const releaseSeconds = msSince(releasedAt) / 1000;
    return {
      size,
      atomic,
      addresses,
      commissionPerSecond: seen.size / commissionSeconds,
      releasePerSecond: addresses / releaseSeconds,
      commission: summarize(times.commission),
      release: summarize(times.release),
      errors: errors.byCode,
    };
  } finally {
    client.close();
  }
}
