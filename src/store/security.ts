/** SQL for accounts, nonces and the audit trail; TypeormTx delegates here. */
import type { EntityManager } from 'typeorm';
import { scopeTerms } from './management';
import type { Grant } from '../logic/access/policy';
import type { AuditEntry } from '../logic/audit/audit';
import type { AuditQuery, AuditRow, UserRecord } from '../logic/ports';

export async function userByName(m: EntityManager, username: string): Promise<UserRecord | null> {
  const rows: Record<string, unknown>[] = await m.query(`SELECT * FROM app_user WHERE username = $1`, [username]);
  if (rows.length === 0) return null;
  const u = rows[0];
  const grants: { data_center_id: number | null; tenant_id: number | null }[] = await m.query(
    `SELECT data_center_id, tenant_id FROM user_grant WHERE user_id = $1 ORDER BY id`,
    [u.id],
  );
  return {
    id: u.id as number,
    username: u.username as string,
    role: u.role as UserRecord['role'],
    tenantId: u.tenant_id as number | null,
    passwordHash: u.password_hash as string,
    sealedPassword: u.sealed_password as string | null,
    disabled: u.disabled as boolean,
    grants: grants.map((g) => ({ dataCenterId: g.data_center_id, tenantId: g.tenant_id })),
  };
}

export async function insertUser(m: EntityManager, u: Omit<UserRecord, 'id' | 'grants' | 'disabled'>, grants: Grant[]): Promise<UserRecord> {
  const [row] = await m.query(
    `INSERT INTO app_user (username, role, tenant_id, password_hash, sealed_password) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
    [u.username, u.role, u.tenantId, u.passwordHash, u.sealedPassword],
  );
  for (const g of grants) {
    await m.query(`INSERT INTO user_grant (user_id, data_center_id, tenant_id) VALUES ($1, $2, $3)`, [row.id, g.dataCenterId, g.tenantId]);
  }
  return (await userByName(m, u.username))!;
}

export async function recordNonce(m: EntityManager, nonce: string, cutoff: Date): Promise<boolean> {
  await m.query(`DELETE FROM ws_nonce WHERE seen_at < $1`, [cutoff]);
  const rows: unknown[] = await m.query(`INSERT INTO ws_nonce (nonce) VALUES ($1) ON CONFLICT DO NOTHING RETURNING nonce`, [nonce]);
  return rows.length === 1;
}

export async function appendAudit(m: EntityManager, e: AuditEntry): Promise<void> {
  await m.query(
    `INSERT INTO audit_log (actor, role, operation, object_type, object_id, tenant_id, data_center_id, server_instance, before, after, outcome, request_id)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
    [
      e.actor,
      e.role,
      e.operation,
      e.objectType,
      e.objectId ?? null,
      e.tenantId ?? null,
      e.dataCenterId ?? null,
      e.serverInstance ?? null,
      e.before === undefined || e.before === null ? null : JSON.stringify(e.before),
      e.after === undefined || e.after === null ? null : JSON.stringify(e.after),
      e.outcome,
      e.requestId ?? null,
    ],
  );
}

export async function listAudit(m: EntityManager, q: AuditQuery): Promise<AuditRow[]> {
  const params: unknown[] = [];
  const p = (v: unknown) => `$${params.push(v)}`;
  const where: string[] = ['true'];
  if (q.scope) where.push(scopeTerms(q.scope, 'data_center_id', 'tenant_id', p));
  if (q.actor !== undefined) where.push(`actor = ${p(q.actor)}`);
  if (q.operation !== undefined) where.push(`operation = ${p(q.operation)}`);
  if (q.objectType !== undefined) where.push(`object_type = ${p(q.objectType)}`);
  if (q.objectId !== undefined) where.push(`object_id = ${p(q.objectId)}`);
  if (q.serverInstance !== undefined) where.push(`server_instance = ${p(q.serverInstance)}`);
  if (q.since !== undefined) where.push(`at >= ${p(q.since)}`);
  if (q.until !== undefined) where.push(`at < ${p(q.until)}`);
  if (q.afterId !== undefined) where.push(`id ${q.newestFirst ? '<' : '>'} ${p(q.afterId)}::bigint`);
  const rows: Record<string, unknown>[] = await m.query(
    `SELECT * FROM audit_log WHERE ${where.join(' AND ')} ORDER BY id ${q.newestFirst ? 'DESC' : 'ASC'} LIMIT ${p(q.limit)}`,
    params,
  );
  return rows.map((r) => ({
    id: String(r.id),
    at: new Date(r.at as string),
    actor: r.actor as string,
    role: r.role as string,
    operation: r.operation as string,
    objectType: r.object_type as string,
    objectId: r.object_id as string | null,
    tenantId: r.tenant_id as number | null,
    dataCenterId: r.data_center_id as number | null,
    serverInstance: r.server_instance as string | null,
    before: r.before,
    after: r.after,
    outcome: r.outcome as string,
    requestId: r.request_id as string | null,
  }));
}

export async function listUsers(m: EntityManager): Promise<UserRecord[]> {
  const rows: { username: string }[] = await m.query(`SELECT username FROM app_user ORDER BY username`);
  const out: UserRecord[] = [];
  for (const r of rows) out.push((await userByName(m, r.username))!);
  return out;
}

export async function updateUser(m: EntityManager, id: number, change: { passwordHash?: string; sealedPassword?: string | null; disabled?: boolean }): Promise<void> {
  const params: unknown[] = [id];
  const sets: string[] = [];
  if (change.passwordHash !== undefined) sets.push(`password_hash = $${params.push(change.passwordHash)}`);
  if (change.sealedPassword !== undefined) sets.push(`sealed_password = $${params.push(change.sealedPassword)}`);
  if (change.disabled !== undefined) sets.push(`disabled = $${params.push(change.disabled)}`);
  if (sets.length) await m.query(`UPDATE app_user SET ${sets.join(', ')} WHERE id = $1`, params);
}

export async function deleteUser(m: EntityManager, id: number): Promise<void> {
  await m.query(`DELETE FROM app_user WHERE id = $1`, [id]);
}

export async function authFailures(m: EntityManager, key: string, since: Date): Promise<number> {
  const [r] = await m.query(`SELECT count(*)::int AS n FROM auth_failure WHERE key = $1 AND at >= $2`, [key, since]);
  return r.n as number;
}

export async function recordAuthFailure(m: EntityManager, key: string, at: Date, cutoff: Date): Promise<void> {
  await m.query(`DELETE FROM auth_failure WHERE key = $1 AND at < $2`, [key, cutoff]);
  await m.query(`INSERT INTO auth_failure (key, at) VALUES ($1, $2)`, [key, at]);
}

export async function clearAuthFailures(m: EntityManager, key: string): Promise<void> {
  await m.query(`DELETE FROM auth_failure WHERE key = $1`, [key]);
}
