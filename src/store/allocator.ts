/**
 * The hot path's store: the configuration snapshot in one query, and each commission or release
 * as one call of a server-side function (migration 1764835200000), committed on its own. Queries
 * go to the driver's pool directly, as named prepared statements: no transaction wrapper, no ORM.
 */
import { Client, DatabaseError, type Pool, type PoolClient, type QueryConfig } from 'pg';
import type {
  Allocator,
  BatchOutcome,
  BatchPlans,
  CommissionItemOutcome,
  CommissionOutcome,
  CommissionPlan,
  ReleaseItemOutcome,
  ReleaseOutcome,
  ReleasePlan,
  TopologySnapshot,
} from '../logic/allocation/allocator-port';
import { IpcdError, StoreConflict } from '../logic/core/errors';
import type { UserRecord } from '../logic/access/port';
import { canonicalAddress, networkFromRow, toAllocation } from './mapping';

const SNAPSHOT = `
  SELECT (SELECT version FROM ipcd_config)::text AS version,
    (SELECT coalesce(json_agg(json_build_object('id', d.id, 'name', d.name, 'description', d.description) ORDER BY d.id), '[]') FROM data_center d) AS dcs,
    (SELECT coalesce(json_agg(n ORDER BY n.id), '[]') FROM network n) AS networks,
    (SELECT coalesce(json_agg(json_build_object('id', z.id, 'name', z.name, 'publishes', z.dns_server IS NOT NULL) ORDER BY z.id), '[]') FROM zone z) AS zones,
    (SELECT coalesce(json_agg(json_build_object('id', r.id, 'prefix', r.prefix::text) ORDER BY r.id), '[]') FROM reverse_zone r) AS reverse,
    (SELECT coalesce(json_agg(json_build_object(
        'id', u.id, 'username', u.username, 'role', u.role, 'tenantId', u.tenant_id, 'passwordHash', u.password_hash,
        'sealedPassword', u.sealed_password, 'disabled', u.disabled,
        'grants', (SELECT coalesce(json_agg(json_build_object('dataCenterId', g.data_center_id, 'tenantId', g.tenant_id) ORDER BY g.id), '[]')
                   FROM user_grant g WHERE g.user_id = u.id)) ORDER BY u.id), '[]') FROM app_user u) AS users`;

export class SqlAllocator implements Allocator {
  private readonly listeners = new Set<(version: bigint) => void>();
  private listener: Client | null = null;
  private closed = false;
  /** Set on the copy pinned() hands out: every statement on this one connection. */
  private pinnedClient: PoolClient | null = null;
  /** Set on the copy transaction() hands out: what changed, told once the transaction commits. */
  private pending: { networkIds: number[]; dnsQueued: boolean }[] | null = null;

  /**
   * committed: told after each write which networks' fill changed and whether DNS changes were
   * queued. listenUrl: where to LISTEN for other processes' configuration changes (PostgreSQL).
   */
  constructor(
    private readonly pool: () => Pool,
    private readonly committed: (networkIds: number[], dnsQueued: boolean) => void,
    private readonly listenUrl: string | undefined,
    /** The store's error handling (conflicts, outages: classifyDbError), around every statement. */
    private readonly guard: <T>(work: () => Promise<T>) => Promise<T>,
  ) {}

  /**
   * One statement on a pooled connection. Not pool.query: that closes the connection on any error,
   * even a unique violation the database reported (and the embedded store has one connection).
   */
  private query(q: QueryConfig): Promise<Record<string, any>[]> {
    return this.guard(() => this.send(q));
  }

  private async send(q: QueryConfig): Promise<Record<string, any>[]> {
    if (this.pinnedClient) return (await this.pinnedClient.query(q)).rows;
    const client = await this.pool().connect();
    let broken: Error | undefined;
    try {
      return (await client.query(q)).rows;
    } catch (e) {
      // A reported SQL error leaves the session usable; anything else (a lost socket) does not.
      if (!(e instanceof DatabaseError)) broken = e as Error;
      throw e;
    } finally {
      client.release(broken);
    }
  }

  async loadSnapshot(): Promise<TopologySnapshot> {
    const rows = await this.query({ name: 'ipcd_snapshot', text: SNAPSHOT });
    const r = rows[0];
    return {
      version: BigInt(r.version),
      dataCenters: r.dcs,
      networks: (r.networks as Record<string, unknown>[]).map(networkFromRow),
      zones: r.zones,
      reverseZones: r.reverse,
      users: r.users as UserRecord[],
    };
  }

