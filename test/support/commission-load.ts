/**
 * Several SOAP clients commissioning without pause, each a new server instance per success, as
 * orchestrators do: an UNAVAILABLE fault (or no answer) repeats the same instance after a short
 * wait, which commissioning's idempotency makes safe. Records what was acknowledged and every
 * fault with its time, so an outage test can check the gap and that nothing acknowledged is lost.
 * Bounded in calls and stopped by the test.
 */
import { addDataCenter, addNetwork } from '../../src/logic/topology/topology';
import { addUser } from '../../src/logic/access/users';
import { openStore } from '../../src/store/open';
import type { ServerProcess } from './processes';
import { call, type Credentials, type Fields } from './soap';

/** A migrated database with one data center, one network on a VLAN, and an orchestrator granted it. */
export async function seedCommissioning(
  databaseUrl: string,
  o: { dataCenter: string; vlan: number; cidr: string; orchestrator: Credentials },
): Promise<void> {
  const { store } = await openStore({ databaseUrl, poolSize: 2 });
  try {
    await addDataCenter(store, o.dataCenter);
    await addNetwork(store, { name: `${o.dataCenter}-net`, cidr: o.cidr, dataCenter: o.dataCenter, vlan: o.vlan });
    await addUser(store, { ...o.orchestrator, role: 'orchestrator', grants: [{ dataCenter: o.dataCenter }] });
  } finally {
    await store.close();
  }
}

/** An ipcd process's JSON log lines. */
export function logLines(s: ServerProcess): { level: string; message: string; [k: string]: unknown }[] {
  return s
    .output()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l));
}

/** What main.ts logs when the database goes away and when it is back (and nothing else at warn). */
export const OUTAGE_WARNINGS = [
  'database unreachable: requests fault with UNAVAILABLE until it is back',
  'database reachable again',
];

export interface Ack {
  serverInstance: string;
  address: string;
  allocationId: string;
  existing: boolean;
  at: number;
  /** The ipcd endpoint that answered. */
  via: string;
}

export interface LoadFault {
  code: string;
  faultcode: string;
  status: number;
  message: string;
  at: number;
}

export interface LoadResult {
  acked: Ack[];
  faults: LoadFault[];
  /** Calls that got no SOAP answer at all (the ipcd process itself failing). */
  errors: string[];
}

export interface LoadOptions {
  urls: string[];
  clients: number;
  credentials: Credentials;
  prefix: string;
  request: (serverInstance: string) => Fields;
  /** Wait before repeating after UNAVAILABLE or no answer. */
  retryPauseMs?: number;
  maxCallsPerClient?: number;
  callTimeoutMs?: number;
}

export interface Load {
  result: LoadResult;
  /** Resolves once `n` acknowledgements have come in after the call (or rejects after timeoutMs). */
  acksAfterNow(n: number, timeoutMs: number): Promise<void>;
  stop(): Promise<LoadResult>;
}

export function startLoad(o: LoadOptions): Load {
  const result: LoadResult = { acked: [], faults: [], errors: [] };
  let stopped = false;
  const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const client = async (c: number) => {
    let i = 0;
    for (let calls = 0; !stopped && calls < (o.maxCallsPerClient ?? 20_000); calls++) {
      const serverInstance = `${o.prefix}-c${c}-${i}`;
      const url = o.urls[(c + calls) % o.urls.length];
      try {
        const r = await withTimeout(
          call(url, 'CommissionIP', o.request(serverInstance), o.credentials),
          o.callTimeoutMs ?? 20_000,
        );
        if (r.fault) {
          result.faults.push({
            code: r.fault.code,
            faultcode: r.fault.faultcode,
            status: r.status,
            message: r.fault.message,
            at: Date.now(),
          });
          if (r.fault.code === 'UNAVAILABLE') await pause(o.retryPauseMs ?? 50);
          else i++;
          continue;
        }
        result.acked.push({
          serverInstance,
          address: r.values.address,
          allocationId: r.values.allocationId,
          existing: r.values.existing === 'true',
          at: Date.now(),
          via: url,
        });
        i++;
      } catch (e) {
        result.errors.push(`${serverInstance} via ${url}: ${String(e)}`);
        await pause(o.retryPauseMs ?? 50);
      }
    }
  };
  const running = Promise.all(Array.from({ length: o.clients }, (_, c) => client(c)));
  return {
    result,
    async acksAfterNow(n, timeoutMs) {
      const base = result.acked.length;
      const deadline = Date.now() + timeoutMs;
      while (result.acked.length < base + n) {
        if (Date.now() > deadline)
          throw new Error(
            `fewer than ${n} commissions acknowledged within ${timeoutMs} ms (faults so far: ${result.faults.length})`,
          );
        await pause(20);
      }
    },
    async stop() {
      stopped = true;
      await running;
      return result;
    },
  };
}

/** p, or a rejection naming `what` once ms have passed without an answer. */
export function withTimeout<T>(p: Promise<T>, ms: number, what = 'the call'): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>(
    (_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms)),
  );
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

/** The longest time between two consecutive acknowledgements: how long writes stood still. */
export function longestGap(acked: Ack[]): { ms: number; from: number; to: number } {
  const at = acked.map((a) => a.at).sort((a, b) => a - b);
  let best = { ms: 0, from: 0, to: 0 };
  for (let k = 1; k < at.length; k++)
    if (at[k] - at[k - 1] > best.ms) best = { ms: at[k] - at[k - 1], from: at[k - 1], to: at[k] };
  return best;
}
