/**
 * The hot path in memory: what ipcd_commission / ipcd_decommission (migration 1764835200000) do,
 * each call one atomic unit. Units run one at a time, so "the lowest free address no other
 * commission holds" is simply the lowest free address.
 */
import type {
  Allocator,
  BatchOutcome,
  BatchPlans,
  CommissionItemOutcome,
  CommissionOutcome,
  CommissionPlan,
  NoncePlan,
  ReleaseItemOutcome,
  ReleaseOutcome,
  ReleasePlan,
  ReleasedRow,
  TopologySnapshot,
} from '../../logic/allocation/allocator-port';
import { formatAddress, parseAddress } from '../../logic/core/ip';
import { reverseName } from '../../logic/dns/dns';
import { StoreConflict } from '../../logic/core/errors';
import { byId, heldKey, type AllocationRow, type MemoryState } from './state';
import { batchUnit, Raised, savepointRunner, type PlanDone } from './batch';
import { allocationOf, appendAllocationAudit, fill, longestHolding, queueDns, unpublish, userRecord } from './records';

export { allocationOf, userRecord };

/** How a unit of work is run: atomically, after the units before it (the store's mutex and journal). */
export interface UnitRunner {
  unit<T>(work: () => T): Promise<T>;
  /** After a committed write: which networks' fill changed, whether DNS changes were queued. */
  committed(networkIds: number[], dnsQueued: boolean): void;
  onConfigChange(listener: (version: bigint) => void): () => void;
}

export class MemoryAllocator implements Allocator {
  /** inTransaction: the copy transaction() hands out, its units already inside the store's one. */
  constructor(
    private readonly s: MemoryState,
    private readonly runner: UnitRunner,
    private readonly inTransaction = false,
  ) {}

  loadSnapshot(): Promise<TopologySnapshot> {
    return this.runner.unit(() => ({
      version: this.s.version,
      dataCenters: this.s.dataCenters.values().sort(byId),
      networks: this.s.networks.values().sort(byId),
      zones: this.s.zones
        .values()
        .sort(byId)
        .map((z) => ({ id: z.id, name: z.name, publishes: z.publishes })),
      reverseZones: this.s.reverseZones.values().sort(byId),
      users: this.s.users
        .values()
        .sort(byId)
        .map((u) => userRecord(this.s, u.id)!),
    }));
  }

  configVersion(): Promise<bigint> {
    return this.runner.unit(() => this.s.version);
  }

  reserveNameNumbers(zoneId: number, count: number): Promise<bigint> {
    return this.runner.unit(() => {
      const z = this.s.zones.get(zoneId);
      if (!z) throw new StoreConflict(`zone ${zoneId} is gone`);
      // next_seq is no configuration change: write around the config flag.
      const changed = this.s.journal.configChanged;
      this.s.zones.put(z.id, { ...z, nextSeq: z.nextSeq + BigInt(count) });
      this.s.journal.configChanged = changed;
      return z.nextSeq;
    });
  }

  /** One connection is all there is: pinning changes nothing. */
  pinned<T>(fn: (a: Allocator) => Promise<T>): Promise<T> {
    return fn(this);
  }

  onConfigChange(listener: (version: bigint) => void): () => void {
    return this.runner.onConfigChange(listener);
  }

  async commission(plan: CommissionPlan): Promise<CommissionOutcome> {
    try {
      const out = await this.runner.unit(() => this.commissionUnit(plan));
      if (out.status === 'ISSUED') this.runner.committed(out.networkIds, out.dns > 0);
      return out.outcome;
    } catch (e) {
      if (e instanceof Raised) return e.outcome as CommissionOutcome;
      throw e;
    }
  }

