/** Accounts: who may call ipcd, with which role and grants. */
import { IpcdError, invalid } from '../core/errors';
import { checkPasswordStrength, hashPassword, seal } from './passwords';
import { audit, auditRefusals } from '../audit/audit';
import { mayManage, ROLES, systemActor, type Actor, type Grant, type Role } from './policy';
import type { UnitOfWork } from '../core/unit-of-work';
import type { AccessPort } from './port';
import type { TopologyPort } from '../topology/port';
import type { AuditPort } from '../audit/port';
import { withRetry } from '../core/retry';

/** The ports this module uses. */
type Tx = { access: AccessPort; topology: TopologyPort; audit: AuditPort };

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

export async function addUser(
  store: UnitOfWork<Tx>,
  spec: UserSpec,
  secretKey?: Buffer,
  actor: Actor = systemActor(),
): Promise<{ username: string; role: Role }> {
  return auditRefusals(
    store,
    actor,
    'AddUser',
    { objectType: 'user', objectId: String(spec.username).slice(0, 64) },
    async () => {
      mayManage(actor.principal, 'add users');
      const secrets = await userSecrets(spec, secretKey);
      return withRetry(() => store.transaction((tx) => insertUser(tx, spec, secrets, actor)));
    },
  );
}

/**
 * The first user of a store: added only while it has none, so processes starting together on a
 * new database make one. False when another process was first: its user is there when this one
 * checks, or appears between the check and the insert (read committed), which then conflicts.
 */
export async function addFirstUser(store: UnitOfWork<Tx>, spec: UserSpec, secretKey?: Buffer): Promise<boolean> {
  const secrets = await userSecrets(spec, secretKey);
  try {
    return await withRetry(() =>
      store.transaction(async (tx) => {
        if (await tx.access.anyUser()) return false;
        await insertUser(tx, spec, secrets, systemActor());
        return true;
      }),
    );
  } catch (e) {
    if (e instanceof IpcdError && e.code === 'CONFLICT') return false;
    throw e;
  }
}

/** Checks what needs no store, and derives what is stored of the password. */
async function userSecrets(
  spec: UserSpec,
  secretKey?: Buffer,
): Promise<{ passwordHash: string; sealedPassword: string | null }> {
  if (typeof spec.username !== 'string' || !USERNAME.test(spec.username)) {
    throw invalid(
      `a user name is 1-64 letters, digits, '.', '_', '@' or '-', got '${String(spec.username).slice(0, 64)}'`,
    );
  }
  if (!ROLES.includes(spec.role)) throw invalid(`role must be one of ${ROLES.join(', ')}`);
  if ((spec.role === 'tenant') !== (spec.tenant !== undefined))
    throw invalid('a tenant user names exactly one tenant; other roles name none');
  if (spec.role !== 'orchestrator' && spec.grants?.length) throw invalid('only orchestrator users have grants');
  if (spec.digest && !secretKey)
    throw invalid('PasswordDigest needs IPCD_SECRET_KEY set on the server, to seal the password');
  checkPasswordStrength(spec.password);
  return {
    passwordHash: await hashPassword(spec.password),
    sealedPassword: spec.digest ? seal(spec.password, secretKey!) : null,
  };
}

async function insertUser(
  tx: Tx,
  spec: UserSpec,
  secrets: { passwordHash: string; sealedPassword: string | null },
  actor: Actor,
): Promise<{ username: string; role: Role }> {
  if (await tx.access.userByName(spec.username))
    throw new IpcdError('CONFLICT', `user '${spec.username}' already exists`);
  const tenantId = spec.tenant === undefined ? null : await tenantIdOf(tx, spec.tenant);
  const grants: Grant[] = [];
  for (const g of spec.grants ?? []) {
    if (g.dataCenter === undefined && g.tenant === undefined)
      throw invalid('a grant names a data center, a tenant, or both');
    const dc = g.dataCenter === undefined ? null : await tx.topology.dataCenterByName(g.dataCenter);
    if (g.dataCenter !== undefined && !dc)
      throw new IpcdError('UNKNOWN_DATA_CENTER', `data center '${g.dataCenter}' is not known to ipcd`);
    grants.push({
      dataCenterId: dc?.id ?? null,
      tenantId: g.tenant === undefined ? null : await tenantIdOf(tx, g.tenant),
    });
  }
  const u = await tx.access.insertUser({ username: spec.username, role: spec.role, tenantId, ...secrets }, grants);
  await audit(
    tx,
    actor,
    'AddUser',
    { objectType: 'user', objectId: u.username, tenantId },
    {
      after: { username: u.username, role: u.role, tenantId, grants, digest: secrets.sealedPassword !== null },
    },
  );
  return { username: u.username, role: u.role };
}

