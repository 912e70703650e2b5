/**
 * DNS publication as stored: zone settings (forward zones' servers, reverse zones) and the outbox
 * of record changes the worker delivers. Also the transport the worker delivers through.
 */
export type TsigAlgorithm = 'hmac-sha256' | 'hmac-sha384' | 'hmac-sha512';

/** An authoritative server and the TSIG key ipcd signs its updates with; `secret` as stored. */
export interface DnsServer {
  host: string;
  port: number;
  keyName: string;
  algorithm: TsigAlgorithm;
  /** `v1$…` sealed under IPCD_SECRET_KEY, or `plain$<base64>` when no key is configured. */
  secret: string;
  ttl: number;
}

export type DnsZoneKind = 'forward' | 'reverse';
export interface DnsZoneRef {
  kind: DnsZoneKind;
  id: number;
}

export interface DnsZone extends DnsZoneRef {
  /** The zone apex the UPDATE names, e.g. dc1.example.com or 0.10.in-addr.arpa. */
  name: string;
  /** Reverse zones: the prefix whose addresses it holds. */
  prefix: string | null;
  server: DnsServer | null;
}

export type DnsRecordType = 'A' | 'AAAA' | 'PTR';
export type DnsAction = 'add' | 'delete';

export interface DnsRecord {
  zone: DnsZoneRef;
  /** Owner name, lower case, no trailing dot. */
  owner: string;
  rtype: DnsRecordType;
  rdata: string;
}

export interface NewDnsChange extends DnsRecord {
  allocationId: string;
  action: DnsAction;
}

/** An outbox row claimed for delivery. */
export interface DnsChange extends NewDnsChange {
  id: string;
  attempts: number;
  createdAt: Date;
}

export interface Publishable {
  id: string;
  address: string | null;
  name: string | null;
  zoneId: number | null;
}

/** Counts of an allocation's outbox rows by state, and the latest error. */
export interface DnsRowSummary {
  total: number;
  pending: number;
  failed: number;
  skipped: number;
  lastError: string | null;
}

export interface DnsOutboxStats {
  /** Changes not delivered yet (being retried included). */
  pending: number;
  /** When the oldest pending change was queued; null when none is pending. */
  oldestPendingAt: Date | null;
  /** Changes given up until an administrator acts (rejected by the server). */
  failed: number;
}

/** How a delivery attempt ended, as the worker records it. */
export type DnsOutcome =
  | { state: 'done' }
  | { state: 'pending'; error: string; retryInMs: number }
  | { state: 'failed' | 'skipped'; error: string };

export interface DnsPort {
  dnsZone(ref: DnsZoneRef): Promise<DnsZone | null>;
  /** The reverse zone with the longest prefix holding the address, if any. */
  reverseZoneFor(address: string): Promise<DnsZone | null>;
  reverseZoneByPrefix(prefix: string): Promise<DnsZone | null>;
  /** Forward zones (configured or not) and reverse zones. */
  listDnsZones(): Promise<DnsZone[]>;
  setZoneServer(zoneId: number, server: DnsServer | null): Promise<void>;
  insertReverseZone(prefix: string, name: string, server: DnsServer): Promise<DnsZone>;
  updateReverseZone(id: number, server: DnsServer): Promise<void>;
  deleteReverseZone(id: number): Promise<void>;
  /** Active allocations with both a name and an address, by id, for publishing an existing zone. */
  publishableAllocations(q: {
    zoneId?: number;
    prefix?: string;
    afterId?: string;
    limit: number;
  }): Promise<Publishable[]>;

  enqueueDnsChanges(changes: NewDnsChange[]): Promise<void>;
  /** Records of these allocations whose latest queued change is an add (published or on its way). */
  liveDnsRecords(allocationIds: string[]): Promise<(DnsRecord & { allocationId: string })[]>;
  /** Failed changes of the zone go back to pending, and pending ones are due at once. */
  retryDnsChanges(zone: DnsZoneRef): Promise<number>;
  /** Undelivered changes of the zone are dropped as skipped, with the reason. */
  skipDnsChanges(zone: DnsZoneRef, reason: string): Promise<number>;
  /**
   * Claims up to `limit` due changes for `leaseSeconds`: only the oldest pending change of each
   * owner name, and none another worker holds (FOR UPDATE SKIP LOCKED).
   */
  claimDnsChanges(limit: number, leaseSeconds: number, token: string): Promise<DnsChange[]>;
  /** Records an attempt's outcome, unless the claim was lost to another worker. */
  finishDnsChange(id: string, token: string, outcome: DnsOutcome): Promise<void>;
  dnsOutboxStats(): Promise<DnsOutboxStats>;
  /** Forgets delivered changes of released allocations finished before `before`; returns how many. */
  pruneDnsChanges(before: Date, limit: number): Promise<number>;
}

/** Store-level: after each commit in this process that queued DNS changes (absent: poll only). */
export interface DnsQueueSignal {
  /** Calls fn after each such commit; returns the unsubscribe. */
  onDnsQueued?(fn: () => void): () => void;
}

/** Delivers one record change to an authoritative server (RFC 2136 UPDATE with TSIG); throws DnsDeliveryError. */
export interface DnsUpdater {
  send(target: DnsTarget, update: DnsUpdate): Promise<void>;
}

export interface DnsTarget {
  host: string;
  port: number;
  key: { name: string; algorithm: TsigAlgorithm; secret: Buffer };
}

export interface DnsUpdate {
  zone: string;
  owner: string;
  action: DnsAction;
  rtype: DnsRecordType;
  rdata: string;
  ttl: number;
}