  private commissionUnit(p: CommissionPlan): {
    status: string;
    outcome: CommissionOutcome;
    networkIds: number[];
    dns: number;
  } {
    const s = this.s;
    const done = (outcome: CommissionOutcome, networkIds: number[] = [], dns = 0) => ({
      status: outcome.status,
      outcome,
      networkIds,
      dns,
    });
    const held = s.allocations.byUnique(
      'instance',
      [p.dataCenterId, p.vlan, p.serverInstance, p.intent].join('\u0000'),
    );
    const stale = this.stale(p.version);
    if (stale !== null) return done({ status: 'STALE', version: stale });
    if (!this.useNonce(p.nonce)) return done({ status: 'REPLAY' });
    if (held) {
      return done({
        status: 'EXISTING',
        allocation: allocationOf(held),
        network: s.network(held.networkId)!,
        zone: held.zoneId === null ? null : (s.zones.get(held.zoneId)?.name ?? null),
      });
    }
    for (const c of p.candidates) {
      let address: string | null = null;
      if (p.wantAddress) {
        address = this.takeAddress(c.networkId, c.holdDown === true);
        if (address === null) continue;
      }
      if (c.noZone) throw new Raised<CommissionOutcome>({ status: 'NO_ZONE', networkId: c.networkId });
      let name: string | null = null;
      if (c.names !== undefined) {
        name = c.names.find((n) => !s.allocations.byUnique('name', [c.zoneId!, n].join('\u0000'))) ?? null;
        if (name === null) throw new Raised<CommissionOutcome>({ status: 'NAMES_TAKEN' });
      }
      const net = s.network(c.networkId);
      if (!net) throw new Error(`network ${c.networkId} does not exist`);
      const row = s.allocations.insert(p.allocationId, {
        id: p.allocationId,
        networkId: c.networkId,
        address,
        zoneId: name === null ? null : c.zoneId!,
        name,
        serverInstance: p.serverInstance,
        source: c.source,
        intent: p.intent,
        requestedDcId: p.dataCenterId,
        requestedVlan: p.vlan,
        tenantId: c.tenantId,
        createdAt: s.now(),
        addressReleasedAt: null,
        nameReleasedAt: null,
        releasedAt: null,
        releaseReason: null,
      });
      const fq = name === null ? null : `${name}.${c.zoneName}`.toLowerCase();
      let dns = 0;
      if (address !== null && fq !== null) {
        if (c.forward) {
          queueDns(this.s, row.id, {
            zoneId: c.zoneId!,
            owner: fq,
            action: 'add',
            rtype: address.includes(':') ? 'AAAA' : 'A',
            rdata: address,
          });
          dns++;
        }
        const rz = longestHolding(c.reverse ?? [], address);
        if (rz !== null) {
          queueDns(this.s, row.id, {
            reverseZoneId: rz,
            owner: reverseName(address),
            action: 'add',
            rtype: 'PTR',
            rdata: fq,
          });
          dns++;
        }
      }
      appendAllocationAudit(
        this.s,
        p.audit,
        row,
        c.tenantId,
        p.dataCenterId,
        p.serverInstance,
        null,
        fill(p.audit.after, { network: net.name, address, fqdn: fq, source: c.source }),
      );
      const outcome: CommissionOutcome = {
        status: 'ISSUED',
        allocation: allocationOf(row),
        network: net,
        zone: c.zoneName ?? null,
      };
      return done(outcome, address === null ? [] : [net.id], dns);
    }
    return done({ status: 'FULL' });
  }

  commissionBatch(batch: BatchPlans<CommissionPlan>): Promise<BatchOutcome<CommissionItemOutcome>> {
    return this.batch(batch, (p) => this.commissionUnit(p));
  }

  releaseBatch(batch: BatchPlans<ReleasePlan>): Promise<BatchOutcome<ReleaseItemOutcome>> {
    return this.batch(batch, (p) => this.releaseUnit(p));
  }

  private async batch<P, O>(
    batch: BatchPlans<P>,
    unit: (p: P) => PlanDone<O>,
  ): Promise<BatchOutcome<O | { status: 'CONFLICT' }>> {
    const { out, done } = await this.runner.unit(() => batchUnit(this.s.journal, (n) => this.useNonce(n), unit, batch));
    for (const d of done) if (d.networkIds.length > 0 || d.dns > 0) this.runner.committed(d.networkIds, d.dns > 0);
    return out;
  }

