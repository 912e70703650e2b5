/** DNS zone settings and the outbox of record changes (queued in the issuing transaction, claimed by workers). */
import type {
  DnsChange,
  DnsOutboxStats,
  DnsOutcome,
  DnsPort,
  DnsRecord,
  DnsRowSummary,
  DnsServer,
  DnsZone,
  DnsZoneRef,
  NewDnsChange,
  Publishable,
  TsigAlgorithm,
} from '../logic/dns/port';
import { parseServer, formatServer } from '../logic/dns/dns';
import { canonicalAddress } from './mapping';
import { Query, type Row, type Sql } from './sql';

function serverOf(r: Record<string, unknown>): DnsServer | null {
  if (r.dns_server === null || r.dns_server === undefined) return null;
  return {
    ...parseServer(r.dns_server),
    keyName: r.dns_key_name as string,
    algorithm: r.dns_key_algorithm as TsigAlgorithm,
    secret: r.dns_key_secret as string,
    ttl: r.dns_ttl as number,
  };
}

const forwardZone = (r: Record<string, unknown>): DnsZone => ({
  kind: 'forward',
  id: r.id as number,
  name: r.name as string,
  prefix: null,
  server: serverOf(r),
});

const reverseZone = (r: Record<string, unknown>): DnsZone => ({
  kind: 'reverse',
  id: r.id as number,
  name: r.name as string,
  prefix: r.prefix as string,
  server: serverOf(r),
});

const ZONE_COLUMNS = 'id, name, dns_server, dns_key_name, dns_key_algorithm, dns_key_secret, dns_ttl';

const REVERSE_COLUMNS = `${ZONE_COLUMNS}, prefix::text AS prefix`;

const serverParams = (s: DnsServer | null) =>
  s === null ? [null, null, null, null, 300] : [formatServer(s), s.keyName, s.algorithm, s.secret, s.ttl];

const zoneRefOf = (r: Record<string, unknown>): DnsZoneRef =>
  r.zone_id !== null
    ? { kind: 'forward', id: r.zone_id as number }
    : { kind: 'reverse', id: r.reverse_zone_id as number };

const zoneColumn = (ref: DnsZoneRef) => (ref.kind === 'forward' ? 'zone_id' : 'reverse_zone_id');

/** SQL for the per-allocation summary a listing shows (joined LATERAL as `d`). */
export const DNS_SUMMARY_JOIN = `LEFT JOIN LATERAL (
    SELECT count(*)::int AS total,
           count(*) FILTER (WHERE state = 'pending')::int AS pending,
           count(*) FILTER (WHERE state = 'failed')::int AS failed,
           count(*) FILTER (WHERE state = 'skipped')::int AS skipped,
           (array_agg(last_error ORDER BY id DESC) FILTER (WHERE last_error IS NOT NULL AND state <> 'done'))[1] AS last_error
    FROM dns_outbox o WHERE o.allocation_id = a.id
  ) d ON true`;

export const toDnsSummary = (r: Record<string, unknown>): DnsRowSummary => ({
  total: Number(r.total ?? 0),
  pending: Number(r.pending ?? 0),
  failed: Number(r.failed ?? 0),
  skipped: Number(r.skipped ?? 0),
  lastError: (r.last_error as string | null) ?? null,
});

export class SqlDns implements DnsPort {
  constructor(private readonly db: Sql) {}

  async dnsZone(ref: DnsZoneRef): Promise<DnsZone | null> {
    if (ref.kind === 'forward') {
      const rows: Record<string, unknown>[] = await this.db.rows(`SELECT ${ZONE_COLUMNS} FROM zone WHERE id = $1`, [
        ref.id,
      ]);
      return rows.length ? forwardZone(rows[0]) : null;
    }
    const rows: Record<string, unknown>[] = await this.db.rows(
      `SELECT ${REVERSE_COLUMNS} FROM reverse_zone WHERE id = $1`,
      [ref.id],
    );
    return rows.length ? reverseZone(rows[0]) : null;
  }

  async reverseZoneFor(address: string): Promise<DnsZone | null> {
    const rows: Record<string, unknown>[] = await this.db.rows(
      `SELECT ${REVERSE_COLUMNS} FROM reverse_zone WHERE prefix >>= $1::inet ORDER BY masklen(prefix) DESC LIMIT 1`,
      [address],
    );
    return rows.length ? reverseZone(rows[0]) : null;
  }

  async reverseZoneByPrefix(prefix: string): Promise<DnsZone | null> {
    const rows: Record<string, unknown>[] = await this.db.rows(
      `SELECT ${REVERSE_COLUMNS} FROM reverse_zone WHERE prefix = $1::cidr`,
      [prefix],
    );
    return rows.length ? reverseZone(rows[0]) : null;
  }

