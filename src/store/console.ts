/** SQL for the web console: sessions, the change stamp live views poll, and a network's allocated runs. */
import type { EntityManager } from 'typeorm';
import type { SessionRecord } from '../logic/ports';
import { canonicalAddress } from './mapping';
import { userByName } from './security';

export async function insertSession(m: EntityManager, tokenHash: string, userId: number, csrfToken: string, at: Date): Promise<void> {
  await m.query(`INSERT INTO ui_session (token_hash, user_id, csrf_token, created_at, last_seen_at) VALUES ($1, $2, $3, $4, $4)`, [
    tokenHash,
    userId,
    csrfToken,
    at,
  ]);
}

export async function sessionByTokenHash(m: EntityManager, tokenHash: string): Promise<SessionRecord | null> {
  const rows: { username: string; csrf_token: string; created_at: Date; last_seen_at: Date }[] = await m.query(
    `SELECT u.username, s.csrf_token, s.created_at, s.last_seen_at FROM ui_session s JOIN app_user u ON u.id = s.user_id WHERE s.token_hash = $1`,
    [tokenHash],
  );
  if (rows.length === 0) return null;
  const user = await userByName(m, rows[0].username);
  if (!user) return null;
  return { user, csrfToken: rows[0].csrf_token, createdAt: new Date(rows[0].created_at), lastSeenAt: new Date(rows[0].last_seen_at) };
}

export async function touchSession(m: EntityManager, tokenHash: string, at: Date): Promise<void> {
  await m.query(`UPDATE ui_session SET last_seen_at = $2 WHERE token_hash = $1 AND last_seen_at < $2`, [tokenHash, at]);
}

export async function deleteSession(m: EntityManager, tokenHash: string): Promise<void> {
  await m.query(`DELETE FROM ui_session WHERE token_hash = $1`, [tokenHash]);
}

export async function deleteIdleSessions(m: EntityManager, cutoff: Date): Promise<number> {
  const rows: unknown = await m.query(`DELETE FROM ui_session WHERE last_seen_at < $1 RETURNING 1`, [cutoff]);
  const list = Array.isArray(rows) && rows.length === 2 && Array.isArray(rows[0]) ? rows[0] : (rows as unknown[]);
  return list.length;
}

/**
 * The current snapshot (xmin:xmax:in-progress ids). It moves when a transaction that wrote gets
 * its id and again when it commits, so a poller that sees it unchanged knows no write committed
 * since — in this process or any other on the same database.
 */
export async function changeStamp(m: EntityManager): Promise<string> {
  const [row] = await m.query(`SELECT pg_current_snapshot()::text AS s`);
  return row.s as string;
}

/** Gaps and islands: consecutive addresses share (address - rank), one row per run. */
async function runs(m: EntityManager, source: string, networkId: number): Promise<{ first: string; last: string }[]> {
  const rows: { first: string; last: string }[] = await m.query(
    `SELECT host(min(address)) AS first, host(max(address)) AS last
     FROM (SELECT address, address - (row_number() OVER (ORDER BY address))::bigint AS run FROM (${source}) src) s
     GROUP BY run ORDER BY min(address)`,
    [networkId],
  );
  return rows.map((r) => ({ first: canonicalAddress(r.first), last: canonicalAddress(r.last) }));
}

export const allocatedRanges = (m: EntityManager, networkId: number) =>
  runs(m, `SELECT address FROM allocation WHERE network_id = $1 AND address IS NOT NULL AND address_released_at IS NULL`, networkId);

/** Held addresses whose hold-down has ended are free (the allocator sweeps them lazily). */
export const heldRanges = (m: EntityManager, networkId: number) =>
  runs(m, `SELECT address FROM held_address WHERE network_id = $1 AND until > now()`, networkId);