  /** One unit of work around fn (the mutex held throughout); its writes are told only once committed. */
  async transaction<T>(fn: (a: Allocator) => Promise<{ commit: boolean; value: T }>): Promise<T> {
    if (this.inTransaction) throw new Error('transaction() does not nest');
    const pending: [number[], boolean][] = [];
    const inner = new MemoryAllocator(this.s, savepointRunner(this.s.journal, pending, this.runner), true);
    const rollback = { value: undefined as T | undefined };
    try {
      const value = await this.runner.unit(async () => {
        const r = await fn(inner);
        if (r.commit) return r.value;
        rollback.value = r.value;
        throw rollback;
      });
      for (const [ids, dns] of pending) this.runner.committed(ids, dns);
      return value;
    } catch (e) {
      if (e === rollback) return rollback.value as T;
      throw e;
    }
  }

  async release(plan: ReleasePlan): Promise<ReleaseOutcome> {
    const out = await this.runner.unit(() => this.releaseUnit(plan));
    if (out.outcome.status === 'OK' && out.outcome.released.length > 0)
      this.runner.committed(out.networkIds, out.dns > 0);
    return out.outcome;
  }

  private releaseUnit(p: ReleasePlan): { outcome: ReleaseOutcome; networkIds: number[]; dns: number } {
    const s = this.s;
    const matches = this.matching(p);
    const stale = this.stale(p.version);
    if (stale !== null) return { outcome: { status: 'STALE', version: stale }, networkIds: [], dns: 0 };
    if (!this.useNonce(p.nonce)) return { outcome: { status: 'REPLAY' }, networkIds: [], dns: 0 };
    const released: ReleasedRow[] = [];
    const networkIds = new Set<number>();
    let dns = 0;
    const now = s.now();
    for (const a of matches) {
      const relAddr = p.releaseAddress && a.address !== null && a.addressReleasedAt === null;
      const relName = p.releaseName && a.name !== null && a.nameReleasedAt === null;
      if (!relAddr && !relName) continue;
      const net = s.network(a.networkId)!;
      if (relAddr) {
        const hold = Number(p.holdDown[String(net.id)] ?? 0);
        if (hold > 0)
          s.held.insert(heldKey(net.id, a.address!), {
            networkId: net.id,
            address: a.address!,
            until: new Date(now.getTime() + hold * 1000),
          });
        else s.freeSet(net.id).add(parseAddress(a.address!)!.value);
        networkIds.add(net.id);
      }
      const addressGone = a.address === null || relAddr || a.addressReleasedAt !== null;
      const nameGone = a.name === null || relName || a.nameReleasedAt !== null;
      s.allocations.put(a.id, {
        ...a,
        addressReleasedAt: relAddr ? now : a.addressReleasedAt,
        nameReleasedAt: relName ? now : a.nameReleasedAt,
        releasedAt: addressGone && nameGone ? now : null,
        releaseReason: addressGone && nameGone ? p.reason : null,
      });
      dns += unpublish(this.s, a.id);
      const fq = relName && a.zoneId !== null ? `${a.name}.${s.zones.get(a.zoneId)!.name}` : null;
      const before = fill(p.audit.before, {
        network: net.name,
        address: a.addressReleasedAt === null ? a.address : null,
        name: a.nameReleasedAt === null ? a.name : null,
      });
      const after = fill(p.audit.after, { releasedAddress: relAddr ? a.address : null, releasedFqdn: fq });
      appendAllocationAudit(
        this.s,
        p.audit,
        a,
        a.tenantId ?? net.tenantId,
        p.dataCenterId,
        a.serverInstance,
        before,
        after,
      );
      released.push({
        allocationId: a.id,
        network: net.name,
        serverInstance: a.serverInstance,
        address: relAddr ? a.address : null,
        fqdn: fq,
      });
    }
    if (matches.length === 0 && p.allocationId !== undefined) {
      const x = s.allocations.get(p.allocationId.toLowerCase());
      if (x && x.requestedDcId === p.dataCenterId && x.requestedVlan === p.vlan)
        return { outcome: { status: 'ALREADY_RELEASED' }, networkIds: [], dns: 0 };
    }
    return { outcome: { status: 'OK', matched: matches.length, released }, networkIds: [...networkIds], dns };
  }