  async listDnsZones(): Promise<DnsZone[]> {
    const forward: Record<string, unknown>[] = await this.db.rows(`SELECT ${ZONE_COLUMNS} FROM zone ORDER BY name`);
    const reverse: Record<string, unknown>[] = await this.db.rows(
      `SELECT ${REVERSE_COLUMNS} FROM reverse_zone ORDER BY family(prefix), prefix`,
    );
    return [...forward.map(forwardZone), ...reverse.map(reverseZone)];
  }

  async setZoneServer(zoneId: number, server: DnsServer | null): Promise<void> {
    await this.db.rows(
      `UPDATE zone SET dns_server = $2, dns_key_name = $3, dns_key_algorithm = $4, dns_key_secret = $5, dns_ttl = $6 WHERE id = $1`,
      [zoneId, ...serverParams(server)],
    );
  }

  async insertReverseZone(prefix: string, name: string, server: DnsServer): Promise<DnsZone> {
    const rows: Record<string, unknown>[] = await this.db.rows(
      `INSERT INTO reverse_zone (prefix, name, dns_server, dns_key_name, dns_key_algorithm, dns_key_secret, dns_ttl)
       VALUES ($1::cidr, $2, $3, $4, $5, $6, $7) RETURNING ${REVERSE_COLUMNS}`,
      [prefix, name, ...serverParams(server)],
    );
    return reverseZone(rows[0]);
  }

  async updateReverseZone(id: number, server: DnsServer): Promise<void> {
    await this.db.rows(
      `UPDATE reverse_zone SET dns_server = $2, dns_key_name = $3, dns_key_algorithm = $4, dns_key_secret = $5, dns_ttl = $6 WHERE id = $1`,
      [id, ...serverParams(server)],
    );
  }

  async deleteReverseZone(id: number): Promise<void> {
    await this.db.rows(`DELETE FROM reverse_zone WHERE id = $1`, [id]);
  }

  async publishableAllocations(q: {
    zoneId?: number;
    prefix?: string;
    afterId?: string;
    limit: number;
  }): Promise<Publishable[]> {
    const w = new Query(
      [],
      'released_at IS NULL',
      'address IS NOT NULL',
      'address_released_at IS NULL',
      'name IS NOT NULL',
      'name_released_at IS NULL',
    );
    w.eq('zone_id', q.zoneId);
    if (q.prefix !== undefined) w.where(`address <<= ${w.p(q.prefix)}::cidr`);
    if (q.afterId !== undefined) w.where(`id > ${w.p(q.afterId)}::uuid`);
    const rows: Record<string, unknown>[] = await this.db.rows(
      `SELECT id, host(address) AS address, name, zone_id FROM allocation WHERE ${w.sql} ORDER BY id LIMIT ${w.p(q.limit)}`,
      w.params,
    );
    return rows.map((r) => ({
      id: r.id as string,
      address: canonicalAddress(r.address as string),
      name: r.name as string,
      zoneId: r.zone_id as number,
    }));
  }

  async enqueueDnsChanges(changes: NewDnsChange[]): Promise<void> {
    if (changes.length === 0) return;
    this.db.changes.dns();
    // One statement, rows in the given order: ids (and so delivery order per owner) follow it.
    await this.db.rows(
      `INSERT INTO dns_outbox (allocation_id, zone_id, reverse_zone_id, owner, action, rtype, rdata)
       SELECT a::uuid, z, r, o, act, t, d
       FROM unnest($1::text[], $2::int[], $3::int[], $4::text[], $5::text[], $6::text[], $7::text[]) WITH ORDINALITY AS u(a, z, r, o, act, t, d, n)
       ORDER BY n`,
      [
        changes.map((c) => c.allocationId),
        changes.map((c) => (c.zone.kind === 'forward' ? c.zone.id : null)),
        changes.map((c) => (c.zone.kind === 'reverse' ? c.zone.id : null)),
        changes.map((c) => c.owner),
        changes.map((c) => c.action),
        changes.map((c) => c.rtype),
        changes.map((c) => c.rdata),
      ],
    );
  }

  async liveDnsRecords(allocationIds: string[]): Promise<(DnsRecord & { allocationId: string })[]> {
    if (allocationIds.length === 0) return [];
    const rows: Record<string, unknown>[] = await this.db.rows(
      `SELECT * FROM (
         SELECT DISTINCT ON (allocation_id, owner, rtype) allocation_id, zone_id, reverse_zone_id, owner, rtype, rdata, action, id
         FROM dns_outbox WHERE allocation_id = ANY($1::uuid[])
         ORDER BY allocation_id, owner, rtype, id DESC
       ) latest WHERE action = 'add' ORDER BY id`,
      [allocationIds],
    );
    return rows.map((r) => ({
      allocationId: r.allocation_id as string,
      zone: zoneRefOf(r),
      owner: r.owner as string,
      rtype: r.rtype as DnsRecord['rtype'],
      rdata: r.rdata as string,
    }));
  }

