/** AlertsPort in memory: network fill, alert state and events, webhook deliveries with leases. */
import { formatAddress } from '../../logic/core/ip';
import type {
  AlertDeliveryOutcome,
  AlertEventRecord,
  AlertsPort,
  NetworkFillRow,
  NewAlertEvent,
} from '../../logic/alerts/port';
import type { MemoryState } from './state';

export interface AlertEventRow extends AlertEventRecord {
  webhook: 'none' | 'pending' | 'delivered' | 'failed';
  nextAttemptAt: Date;
  claimedUntil: Date | null;
  lastError: string | null;
}

const record = ({
  webhook: _w,
  nextAttemptAt: _n,
  claimedUntil: _c,
  lastError: _l,
  ...r
}: AlertEventRow): AlertEventRecord => ({ ...r });

export class MemoryAlerts implements AlertsPort {
  /** Networks whose threshold this unit rewrote (their alert is re-evaluated after commit). */
  readonly touched = new Set<number>();

  constructor(private readonly s: MemoryState) {}

  async networkFills(networkId?: number): Promise<NetworkFillRow[]> {
    const s = this.s;
    const nets =
      networkId === undefined ? s.networks.values() : [s.networks.get(networkId)].filter((n) => n !== undefined);
    const now = s.now().getTime();
    return nets
      .sort((a, b) => a.id - b.id)
      .map((n) => {
        const free = s.freeSet(n.id).list();
        const due = s.heldOf(n.id).filter((h) => h.until.getTime() <= now).length;
        return {
          networkId: n.id,
          network: n.name,
          dataCenter: s.dataCenters.get(n.dataCenterId)!.name,
          dataCenterId: n.dataCenterId,
          tenantId: n.tenantId,
          cidr: n.cidr,
          gateway: n.gateway,
          used: BigInt(
            s.activeAllocations(n.id).filter((a) => a.address !== null && a.addressReleasedAt === null).length,
          ),
          freeCount: (n.family === 4 ? free.reduce((k, r) => k + r.last - r.first + 1n, 0n) : 0n) + BigInt(due),
          freeRanges:
            n.family === 6
              ? free.map((r) => [formatAddress(6, r.first), formatAddress(6, r.last)] as [string, string])
              : [],
          thresholdPercent: s.thresholds.get(n.id)?.percent ?? null,
          alertState: s.alertStates.get(n.id)?.state ?? 'normal',
        };
      });
  }

  async lockAlertState(networkId: number): Promise<'normal' | 'high' | null> {
    if (!this.s.networks.has(networkId)) return null;
    return this.s.alertStates.get(networkId)?.state ?? 'normal';
  }

  async setAlertState(networkId: number, state: 'normal' | 'high', percent: number): Promise<void> {
    if (!this.s.networks.has(networkId)) return;
    this.s.alertStates.put(networkId, { networkId, state, percent, changedAt: this.s.now() });
  }

  async insertAlertEvent(e: NewAlertEvent): Promise<AlertEventRecord> {
    const id = String(this.s.nextId('alert_event'));
    const now = this.s.now();
    const { webhook, ...rest } = e;
    return record(
      this.s.alertEvents.insert(id, {
        ...rest,
        id,
        at: now,
        attempts: 0,
        webhook,
        nextAttemptAt: now,
        claimedUntil: null,
        lastError: null,
      }),
    );
  }

  async alertThreshold(networkId: number): Promise<number | null> {
    return this.s.thresholds.get(networkId)?.percent ?? null;
  }

  async setAlertThreshold(networkId: number, percent: number | null): Promise<void> {
    const n = this.s.networks.get(networkId);
    if (!n) return;
    this.touched.add(networkId);
    // A column of network in SQL: its change is a configuration change too.
    this.s.networks.put(n.id, { ...n });
    if (percent === null) this.s.thresholds.delete(networkId);
    else this.s.thresholds.put(networkId, { networkId, percent });
  }

  async claimAlertDelivery(leaseSeconds: number): Promise<AlertEventRecord | null> {
    const now = this.s.now();
    const due = this.s.alertEvents
      .values()
      .filter(
        (e) => e.webhook === 'pending' && e.nextAttemptAt <= now && (e.claimedUntil === null || e.claimedUntil < now),
      )
      .sort((a, b) => a.nextAttemptAt.getTime() - b.nextAttemptAt.getTime() || Number(a.id) - Number(b.id))[0];
    if (!due) return null;
    return record(
      this.s.alertEvents.put(due.id, {
        ...due,
        attempts: due.attempts + 1,
        claimedUntil: new Date(now.getTime() + leaseSeconds * 1000),
      }),
    );
  }

  async finishAlertDelivery(id: string, outcome: AlertDeliveryOutcome): Promise<void> {
    const e = this.s.alertEvents.get(id);
    if (!e) return;
    const now = this.s.now();
    if (outcome.delivered)
      this.s.alertEvents.put(id, { ...e, webhook: 'delivered', claimedUntil: null, lastError: null });
    else if (outcome.retryInMs === null)
      this.s.alertEvents.put(id, { ...e, webhook: 'failed', claimedUntil: null, lastError: outcome.error });
    else
      this.s.alertEvents.put(id, {
        ...e,
        nextAttemptAt: new Date(now.getTime() + outcome.retryInMs),
        claimedUntil: null,
        lastError: outcome.error,
      });
  }
}