  /**
   * Runs fn with an allocator whose statements all use one connection (each still committed on its
   * own), so a reload and the write that follows are not separated by other work queued for the
   * pool: what lets a commission through while management changes arrive back to back.
   */
  async pinned<T>(fn: (a: Allocator) => Promise<T>): Promise<T> {
    if (this.pinnedClient) return fn(this);
    const client = await this.guard(() => this.pool().connect());
    const copy = Object.create(this) as SqlAllocator;
    copy.pinnedClient = client;
    let broken: Error | undefined;
    try {
      return await fn(copy);
    } catch (e) {
      // The logic's refusals and lost races leave the connection as it was.
      if (!(e instanceof DatabaseError) && !(e instanceof StoreConflict) && !(e instanceof IpcdError))
        broken = e as Error;
      throw e;
    } finally {
      client.release(broken);
    }
  }

  async configVersion(): Promise<bigint> {
    const rows = await this.query({ name: 'ipcd_config_version', text: `SELECT version::text AS v FROM ipcd_config` });
    return BigInt(rows[0].v);
  }

  async reserveNameNumbers(zoneId: number, count: number): Promise<bigint> {
    const rows = await this.query({
      name: 'ipcd_name_numbers',
      text: `UPDATE zone SET next_seq = next_seq + $2 WHERE id = $1 RETURNING (next_seq - $2)::text AS first`,
      values: [zoneId, count],
    });
    if (rows.length === 0) throw new StoreConflict(`zone ${zoneId} is gone`);
    return BigInt(rows[0].first);
  }

  async commission(plan: CommissionPlan): Promise<CommissionOutcome> {
    let r: Record<string, unknown>;
    try {
      r = await this.call('ipcd_commission', plan);
    } catch (e) {
      const code = (e as { code?: string }).code;
      if (code === 'IPC01') return { status: 'NAMES_TAKEN' };
      if (code === 'IPC02') return { status: 'NO_ZONE', networkId: Number((e as { detail?: string }).detail) };
      throw e;
    }
    return this.commissionOutcome(r) as CommissionOutcome;
  }

  private commissionOutcome(r: Record<string, unknown>): CommissionItemOutcome {
    switch (r.status) {
      case 'STALE':
        return { status: 'STALE', version: BigInt(r.version as number) };
      case 'REPLAY':
      case 'FULL':
      case 'NAMES_TAKEN':
      case 'CONFLICT':
        return { status: r.status };
      case 'NO_ZONE':
        return { status: 'NO_ZONE', networkId: Number(r.networkId) };
      default: {
        const allocation = toAllocation(r.allocation as Record<string, unknown>);
        if (r.status === 'ISSUED')
          this.changed(allocation.address === null ? [] : [allocation.networkId], Number(r.dns) > 0);
        return {
          status: r.status as 'ISSUED' | 'EXISTING',
          allocation,
          network: networkFromRow(r.network as Record<string, unknown>),
          zone: (r.zone as string | null) ?? null,
        };
      }
    }
  }

  async release(plan: ReleasePlan): Promise<ReleaseOutcome> {
    return this.releaseOutcome(await this.call('ipcd_decommission', plan)) as ReleaseOutcome;
  }

  private releaseOutcome(r: Record<string, unknown>): ReleaseItemOutcome {
    if (r.status === 'STALE') return { status: 'STALE', version: BigInt(r.version as number) };
    if (r.status === 'REPLAY' || r.status === 'ALREADY_RELEASED' || r.status === 'CONFLICT')
      return { status: r.status };
    const rows = r.released as Record<string, string | null>[];
    if (rows.length > 0)
      this.changed(
        [...new Set(rows.filter((x) => x.address !== null).map((x) => Number(x.networkId)))],
        Number(r.dns) > 0,
      );
    const released = rows.map((x) => ({
      allocationId: x.allocationId!,
      network: x.network!,
      serverInstance: x.serverInstance!,
      address: x.address === null ? null : canonicalAddress(x.address),
      fqdn: x.fqdn,
    }));
    return { status: 'OK', matched: r.matched as number, released };
  }

  commissionBatch(batch: BatchPlans<CommissionPlan>): Promise<BatchOutcome<CommissionItemOutcome>> {
    return this.batch('commission', batch, (r) => this.commissionOutcome(r));
  }

