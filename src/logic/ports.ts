/**
 * Transitional: the capability ports (src/logic/<domain>/port.ts) joined into one StoreTx while the
 * logic moves onto them. Goes away once every module takes only the ports it uses.
 */
import type { Allocator } from './allocation/allocator-port';
import type { TopologyPort } from './topology/port';
import type { AccessPort } from './access/port';
import type { AuditPort } from './audit/port';
import type { DnsPort } from './dns/port';
import type { AlertsPort } from './alerts/port';
import type { ReportsPort } from './reporting/port';
import type { MaintenancePort } from './maintenance/port';

export type { NewNetwork, NetworkChange, ReservationRecord } from './topology/port';
export type { UserRecord, SessionRecord } from './access/port';
export type { AuditQuery, AuditRow } from './audit/port';
export type { DnsOutboxStats, DnsOutcome, DnsUpdater, DnsTarget, DnsUpdate } from './dns/port';
export type { NetworkFillRow, NewAlertEvent, AlertEventRecord } from './alerts/port';
export type {
  ActiveAllocationFilter,
  ActiveAllocationRow,
  NetworkSearchFilter,
  NetworkSearchRow,
  AllocationSearchFilter,
  AllocationSearchRow,
  UsageDayRow,
} from './reporting/port';
export type { ExportRow } from './maintenance/port';
export type { NetworkFilter } from './core/model';

export type StoreTx = TopologyPort & AccessPort & AuditPort & DnsPort & AlertsPort & ReportsPort & MaintenancePort;

export interface Store {
  /** The commissioning hot path: versioned configuration snapshot and one-statement writes. */
  readonly allocator: Allocator;
  /** Runs fn atomically. Throws StoreConflict (nothing written) when it lost a race. */
  transaction<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T>;
  close(): Promise<void>;
  /**
   * Calls listener after each committed transaction that changed how full some networks are
   * (addresses issued, released, moved; free space or alert threshold rewritten). Returns an
   * unsubscribe function.
   */
  watchNetworks(listener: (networkIds: number[]) => void): () => void;
  /** Calls fn after each commit in this process that queued DNS changes; returns the unsubscribe. */
  onDnsQueued?(fn: () => void): () => void;
}
