/**
 * How full each network is, as the metrics and the alerts see it: `used` counts the addresses
 * issued to active allocations (the figure `ipcd network list` shows), `free` the addresses the
 * allocator can issue right now; reserved and held-down addresses are neither.
 */
import { assignableRanges, parseAddress, parseCidr, rangeSize } from '../core/ip';
import type { UnitOfWork } from '../core/unit-of-work';
import type { AlertsPort, NetworkFillRow } from './port';

/** The ports this module uses. */
type Tx = { alerts: AlertsPort };

export type AlertState = 'normal' | 'high';

export interface NetworkFill {
  networkId: number;
  network: string;
  dataCenter: string;
  dataCenterId: number;
  tenantId: number | null;
  assignable: bigint;
  used: bigint;
  free: bigint;
  /** used / assignable, in percent with two decimals (100 for a network with nothing assignable). */
  percent: number;
  /** The network's own threshold; null: the server's default. */
  thresholdPercent: number | null;
  alertState: AlertState;
}

const value = (address: string) => parseAddress(address)!.value;

export function toFill(r: NetworkFillRow): NetworkFill {
  const cidr = parseCidr(r.cidr);
  const assignable = rangeSize(assignableRanges(cidr, r.gateway === null ? null : value(r.gateway)));
  const free = r.freeCount + r.freeRanges.reduce((sum, [first, last]) => sum + value(last) - value(first) + 1n, 0n);
  return {
    networkId: r.networkId,
    network: r.network,
    dataCenter: r.dataCenter,
    dataCenterId: r.dataCenterId,
    tenantId: r.tenantId,
    assignable,
    used: r.used,
    free,
    percent: percentOf(r.used, assignable),
    thresholdPercent: r.thresholdPercent,
    alertState: r.alertState,
  };
}

export function percentOf(used: bigint, assignable: bigint): number {
  if (assignable === 0n) return 100;
  return Number((used * 10000n) / assignable) / 100;
}

/** Every network's fill (one query; what a metrics scrape reads). */
export function networkFills(store: UnitOfWork<Tx>): Promise<NetworkFill[]> {
  return store.transaction(async (tx) => (await tx.alerts.networkFills()).map(toFill));
}

export async function networkFill(tx: Tx, networkId: number): Promise<NetworkFill | null> {
  const [row] = await tx.alerts.networkFills(networkId);
  return row ? toFill(row) : null;
}
