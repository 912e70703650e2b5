/** Users and grants, UsernameToken nonces, failed logins and console sessions. */
import type { Grant } from '../logic/access/policy';
import type { AccessPort, SessionRecord, UserChange, UserRecord } from '../logic/access/port';
import { Query, type Sql } from './sql';

export class SqlAccess implements AccessPort {
  constructor(private readonly db: Sql) {}

  async anyUser(): Promise<boolean> {
    return (await this.db.rows(`SELECT 1 FROM app_user LIMIT 1`)).length > 0;
  }

  async userByName(username: string): Promise<UserRecord | null> {
    const rows: Record<string, unknown>[] = await this.db.rows(`SELECT * FROM app_user WHERE username = $1`, [
      username,
    ]);
    if (rows.length === 0) return null;
    const u = rows[0];
    const grants: { data_center_id: number | null; tenant_id: number | null }[] = await this.db.rows(
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

  async insertUser(u: Omit<UserRecord, 'id' | 'grants' | 'disabled'>, grants: Grant[]): Promise<UserRecord> {
    const [row] = await this.db.rows(
      `INSERT INTO app_user (username, role, tenant_id, password_hash, sealed_password) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
      [u.username, u.role, u.tenantId, u.passwordHash, u.sealedPassword],
    );
    for (const g of grants) {
      await this.db.rows(`INSERT INTO user_grant (user_id, data_center_id, tenant_id) VALUES ($1, $2, $3)`, [
        row.id,
        g.dataCenterId,
        g.tenantId,
      ]);
    }
    return (await this.userByName(u.username))!;
  }

  async recordNonce(nonce: string, cutoff: Date): Promise<boolean> {
    await this.db.rows(`DELETE FROM ws_nonce WHERE seen_at < $1`, [cutoff]);
    const rows: unknown[] = await this.db.rows(
      `INSERT INTO ws_nonce (nonce) VALUES ($1) ON CONFLICT DO NOTHING RETURNING nonce`,
      [nonce],
    );
    return rows.length === 1;
  }

  async listUsers(): Promise<UserRecord[]> {
    const rows: { username: string }[] = await this.db.rows(`SELECT username FROM app_user ORDER BY username`);
    const out: UserRecord[] = [];
    for (const r of rows) out.push((await this.userByName(r.username))!);
    return out;
  }

  async updateUser(id: number, change: UserChange): Promise<void> {
    const w = new Query([id]);
    const sets: string[] = [];
    if (change.passwordHash !== undefined) sets.push(`password_hash = ${w.p(change.passwordHash)}`);
    if (change.sealedPassword !== undefined) sets.push(`sealed_password = ${w.p(change.sealedPassword)}`);
    if (change.disabled !== undefined) sets.push(`disabled = ${w.p(change.disabled)}`);
    if (sets.length) await this.db.rows(`UPDATE app_user SET ${sets.join(', ')} WHERE id = $1`, w.params);
  }

  async deleteUser(id: number): Promise<void> {
    await this.db.rows(`DELETE FROM app_user WHERE id = $1`, [id]);
  }

  async authFailures(key: string, since: Date): Promise<number> {
    const [r] = await this.db.rows(`SELECT count(*)::int AS n FROM auth_failure WHERE key = $1 AND at >= $2`, [
      key,
      since,
    ]);
    return r.n as number;
  }

  async recordAuthFailure(key: string, at: Date, cutoff: Date): Promise<void> {
    await this.db.rows(`DELETE FROM auth_failure WHERE key = $1 AND at < $2`, [key, cutoff]);
    await this.db.rows(`INSERT INTO auth_failure (key, at) VALUES ($1, $2)`, [key, at]);
  }

  async clearAuthFailures(key: string): Promise<void> {
    await this.db.rows(`DELETE FROM auth_failure WHERE key = $1`, [key]);
  }

  async insertSession(tokenHash: string, userId: number, csrfToken: string, at: Date): Promise<void> {
    await this.db.rows(
      `INSERT INTO ui_session (token_hash, user_id, csrf_token, created_at, last_seen_at) VALUES ($1, $2, $3, $4, $4)`,
      [tokenHash, userId, csrfToken, at],
    );
  }

  async sessionByTokenHash(tokenHash: string): Promise<SessionRecord | null> {
    const rows: { username: string; csrf_token: string; created_at: Date; last_seen_at: Date }[] = await this.db.rows(
      `SELECT u.username, s.csrf_token, s.created_at, s.last_seen_at FROM ui_session s JOIN app_user u ON u.id = s.user_id WHERE s.token_hash = $1`,
      [tokenHash],
    );
    if (rows.length === 0) return null;
    const user = await this.userByName(rows[0].username);
    if (!user) return null;
    return {
      user,
      csrfToken: rows[0].csrf_token,
      createdAt: new Date(rows[0].created_at),
      lastSeenAt: new Date(rows[0].last_seen_at),
    };
  }

  async touchSession(tokenHash: string, at: Date): Promise<void> {
    await this.db.rows(`UPDATE ui_session SET last_seen_at = $2 WHERE token_hash = $1 AND last_seen_at < $2`, [
      tokenHash,
      at,
    ]);
  }

  async deleteSession(tokenHash: string): Promise<void> {
    await this.db.rows(`DELETE FROM ui_session WHERE token_hash = $1`, [tokenHash]);
  }

  async deleteIdleSessions(cutoff: Date): Promise<number> {
    return this.db.count(`DELETE FROM ui_session WHERE last_seen_at < $1`, [cutoff]);
  }
}