  releaseBatch(batch: BatchPlans<ReleasePlan>): Promise<BatchOutcome<ReleaseItemOutcome>> {
    return this.batch('decommission', batch, (r) => this.releaseOutcome(r));
  }

  private async batch<O>(
    fn: 'commission' | 'decommission',
    batch: BatchPlans<object>,
    outcome: (r: Record<string, unknown>) => O,
  ): Promise<BatchOutcome<O>> {
    const rows = await this.query({
      name: 'ipcd_batch',
      text: `SELECT ipcd_batch($1, $2::jsonb) AS r`,
      values: [fn, JSON.stringify(batch)],
    });
    const r = rows[0].r as Record<string, unknown>;
    if (r.status === 'REPLAY') return { status: 'REPLAY' };
    if (r.status === 'ABORTED')
      return { status: 'ABORTED', failed: r.failed as number, result: outcome(r.result as Record<string, unknown>) };
    return { status: 'OK', results: (r.results as Record<string, unknown>[]).map(outcome) };
  }

  async transaction<T>(fn: (a: Allocator) => Promise<{ commit: boolean; value: T }>): Promise<T> {
    if (this.pending) throw new Error('transaction() does not nest');
    const out = await this.pinned(async (pinned): Promise<{ value: T } | { error: unknown }> => {
      const copy = Object.create(pinned) as SqlAllocator;
      copy.pending = [];
      await copy.query({ text: 'BEGIN' });
      let done = false;
      try {
        const { commit, value } = await fn(copy);
        await copy.query({ text: commit ? 'COMMIT' : 'ROLLBACK' });
        done = true;
        if (commit) for (const c of copy.pending) this.committed(c.networkIds, c.dnsQueued);
        return { value };
      } catch (e) {
        // Rolled back, the connection is clean: fn's error is passed on without discarding it
        // (pinned() would). A ROLLBACK that fails throws, and the connection goes.
        if (!done) await copy.query({ text: 'ROLLBACK' });
        return { error: e };
      }
    });
    if ('error' in out) throw out.error;
    return out.value;
  }

  /** Networks whose fill changed and whether DNS changes were queued: told now, or at commit. */
  private changed(networkIds: number[], dnsQueued: boolean): void {
    if (this.pending) this.pending.push({ networkIds, dnsQueued });
    else this.committed(networkIds, dnsQueued);
  }

  /** A lost race reaches the logic as StoreConflict: the store's guard classifies every statement. */
  private async call(fn: 'ipcd_commission' | 'ipcd_decommission', plan: object): Promise<Record<string, unknown>> {
    const rows = await this.query({ name: fn, text: `SELECT ${fn}($1::jsonb) AS r`, values: [JSON.stringify(plan)] });
    return rows[0].r;
  }

  onConfigChange(listener: (version: bigint) => void): () => void {
    this.listeners.add(listener);
    if (this.listenUrl && !this.listener && !this.closed) void this.listen(0);
    return () => this.listeners.delete(listener);
  }

  /** LISTEN on its own connection; reconnects after a loss (the writes' version check covers the gap). */
  private async listen(failures: number): Promise<void> {
    // A client as the pool makes them (a host list follows the primary the same way).
    const pool = this.pool() as Pool & { Client?: typeof Client; options?: object };
    const c =
      pool.Client && pool.options ? new pool.Client(pool.options) : new Client({ connectionString: this.listenUrl });
    this.listener = c;
    const again = () => {
      if (this.listener !== c) return;
      this.listener = null;
      c.removeAllListeners();
      // The dying connection may still report errors: they must not reach the process.
      c.on('error', () => {});
      void c.end().catch(() => {});
      if (!this.closed) setTimeout(() => void this.listen(failures + 1), Math.min(5000, 100 * 2 ** failures)).unref();
    };
    c.on('error', again);
    c.on('end', again);
    c.on('notification', (n) => {
      if (n.channel !== 'ipcd_config' || !n.payload) return;
      const v = BigInt(n.payload);
      for (const l of this.listeners) l(v);
    });
    try {
      await c.connect();
      await c.query('LISTEN ipcd_config');
      failures = 0;
      // A change made while this connection was down is caught by the writes' version check.
    } catch {
      again();
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    const c = this.listener;
    this.listener = null;
    if (c) {
      c.removeAllListeners();
      c.on('error', () => {});
      await c.end().catch(() => {});
    }
  }
}
