/**
 * What the commissioning flow needs from storage on its hot path: the configuration as one
 * versioned snapshot, and two atomic writes that carry out a plan the logic made. Each write
 * re-checks the snapshot's version in the database and answers STALE instead of acting on a
 * configuration that changed meanwhile.
 */
import type { Allocation, AllocationSource, DataCenter, Intent, Network, ReleaseReason } from '../core/model';
import type { UserRecord } from '../access/port';

export interface SnapshotZone {
  id: number;
  name: string;
  /** A DNS server is configured: its records are queued for publication. */
  publishes: boolean;
}

export interface TopologySnapshot {
  version: bigint;
  dataCenters: DataCenter[];
  networks: Network[];
  zones: SnapshotZone[];
  /** Reverse zones (each has a server): the longest prefix holding an address gets its PTR. */
  reverseZones: { id: number; prefix: string }[];
  users: UserRecord[];
}

/** The audit row's fixed part; "$key" strings in before/after are filled in by the store. */
export interface AuditTemplate {
  actor: string;
  role: string;
  operation: string;
  requestId: string | null;
  before?: unknown;
  after?: unknown;
}

export interface CandidatePlan {
  networkId: number;
  source: AllocationSource | null;
  /** Tenant the allocation is charged to if it comes from this network. */
  tenantId: number | null;
  /** Names to try in order (the first one not in use is issued); absent: no name. */
  names?: string[];
  zoneId?: number;
  zoneName?: string;
  /** Queue an A/AAAA record in the zone. */
  forward?: boolean;
  /** Reverse zones overlapping the network: the longest prefix holding the address gets a PTR. */
  reverse?: { id: number; prefix: string }[];
  /** A name is wanted but the network has no default zone: an address from it is refused (NO_ZONE). */
  noZone?: boolean;
  /** The network keeps released addresses back: return those whose hold-down ended first. */
  holdDown?: boolean;
}

/** A nonce to record with the write; the write is refused (REPLAY) when it was seen before. */
export interface NoncePlan {
  key: string;
  /** Nonces seen before this are forgotten (ISO time). */
  cutoff: string;
}

export interface CommissionPlan {
  version: string;
  nonce?: NoncePlan;
  allocationId: string;
  dataCenterId: number;
  vlan: number;
  serverInstance: string;
  intent: Intent;
  wantAddress: boolean;
  candidates: CandidatePlan[];
  /** after: "$network", "$address", "$fqdn", "$source" are filled in. */
  audit: AuditTemplate;
}

export type CommissionOutcome =
  | { status: 'STALE'; version: bigint }
  | { status: 'REPLAY' }
  | { status: 'FULL' }
  /** Every name offered was in use: offer others. */
  | { status: 'NAMES_TAKEN' }
  | { status: 'NO_ZONE'; networkId: number }
  | { status: 'ISSUED' | 'EXISTING'; allocation: Allocation; network: Network; zone: string | null };

export interface ReleasePlan {
  version: string;
  nonce?: NoncePlan;
  dataCenterId: number;
  vlan: number;
  allocationId?: string;
  address?: string;
  name?: string;
  zone?: string;
  serverInstance?: string;
  releaseAddress: boolean;
  releaseName: boolean;
  reason: ReleaseReason;
  /** Hold-down seconds of the data center's networks that have one, by network id. */
  holdDown: Record<string, number>;
  /** before: "$network", "$address", "$name"; after: "$releasedAddress", "$releasedFqdn". */
  audit: AuditTemplate;
}

export interface ReleasedRow {
  allocationId: string;
  network: string;
  serverInstance: string;
  address: string | null;
  fqdn: string | null;
}

export type ReleaseOutcome =
  | { status: 'STALE'; version: bigint }
  | { status: 'REPLAY' }
  | { status: 'ALREADY_RELEASED' }
  /** matched: active allocations that fit the request (some may have had nothing left to release). */
  | { status: 'OK'; matched: number; released: ReleasedRow[] };

/** A plan of a batch lost a race (a unique index fired, a serialization failure): plan it again. */
export type Conflict = { status: 'CONFLICT' };
export type CommissionItemOutcome = CommissionOutcome | Conflict;
export type ReleaseItemOutcome = ReleaseOutcome | Conflict;

/**
 * Plans carried out in one call. Not atomic: each on its own (one plan's exception undoes only
 * it), at most MAX_SEPARATE_PLANS. Atomic: inside the caller's transaction, stopping at the
 * first plan that raises (its outcome is then the ABORTED one); which outcome is a refusal is
 * the logic's to say, and it rolls the transaction back.
 */
export interface BatchPlans<P> {
  nonce?: NoncePlan;
  atomic: boolean;
  plans: P[];
}

export type BatchOutcome<O> =
  { status: 'REPLAY' } | { status: 'OK'; results: O[] } | { status: 'ABORTED'; failed: number; result: O };

/** Separate plans per call: each is a subtransaction, and PostgreSQL caches 64 per transaction. */
export const MAX_SEPARATE_PLANS = 50;

export interface Allocator {
  loadSnapshot(): Promise<TopologySnapshot>;
  /** The configuration version now in the database. */
  configVersion(): Promise<bigint>;
  /** Reserves `count` consecutive name numbers of the zone; returns the first. */
  reserveNameNumbers(zoneId: number, count: number): Promise<bigint>;
  commission(plan: CommissionPlan): Promise<CommissionOutcome>;
  release(plan: ReleasePlan): Promise<ReleaseOutcome>;
  commissionBatch(batch: BatchPlans<CommissionPlan>): Promise<BatchOutcome<CommissionItemOutcome>>;
  releaseBatch(batch: BatchPlans<ReleasePlan>): Promise<BatchOutcome<ReleaseItemOutcome>>;
  /**
   * Runs fn with statements on one connection inside one transaction: committed when fn says so,
   * rolled back when it does not or throws.
   */
  transaction<T>(fn: (a: Allocator) => Promise<{ commit: boolean; value: T }>): Promise<T>;
  /** Runs fn with statements on one connection (each committed on its own): a reload and its write back to back. */
  pinned<T>(fn: (a: Allocator) => Promise<T>): Promise<T>;
  /** Calls listener with the new version when any process changes the configuration (best effort). */
  onConfigChange(listener: (version: bigint) => void): () => void;
}
