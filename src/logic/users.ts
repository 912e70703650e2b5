/** Accounts: who may call ipcd, with which role and grants. */
import { IpcdError, invalid } from './errors';
import { checkPasswordStrength, hashPassword, seal } from './passwords';
import { audit } from './audit';
import { mayManage, ROLES, systemActor, type Actor, type Grant, type Role } from './policy';
import type { Store } from './ports';
import { withRetry } from './retry';

export interface UserSpec {
  username: string;
  password: string;
  role: Role;
  /** Required for the tenant role: the tenant whose networks the user may see. */
  tenant?: string;
  /** Orchestrator grants: a data center, a tenant, or both per grant. */
  grants?: { dataCenter?: string; tenant?: string }[];
  /** Also accept WS-Security PasswordDigest (keeps the password sealed under secretKey). */
  digest?: boolean;
}

const USERNAME = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;

export async function addUser(store: Store, spec: UserSpec, secretKey?: Buffer, actor: Actor = systemActor()): Promise<{ username: string; role: Role }> {
  mayManage(actor.principal, 'add users');
  if (typeof spec.username !== 'string' || !USERNAME.test(spec.username)) {
    throw invalid(`a user name is 1-64 letters, digits, '.', '_', '@' or '-', got '${String(spec.username).slice(0, 64)}'`);
  }
  if (!ROLES.includes(spec.role)) throw invalid(`role must be one of ${ROLES.join(', ')}`);
  if ((spec.role === 'tenant') !== (spec.tenant !== undefined)) throw invalid('a tenant user names exactly one tenant; other roles name none');
  if (spec.role !== 'orchestrator' && spec.grants?.length) throw invalid('only orchestrator users have grants');
  if (spec.digest && !secretKey) throw invalid('PasswordDigest needs IPCD_SECRET_KEY set on the server, to seal the password');
  checkPasswordStrength(spec.password);
  const passwordHash = await hashPassword(spec.password);
  const sealedPassword = spec.digest ? seal(spec.password, secretKey!) : null;
  return withRetry(() =>
    store.transaction(async (tx) => {
      if (await tx.userByName(spec.username)) throw new IpcdError('CONFLICT', `user '${spec.username}' already exists`);
      const tenantId = spec.tenant === undefined ? null : await tenantIdOf(tx, spec.tenant);
      const grants: Grant[] = [];
      for (const g of spec.grants ?? []) {
        if (g.dataCenter === undefined && g.tenant === undefined) throw invalid('a grant names a data center, a tenant, or both');
        const dc = g.dataCenter === undefined ? null : await tx.dataCenterByName(g.dataCenter);
        if (g.dataCenter !== undefined && !dc) throw new IpcdError('UNKNOWN_DATA_CENTER', `data center '${g.dataCenter}' is not known to ipcd`);
        grants.push({ dataCenterId: dc?.id ?? null, tenantId: g.tenant === undefined ? null : await tenantIdOf(tx, g.tenant) });
      }
      const u = await tx.insertUser({ username: spec.username, role: spec.role, tenantId, passwordHash, sealedPassword }, grants);
      await audit(tx, actor, 'AddUser', { objectType: 'user', objectId: u.username, tenantId }, {
        after: { username: u.username, role: u.role, tenantId, grants, digest: sealedPassword !== null },
      });
      return { username: u.username, role: u.role };
    }),
  );

  async function tenantIdOf(tx: Parameters<Parameters<Store['transaction']>[0]>[0], name: string): Promise<number> {
    const t = await tx.tenantByName(name);
    if (!t) throw new IpcdError('NOT_FOUND', `tenant '${name}' is not known to ipcd`);
    return t.id;
  }
}

export async function hasUsers(store: Store): Promise<boolean> {
  return store.transaction((tx) => tx.anyUser());
}
