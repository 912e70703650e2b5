/** Users and their grants, UsernameToken nonces, failed logins and console sessions, as stored. */
import type { Grant, Role } from './policy';

export interface UserRecord {
  id: number;
  username: string;
  role: Role;
  tenantId: number | null;
  passwordHash: string;
  sealedPassword: string | null;
  disabled: boolean;
  grants: Grant[];
}

/** A console session as stored: the user it belongs to (read fresh, so role changes apply at once). */
export interface SessionRecord {
  user: UserRecord;
  csrfToken: string;
  createdAt: Date;
  lastSeenAt: Date;
}

export type UserChange = { passwordHash?: string; sealedPassword?: string | null; disabled?: boolean };

export interface AccessPort {
  userByName(username: string): Promise<UserRecord | null>;
  anyUser(): Promise<boolean>;
  insertUser(u: Omit<UserRecord, 'id' | 'grants' | 'disabled'>, grants: Grant[]): Promise<UserRecord>;
  listUsers(): Promise<UserRecord[]>;
  updateUser(id: number, change: UserChange): Promise<void>;
  deleteUser(id: number): Promise<void>;

  /** Remembers a UsernameToken nonce; false when it was seen before. Forgets those before cutoff. */
  recordNonce(nonce: string, cutoff: Date): Promise<boolean>;
  /** Failed logins of this (client, user) key since the time. */
  authFailures(key: string, since: Date): Promise<number>;
  /** Records a failed login; forgets this key's failures before cutoff. */
  recordAuthFailure(key: string, at: Date, cutoff: Date): Promise<void>;
  clearAuthFailures(key: string): Promise<void>;

  insertSession(tokenHash: string, userId: number, csrfToken: string, at: Date): Promise<void>;
  sessionByTokenHash(tokenHash: string): Promise<SessionRecord | null>;
  touchSession(tokenHash: string, at: Date): Promise<void>;
  deleteSession(tokenHash: string): Promise<void>;
  /** Forgets sessions idle since before cutoff; returns how many. */
  deleteIdleSessions(cutoff: Date): Promise<number>;
}