  async retryDnsChanges(ref: DnsZoneRef): Promise<number> {
    const rows = await this.db.rows<Row>(
      `UPDATE dns_outbox SET state = 'pending', next_attempt_at = now(), done_at = NULL
         WHERE ${zoneColumn(ref)} = $1 AND state IN ('pending', 'failed') RETURNING id`,
      [ref.id],
    );
    if (rows.length) this.db.changes.dns();
    return rows.length;
  }

  async skipDnsChanges(ref: DnsZoneRef, reason: string): Promise<number> {
    const rows = await this.db.rows<Row>(
      `UPDATE dns_outbox SET state = 'skipped', last_error = $2, done_at = now(), claim_token = NULL, claimed_until = NULL
         WHERE ${zoneColumn(ref)} = $1 AND state IN ('pending', 'failed') RETURNING id`,
      [ref.id, reason],
    );
    return rows.length;
  }

  async claimDnsChanges(limit: number, leaseSeconds: number, token: string): Promise<DnsChange[]> {
    // A change is due when no earlier change of the same owner is still pending (claimed or not):
    // an add and the delete after it for one name are never reordered, nor sent at once.
    const rows = await this.db.rows<Row>(
      `WITH due AS (
           SELECT o.id FROM dns_outbox o
           WHERE o.state = 'pending' AND o.next_attempt_at <= now()
             AND (o.claimed_until IS NULL OR o.claimed_until < now())
             AND NOT EXISTS (SELECT 1 FROM dns_outbox e WHERE e.state = 'pending' AND e.owner = o.owner AND e.id < o.id)
           ORDER BY o.next_attempt_at, o.id
           LIMIT $1
           FOR UPDATE SKIP LOCKED
         )
         UPDATE dns_outbox o SET claim_token = $3::uuid, claimed_until = now() + $2 * interval '1 second'
         FROM due WHERE o.id = due.id
         RETURNING o.*`,
      [limit, leaseSeconds, token],
    );
    return rows
      .map((r) => ({
        id: String(r.id),
        allocationId: r.allocation_id as string,
        zone: zoneRefOf(r),
        owner: r.owner as string,
        action: r.action as DnsChange['action'],
        rtype: r.rtype as DnsChange['rtype'],
        rdata: r.rdata as string,
        attempts: r.attempts as number,
        createdAt: new Date(r.created_at as string),
      }))
      .sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? -1 : 1));
  }

  async finishDnsChange(id: string, token: string, o: DnsOutcome): Promise<void> {
    const pending = o.state === 'pending';
    await this.db.rows(
      `UPDATE dns_outbox SET state = $3, attempts = attempts + 1, last_error = $4,
         next_attempt_at = CASE WHEN $3 = 'pending' THEN now() + $5 * interval '1 millisecond' ELSE next_attempt_at END,
         done_at = CASE WHEN $3 = 'pending' THEN NULL ELSE now() END,
         claim_token = NULL, claimed_until = NULL
       WHERE id = $1 AND claim_token = $2::uuid`,
      [id, token, o.state, o.state === 'done' ? null : o.error, pending ? o.retryInMs : 0],
    );
  }

  async dnsOutboxStats(): Promise<DnsOutboxStats> {
    const [r] = await this.db.rows(
      `SELECT (SELECT count(*) FROM dns_outbox WHERE state = 'pending')::int AS pending,
              (SELECT min(created_at) FROM dns_outbox WHERE state = 'pending') AS oldest,
              (SELECT count(*) FROM dns_outbox WHERE state = 'failed')::int AS failed`,
    );
    return {
      pending: r.pending as number,
      oldestPendingAt: r.oldest === null ? null : new Date(r.oldest as string),
      failed: r.failed as number,
    };
  }

  async pruneDnsChanges(before: Date, limit: number): Promise<number> {
    const rows = await this.db.rows<Row>(
      `DELETE FROM dns_outbox WHERE id IN (
           SELECT o.id FROM dns_outbox o LEFT JOIN allocation a ON a.id = o.allocation_id
           WHERE o.state IN ('done', 'skipped') AND o.done_at < $1 AND (a.id IS NULL OR a.released_at IS NOT NULL)
           LIMIT $2)
         RETURNING id`,
      [before, limit],
    );
    return rows.length;
  }
}
