/**
 * Bulk-fills one network as if `count` addresses had been commissioned: allocation rows for the
 * network's first `count` assignable addresses (with names from its pattern) and free_range rows
 * rewritten to what is left — exactly the state CommissionIP would have produced, without making
 * a million calls. The assignable ranges come from src/logic/core/ip.ts (pure address arithmetic), so
 * network, gateway and IPv4 broadcast addresses stay excluded. Plain SQL over any connection: the
 * run's pg Client against a stopped server's database (run.ts), or a store's DataSource (console.ts).
 */
import type { Client } from 'pg';
import { assignableRanges, formatAddress, parseAddress, parseCidr, type AddressRange } from '../src/logic/core/ip';

/** What the fill reads of a network (a src/logic/core/model Network has all of it). */
export interface FillTarget {
  id: number;
  cidr: string;
  gateway: string | null;
  zoneId: number | null;
  vlan: number | null;
  dataCenterId: number;
  namePattern: string;
}

/** Runs SQL and returns the rows; transaction() runs `fn` in one transaction. */
export interface FillDb {
  query(sql: string, params?: unknown[]): Promise<unknown[]>;
  transaction<T>(fn: (q: Pick<FillDb, 'query'>) => Promise<T>): Promise<T>;
}

/** A pg Client as a FillDb (BEGIN/COMMIT around transaction()). */
export function pgFillDb(c: Client): FillDb {
  const query = async (sql: string, params?: unknown[]) => (await c.query(sql, params)).rows as unknown[];
  return {
    query,
    async transaction(fn) {
      await c.query('BEGIN');
      try {
        const r = await fn({ query });
        await c.query('COMMIT');
        return r;
      } catch (e) {
        await c.query('ROLLBACK').catch(() => {});
        throw e;
      }
    },
  };
}

/** The network named `name`, read with SQL from ipcd's schema. */
export async function fillTarget(db: FillDb, name: string): Promise<FillTarget> {
  const rows = (await db.query(
    `SELECT id, cidr::text AS cidr, host(gateway) AS gateway, zone_id, vlan, data_center_id, name_pattern FROM network WHERE name = $1`,
    [name],
  )) as {
    id: number;
    cidr: string;
    gateway: string | null;
    zone_id: number | null;
    vlan: number | null;
    data_center_id: number;
    name_pattern: string;
  }[];
  const r = rows[0];
  if (!r) throw new Error(`network ${name} not found`);
  return {
    id: r.id,
    cidr: r.cidr,
    gateway: r.gateway,
    zoneId: r.zone_id,
    vlan: r.vlan,
    dataCenterId: r.data_center_id,
    namePattern: r.name_pattern,
  };
}

export interface FillResult {
  /** Addresses allocated by the fill. */
  count: number;
  /** The address the next CommissionIP must hand out (and as a number: the fill took all below it). */
  nextAddress: string;
  firstFree: bigint;
  /** Milliseconds for the inserts and the free_range rewrite (one transaction). */
  insertMs: number;
  /** Milliseconds for VACUUM ANALYZE afterwards. */
  vacuumMs: number;
}

/** Splits the assignable ranges into the first `count` addresses and the rest. */
export function splitRanges(ranges: AddressRange[], count: bigint): { taken: AddressRange[]; free: AddressRange[] } {
  const taken: AddressRange[] = [];
  const free: AddressRange[] = [];
  let left = count;
  for (const r of ranges) {
    const size = r.last - r.first + 1n;
    if (left <= 0n) free.push(r);
    else if (left >= size) {
      taken.push(r);
      left -= size;
    } else {
      taken.push({ first: r.first, last: r.first + left - 1n });
      free.push({ first: r.first + left, last: r.last });
      left = 0n;
    }
  }
  if (left > 0n) throw new Error(`the network has fewer than ${count} assignable addresses`);
  return { taken, free };
}

/** A network's name pattern (`vm-{seq:6}`) as its parts, for renderName's result in SQL. */
function patternParts(pattern: string): { prefix: string; width: number; suffix: string } {
  const m = /^(.*)\{seq(?::(\d))?\}(.*)$/.exec(pattern);
  if (!m) throw new Error(`unexpected name pattern ${pattern}`);
  return { prefix: m[1], width: m[2] ? Number(m[2]) : 0, suffix: m[3] };
}

export async function fillNetwork(db: FillDb, network: FillTarget, count: number): Promise<FillResult> {
  if (network.zoneId === null || network.vlan === null) throw new Error('fill networks need a zone and a VLAN');
  const cidr = parseCidr(network.cidr);
  const gateway = network.gateway === null ? null : parseAddress(network.gateway)!.value;
  const { taken, free } = splitRanges(assignableRanges(cidr, gateway), BigInt(count));
  const fmt = (v: bigint) => formatAddress(cidr.family, v);
  const name = patternParts(network.namePattern);

  const t0 = process.hrtime.bigint();
  await db.transaction(async (m) => {
    // Bulk load: the rows reference the network, zone and data center just read from the store, so
    // the per-row foreign-key triggers are skipped for this transaction (the indexes are kept).
    await m.query(`SET LOCAL session_replication_role = replica`);
    // allocation.intent arrives with the idempotent-commission migration; fill it when it exists.
    const intent =
      (
        (await m.query(
          `SELECT 1 FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = 'allocation' AND column_name = 'intent'`,
        )) as unknown[]
      ).length > 0;
    let offset = 0n; // addresses allocated before the current range: seq = offset + g + 1
    for (const r of taken) {
      const n = r.last - r.first + 1n;
      // seq = offset + g + 1; lpad truncates text longer than the width, so never pad below its length.
      const sql = `
        INSERT INTO allocation (network_id, address, zone_id, name, server_instance, source, requested_dc_id, requested_vlan${intent ? ', intent' : ''})
        SELECT $1, $2::inet + g, $3, $8::text || lpad(s.seq, greatest($10::int, length(s.seq)), '0') || $9::text,
               'fill-' || s.seq, 'VLAN', $4, $5${intent ? `, 'IPv${cidr.family}'` : ''}
        FROM generate_series(0::bigint, $6::bigint) AS g, LATERAL (SELECT ($7::bigint + g + 1)::text AS seq) AS s`;
      await m.query(sql, [
        network.id,
        fmt(r.first),
        network.zoneId,
        network.dataCenterId,
        network.vlan,
        String(n - 1n),
        String(offset),
        name.prefix,
        name.suffix,
        name.width,
      ]);
      offset += n;
    }
    await m.query(`DELETE FROM free_range WHERE network_id = $1`, [network.id]);
    for (const r of free) {
      await m.query(`INSERT INTO free_range (network_id, first_addr, last_addr) VALUES ($1, $2::inet, $3::inet)`, [
        network.id,
        fmt(r.first),
        fmt(r.last),
      ]);
    }
    await m.query(`UPDATE zone SET next_seq = $1 WHERE id = $2`, [String(BigInt(count) + 1n), network.zoneId]);
  });
  const insertMs = Number(process.hrtime.bigint() - t0) / 1e6;

  const t1 = process.hrtime.bigint();
  await db.query(`VACUUM ANALYZE allocation`);
  await db.query(`VACUUM ANALYZE free_range`);
  await db.query(`ANALYZE zone`);
  const vacuumMs = Number(process.hrtime.bigint() - t1) / 1e6;

  if (free.length === 0) throw new Error('the fill left no free address to commission');
  return { count, firstFree: free[0].first, nextAddress: fmt(free[0].first), insertMs, vacuumMs };
}