async function tenantIdOf(tx: Tx, name: string): Promise<number> {
  const t = await tx.topology.tenantByName(name);
  if (!t) throw new IpcdError('NOT_FOUND', `tenant '${name}' is not known to ipcd`);
  return t.id;
}

export async function hasUsers(store: UnitOfWork<Tx>): Promise<boolean> {
  return store.transaction((tx) => tx.access.anyUser());
}

export interface UserView {
  username: string;
  role: Role;
  tenant: string | null;
  grants: { dataCenter?: string; tenant?: string }[];
  disabled: boolean;
  digest: boolean;
}

export function listUsers(store: UnitOfWork<Tx>, actor: Actor = systemActor()): Promise<UserView[]> {
  mayManage(actor.principal, 'list users');
  return store.transaction(async (tx) => {
    const dcs = new Map((await tx.topology.listDataCenters()).map((d) => [d.id, d.name]));
    const tenants = new Map((await tx.topology.listTenants()).map((t) => [t.id, t.name]));
    return (await tx.access.listUsers()).map((u) => ({
      username: u.username,
      role: u.role,
      tenant: u.tenantId === null ? null : (tenants.get(u.tenantId) ?? null),
      grants: u.grants.map((g) => ({
        ...(g.dataCenterId === null ? {} : { dataCenter: dcs.get(g.dataCenterId) }),
        ...(g.tenantId === null ? {} : { tenant: tenants.get(g.tenantId) }),
      })),
      disabled: u.disabled,
      digest: u.sealedPassword !== null,
    }));
  });
}

/** Administrators set anyone's password; every user may change their own. */
export async function setPassword(
  store: UnitOfWork<Tx>,
  username: string,
  password: string,
  secretKey?: Buffer,
  actor: Actor = systemActor(),
): Promise<void> {
  return auditRefusals(store, actor, 'SetPassword', { objectType: 'user', objectId: username }, async () => {
    if (actor.principal.username !== username) mayManage(actor.principal, "set another user's password");
    checkPasswordStrength(password);
    const passwordHash = await hashPassword(password);
    await withRetry(() =>
      store.transaction(async (tx) => {
        const u = await userNamed(tx, username);
        if (u.sealedPassword !== null && !secretKey)
          throw invalid(
            'this account accepts PasswordDigest; the server needs IPCD_SECRET_KEY to seal its new password',
          );
        await tx.access.updateUser(u.id, {
          passwordHash,
          sealedPassword: u.sealedPassword === null ? null : seal(password, secretKey!),
        });
        await audit(
          tx,
          actor,
          'SetPassword',
          { objectType: 'user', objectId: u.username, tenantId: u.tenantId },
          { after: { passwordChanged: true } },
        );
      }),
    );
  });
}

export function disableUser(
  store: UnitOfWork<Tx>,
  username: string,
  disabled: boolean,
  actor: Actor = systemActor(),
): Promise<void> {
  const op = disabled ? 'DisableUser' : 'EnableUser';
  return auditRefusals(store, actor, op, { objectType: 'user', objectId: username }, async () => {
    mayManage(actor.principal, `${disabled ? 'disable' : 'enable'} users`);
    if (disabled && actor.principal.username === username)
      throw invalid('administrators cannot disable their own account');
    await withRetry(() =>
      store.transaction(async (tx) => {
        const u = await userNamed(tx, username);
        await tx.access.updateUser(u.id, { disabled });
        await audit(
          tx,
          actor,
          op,
          { objectType: 'user', objectId: u.username, tenantId: u.tenantId },
          { before: { disabled: u.disabled }, after: { disabled } },
        );
      }),
    );
  });
}

export function removeUser(store: UnitOfWork<Tx>, username: string, actor: Actor = systemActor()): Promise<void> {
  return auditRefusals(store, actor, 'RemoveUser', { objectType: 'user', objectId: username }, async () => {
    mayManage(actor.principal, 'remove users');
    if (actor.principal.username === username) throw invalid('administrators cannot remove their own account');
    await withRetry(() =>
      store.transaction(async (tx) => {
        const u = await userNamed(tx, username);
        await tx.access.deleteUser(u.id);
        await audit(
          tx,
          actor,
          'RemoveUser',
          { objectType: 'user', objectId: u.username, tenantId: u.tenantId },
          { before: { username: u.username, role: u.role } },
        );
      }),
    );
  });
}

async function userNamed(tx: Tx, username: string) {
  const u = await tx.access.userByName(String(username));
  if (!u) throw new IpcdError('NOT_FOUND', `user '${username}' is not known to ipcd`);
  return u;
}
