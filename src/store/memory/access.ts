/** AccessPort in memory: accounts and grants, nonces, failed logins and console sessions. */
import type { Grant } from '../../logic/access/policy';
import type { AccessPort, SessionRecord, UserChange, UserRecord } from '../../logic/access/port';
import { userRecord } from './allocator';
import type { MemoryState } from './state';

interface SessionRow {
  tokenHash: string;
  userId: number;
  csrfToken: string;
  createdAt: Date;
  lastSeenAt: Date;
}

export class MemoryAccess implements AccessPort {
  constructor(private readonly s: MemoryState) {}

  async userByName(username: string): Promise<UserRecord | null> {
    const u = this.s.users.byUnique('username', username);
    return u ? userRecord(this.s, u.id) : null;
  }

  async anyUser(): Promise<boolean> {
    return this.s.users.size > 0;
  }

  async insertUser(u: Omit<UserRecord, 'id' | 'grants' | 'disabled'>, grants: Grant[]): Promise<UserRecord> {
    if ((u.role === 'tenant') !== (u.tenantId !== null))
      throw new Error('a tenant user, and only one, names its tenant');
    const id = this.s.nextId('app_user');
    this.s.users.insert(id, {
      id,
      username: u.username,
      role: u.role,
      tenantId: u.tenantId,
      passwordHash: u.passwordHash,
      sealedPassword: u.sealedPassword,
      disabled: false,
    });
    for (const g of grants) {
      if (g.dataCenterId === null && g.tenantId === null)
        throw new Error('a grant names a data center, a tenant or both');
      const gid = this.s.nextId('user_grant');
      this.s.grants.insert(gid, { id: gid, userId: id, dataCenterId: g.dataCenterId, tenantId: g.tenantId });
    }
    return userRecord(this.s, id)!;
  }

  async listUsers(): Promise<UserRecord[]> {
    return this.s.users
      .values()
      .sort((a, b) => (a.username < b.username ? -1 : a.username > b.username ? 1 : 0))
      .map((u) => userRecord(this.s, u.id)!);
  }

  async updateUser(id: number, change: UserChange): Promise<void> {
    const u = this.s.users.get(id);
    if (!u) return;
    const defined = Object.fromEntries(Object.entries(change).filter(([, v]) => v !== undefined));
    if (Object.keys(defined).length > 0) this.s.users.put(id, { ...u, ...defined });
  }

  async deleteUser(id: number): Promise<void> {
    for (const g of this.s.grants.byGroup('user', String(id))) this.s.grants.delete(g.id);
    for (const x of this.sessions.values()) if (x.userId === id) this.sessions.delete(x.tokenHash);
    this.s.users.delete(id);
  }

  async recordNonce(nonce: string, cutoff: Date): Promise<boolean> {
    for (const n of this.s.nonces.values()) if (n.seenAt < cutoff) this.s.nonces.delete(n.nonce);
    if (this.s.nonces.has(nonce)) return false;
    this.s.nonces.insert(nonce, { nonce, seenAt: this.s.now() });
    return true;
  }

  async authFailures(key: string, since: Date): Promise<number> {
    return this.s.authFailures.byGroup('key', key).filter((f) => f.at >= since).length;
  }

  async recordAuthFailure(key: string, at: Date, cutoff: Date): Promise<void> {
    for (const f of this.s.authFailures.byGroup('key', key)) if (f.at < cutoff) this.s.authFailures.delete(f.id);
    const id = this.s.nextId('auth_failure');
    this.s.authFailures.insert(id, { id, key, at });
  }

  async clearAuthFailures(key: string): Promise<void> {
    for (const f of this.s.authFailures.byGroup('key', key)) this.s.authFailures.delete(f.id);
  }

  private get sessions() {
    return this.s.sessions;
  }

  async insertSession(tokenHash: string, userId: number, csrfToken: string, at: Date): Promise<void> {
    if (!this.s.users.has(userId)) throw new Error(`user ${userId} does not exist`);
    this.sessions.insert(tokenHash, {
      tokenHash,
      userId,
      csrfToken,
      createdAt: at,
      lastSeenAt: at,
    } satisfies SessionRow);
  }

  async sessionByTokenHash(tokenHash: string): Promise<SessionRecord | null> {
    const x = this.sessions.get(tokenHash);
    const user = x ? userRecord(this.s, x.userId) : null;
    return x && user ? { user, csrfToken: x.csrfToken, createdAt: x.createdAt, lastSeenAt: x.lastSeenAt } : null;
  }

  async touchSession(tokenHash: string, at: Date): Promise<void> {
    const x = this.sessions.get(tokenHash);
    if (x && x.lastSeenAt < at) this.sessions.put(tokenHash, { ...x, lastSeenAt: at });
  }

  async deleteSession(tokenHash: string): Promise<void> {
    this.sessions.delete(tokenHash);
  }

  async deleteIdleSessions(cutoff: Date): Promise<number> {
    const idle = this.sessions.values().filter((x) => x.lastSeenAt < cutoff);
    for (const x of idle) this.sessions.delete(x.tokenHash);
    return idle.length;
  }
}