  /** Active allocations the plan names, oldest first: requested on the VLAN or living in one of its networks. */
  private matching(p: ReleasePlan): AllocationRow[] {
    const s = this.s;
    const onVlan = new Set(
      s
        .networksOf(p.dataCenterId)
        .filter((n) => n.vlan === p.vlan)
        .map((n) => n.id),
    );
    let found: (AllocationRow | undefined)[];
    const address = p.address === undefined ? undefined : parseAddress(p.address);
    const addressText = address ? formatAddress(address.family, address.value) : undefined;
    if (p.allocationId !== undefined) found = [s.allocations.get(p.allocationId.toLowerCase())];
    else if (p.address !== undefined)
      found =
        addressText === undefined
          ? []
          : s
              .networksOf(p.dataCenterId)
              .map((n) => s.allocations.byUnique('address', [n.id, addressText].join('\u0000')));
    else if (p.name !== undefined)
      found = s.zones.values().map((z) => s.allocations.byUnique('name', [z.id, p.name!].join('\u0000')));
    else found = s.allocations.byGroup('instance', p.serverInstance!);
    const zoneId = p.zone === undefined ? undefined : (s.zones.byUnique('name', p.zone)?.id ?? null);
    return found
      .filter((a): a is AllocationRow => a !== undefined && a.releasedAt === null)
      .filter(
        (a) =>
          (a.requestedDcId === p.dataCenterId && a.requestedVlan === p.vlan) ||
          (a.networkId !== null && onVlan.has(a.networkId)),
      )
      .filter((a) => p.address === undefined || (a.address === addressText && a.addressReleasedAt === null))
      .filter(
        (a) =>
          p.name === undefined ||
          (a.name === p.name && a.nameReleasedAt === null && (zoneId === undefined || a.zoneId === zoneId)),
      )
      .filter((a) => p.serverInstance === undefined || a.serverInstance === p.serverInstance)
      .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  /** The current version when the plan's is not it. */
  private stale(planned: string): bigint | null {
    return BigInt(planned) === this.s.version ? null : this.s.version;
  }

  /** Records the plan's nonce; false when it was seen before (a replay). Forgets a few expired ones. */
  private useNonce(n: NoncePlan | undefined): boolean {
    if (!n) return true;
    const cutoff = new Date(n.cutoff).getTime();
    for (const old of this.s.nonces.oldest(16)) if (old.seenAt.getTime() < cutoff) this.s.nonces.delete(old.nonce);
    if (this.s.nonces.has(n.key)) return false;
    this.s.nonces.insert(n.key, { nonce: n.key, seenAt: this.s.now() });
    return true;
  }

  /** ipcd_take_address: due hold-downs back first (when the network has one), then the lowest free address. */
  private takeAddress(networkId: number, dueHolds: boolean): string | null {
    const s = this.s;
    const net = s.network(networkId);
    if (!net) return null;
    if (dueHolds) {
      const now = s.now().getTime();
      const due = s
        .heldOf(networkId)
        .filter((h) => h.until.getTime() <= now)
        .sort((a, b) => a.until.getTime() - b.until.getTime())
        .slice(0, 64);
      for (const h of due) {
        s.held.delete(heldKey(networkId, h.address));
        s.freeSet(networkId).add(parseAddress(h.address)!.value);
      }
    }
    const a = s.freeSet(networkId).takeLowest();
    return a === null ? null : formatAddress(net.family, a);
  }
}
