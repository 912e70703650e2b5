/**
 * Who may do what: the one place where roles are decided. Callers ask; this answers or refuses.
 *  admin         everything
 *  orchestrator  commissioning (CommissionIP, DecommissionIP, NameOnly, ListAllocations) within
 *                its grants: a grant names a data center, a tenant, or both
 *  tenant        read-only, its own tenant's networks and allocations
 */
import { IpcdError } from '../core/errors';

export type Role = 'admin' | 'orchestrator' | 'tenant';
export const ROLES: Role[] = ['admin', 'orchestrator', 'tenant'];

export interface Grant {
  dataCenterId: number | null;
  tenantId: number | null;
}

export interface Principal {
  username: string;
  role: Role;
  tenantId: number | null;
  grants: Grant[];
  /** The stored account it was authenticated as (absent for the system and anonymous callers). */
  account?: { id: number; passwordHash: string };
  /**
   * A UsernameToken nonce authenticated from memory and not recorded yet: the request's write
   * records it (and is refused as a replay if it was seen). Forgotten before `cutoff`.
   */
  replayGuard?: { key: string; cutoff: Date };
}

/** Actions of the CLI and of the server itself (bootstrap, example topology). */
export const SYSTEM: Principal = { username: 'system', role: 'admin', tenantId: null, grants: [] };

export interface Actor {
  principal: Principal;
  requestId?: string;
}

export const systemActor = (username = 'system'): Actor => ({ principal: { ...SYSTEM, username } });

const denied = (p: Principal, what: string) =>
  new IpcdError('ACCESS_DENIED', `user '${p.username}' (${p.role}) may not ${what}`);

/** Issue or release addresses and names on a VLAN whose networks belong to these tenants. */
export function mayCommission(p: Principal, dataCenterId: number, tenantIds: number[], what: string): void {
  if (p.role === 'admin') return;
  if (p.role === 'orchestrator' && p.grants.some((g) => covers(g, dataCenterId, tenantIds))) return;
  throw denied(p, what);
}

function covers(g: Grant, dataCenterId: number, tenantIds: number[]): boolean {
  return (
    (g.dataCenterId === null || g.dataCenterId === dataCenterId) &&
    (g.tenantId === null || tenantIds.includes(g.tenantId))
  );
}

/** Management changes: admins only. */
export function mayManage(p: Principal, what: string): void {
  if (p.role !== 'admin') throw denied(p, what);
}

/**
 * Reading: which part of the data the principal may see. `all` for admins; otherwise the
 * data centers and tenants it is limited to (an orchestrator's grants, a tenant's own tenant).
 */
export type ReadScope = { all: true } | { all: false; grants: Grant[] };

export function readScope(p: Principal): ReadScope {
  if (p.role === 'admin') return { all: true };
  if (p.role === 'tenant') return { all: false, grants: [{ dataCenterId: null, tenantId: p.tenantId }] };
  return { all: false, grants: p.grants };
}

/** Whether the principal may see an object of this data center and tenant (404-style refusal otherwise). */
export function mayRead(p: Principal, dataCenterId: number | null, tenantId: number | null): boolean {
  const scope = readScope(p);
  return (
    scope.all ||
    scope.grants.some(
      (g) =>
        (g.dataCenterId === null || g.dataCenterId === dataCenterId) &&
        (g.tenantId === null || g.tenantId === tenantId),
    )
  );
}
