/**
 * Bulk-fills one network as if `count` addresses had been commissioned: allocation rows for the
 * network's first `count` assignable addresses (with names from its pattern) and free_range rows
 * rewritten to what is left — exactly the state CommissionIP would have produced, without making
 * a million calls. The assignable ranges come from the logic (src/logic/ip.ts), so network,
 * gateway and IPv4 broadcast addresses stay excluded.
 */
import { assignableRanges, formatAddress, parseAddress, parseCidr, type AddressRange } from '../src/logic/ip';
import type { Network } from '../src/logic/model';
import type { TypeormStore } from '../src/store/typeorm-store';

export interface FillResult {
  /** Addresses allocated by the fill. */
  count: number;
  /** The address the next CommissionIP must hand out. */
  nextAddress: string;
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

export async function fillNetwork(store: TypeormStore, network: Network, count: number): Promise<FillResult> {
  if (network.zoneId === null || network.vlan === null) throw new Error('fill networks need a zone and a VLAN');
  const cidr = parseCidr(network.cidr);
  const gateway = network.gateway === null ? null : parseAddress(network.gateway)!.value;
  const { taken, free } = splitRanges(assignableRanges(cidr, gateway), BigInt(count));
  const fmt = (v: bigint) => formatAddress(cidr.family, v);
  const name = patternParts(network.namePattern);

  const t0 = process.hrtime.bigint();
  await store.dataSource.transaction(async (m) => {
    // Bulk load: the rows reference the network, zone and data center just read from the store, so
    // the per-row foreign-key triggers are skipped for this transaction (the indexes are kept).
    await m.query(`SET LOCAL session_replication_role = replica`);
    // allocation.intent arrives with the idempotent-commission migration; fill it when it exists.
    const intent =
      ((await m.query(`SELECT 1 FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = 'allocation' AND column_name = 'intent'`)) as unknown[])
        .length > 0;
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
        network.id, fmt(r.first), network.zoneId, network.dataCenterId, network.vlan,
        String(n - 1n), String(offset), name.prefix, name.suffix, name.width,
      ]);
      offset += n;
    }
    await m.query(`DELETE FROM free_range WHERE network_id = $1`, [network.id]);
    for (const r of free) {
      await m.query(`INSERT INTO free_range (network_id, first_addr, last_addr) VALUES ($1, $2::inet, $3::inet)`, [network.id, fmt(r.first), fmt(r.last)]);
    }
    await m.query(`UPDATE zone SET next_seq = $1 WHERE id = $2`, [String(BigInt(count) + 1n), network.zoneId]);
  });
  const insertMs = Number(process.hrtime.bigint() - t0) / 1e6;

  const t1 = process.hrtime.bigint();
  await store.dataSource.query(`VACUUM ANALYZE allocation`);
  await store.dataSource.query(`VACUUM ANALYZE free_range`);
  await store.dataSource.query(`ANALYZE zone`);
  const vacuumMs = Number(process.hrtime.bigint() - t1) / 1e6;

  if (free.length === 0) throw new Error('the fill left no free address to commission');
  return { count, nextAddress: fmt(free[0].first), insertMs, vacuumMs };
}
