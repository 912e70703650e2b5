/**
 * The whole store as the composition root (app, CLI, workers) holds it: every capability port in
 * one transaction, plus the hot path's allocator and the commit signals. Logic modules never take
 * this; each declares the few ports it uses (UnitOfWork<Needs>), and a Store satisfies them all.
 */
import type { UnitOfWork } from '../logic/core/unit-of-work';
import type { Allocator } from '../logic/allocation/allocator-port';
import type { TopologyPort } from '../logic/topology/port';
import type { AccessPort } from '../logic/access/port';
import type { AuditPort } from '../logic/audit/port';
import type { DnsPort, DnsQueueSignal } from '../logic/dns/port';
import type { AlertsPort, NetworkWatch } from '../logic/alerts/port';
import type { ReportsPort } from '../logic/reporting/port';
import type { MaintenancePort } from '../logic/maintenance/port';

/** What `Store.transaction` hands its callback: one object per capability, all in one transaction. */
export interface Ports {
  topology: TopologyPort;
  access: AccessPort;
  audit: AuditPort;
  dns: DnsPort;
  alerts: AlertsPort;
  reports: ReportsPort;
  maintenance: MaintenancePort;
}

export interface Store extends UnitOfWork<Ports>, NetworkWatch, DnsQueueSignal {
  /** The commissioning hot path: versioned configuration snapshot and one-statement writes. */
  readonly allocator: Allocator;
  close(): Promise<void>;
}
