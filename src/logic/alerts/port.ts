/** Network fill, alert state and events, and the webhook deliveries, as stored. */

/** A network's fill as stored: the logic derives assignable, free and percent from it. */
export interface NetworkFillRow {
  networkId: number;
  network: string;
  dataCenter: string;
  dataCenterId: number;
  tenantId: number | null;
  cidr: string;
  gateway: string | null;
  /** Addresses of active allocations. */
  used: bigint;
  /** Free addresses the store could count itself (IPv4 ranges, hold-downs that ended). */
  freeCount: bigint;
  /** Free ranges too large for the store's integers (IPv6), as [first, last] addresses. */
  freeRanges: [string, string][];
  thresholdPercent: number | null;
  alertState: 'normal' | 'high';
}

export interface NewAlertEvent {
  networkId: number;
  network: string;
  dataCenter: string;
  direction: 'up' | 'down';
  percent: number;
  thresholdPercent: number;
  used: bigint;
  assignable: bigint;
  /** 'pending': waits for webhook delivery; 'none': no webhook configured. */
  webhook: 'none' | 'pending';
}

export interface AlertEventRecord extends Omit<NewAlertEvent, 'webhook' | 'networkId'> {
  id: string;
  networkId: number | null;
  at: Date;
  attempts: number;
}

export type AlertDeliveryOutcome = { delivered: true } | { delivered: false; error: string; retryInMs: number | null };

export interface AlertsPort {
  /** Fill of every network, or of one. */
  networkFills(networkId?: number): Promise<NetworkFillRow[]>;
  /** Locks the network's alert state for the transaction and returns it; null when the network is gone. */
  lockAlertState(networkId: number): Promise<'normal' | 'high' | null>;
  setAlertState(networkId: number, state: 'normal' | 'high', percent: number): Promise<void>;
  insertAlertEvent(e: NewAlertEvent): Promise<AlertEventRecord>;
  alertThreshold(networkId: number): Promise<number | null>;
  setAlertThreshold(networkId: number, percent: number | null): Promise<void>;
  /** Claims the oldest due webhook delivery for leaseSeconds (skipping those other processes hold). */
  claimAlertDelivery(leaseSeconds: number): Promise<AlertEventRecord | null>;
  /** Records a delivery attempt: delivered, to be retried after retryInMs, or (null) given up. */
  finishAlertDelivery(id: string, outcome: AlertDeliveryOutcome): Promise<void>;
}

/** Store-level: how full networks are changes with commits (issued, released, moved, resized). */
export interface NetworkWatch {
  /**
   * Calls listener after each committed transaction that changed how full some networks are
   * (addresses issued, released, moved; free space or alert threshold rewritten). Returns an
   * unsubscribe function.
   */
  watchNetworks(listener: (networkIds: number[]) => void): () => void;
}
