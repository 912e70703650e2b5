/**
 * The account operations of the management service (see admin-service.ts): users, and the record
 * of what callers did (the audit trail) and used (tenant metering). Apart from the network
 * operations because none of them reads a network.
 */
import { queryAudit } from '../logic/audit/audit-query';
import { tenantUsage, usageCsv } from '../logic/reporting/metering';
import type { Actor } from '../logic/access/policy';
import type { AuditRow } from '../logic/audit/port';
import type { Store } from '../store/store';
import { listDataCenters, listTenants } from '../logic/topology/topology';
import { addUser, disableUser, listUsers, removeUser, setPassword } from '../logic/access/users';
import type { management as wsdl } from '../contract';
import * as p from './admin-parse';
import { adminOperation } from './admin-operation';
import { changeOf, type OperationContext } from './operation';
import type { Reply } from './reply';

const USER = changeOf('user', 'username');

export function accountOperations(ctx: OperationContext) {
  const { store } = ctx;
  const secretKey = ctx.auth.settings.secretKey;
  const op = adminOperation(ctx);
  return [
    op('QueryAudit', async (args, actor) => {
      const r = await queryAudit(store, p.queryAuditRequest(args), actor);
      const names = await nameMaps(store, actor);
      return { entry: r.entries.map((e) => auditXml(e, names)), nextPage: r.nextPage };
    }),
    op('TenantUsage', async (args, actor) => {
      const rows = await tenantUsage(store, p.tenantUsageRequest(args), actor);
      return {
        usage: rows.map((u) => ({
          tenant: u.tenant,
          day: u.day,
          allocations: u.allocations,
          addressHours: u.addressHours.toFixed(3),
        })),
        csv: usageCsv(rows),
      };
    }),

    op(
      'AddUser',
      async (args, actor) => {
        const u = await addUser(store, p.addUserRequest(args), secretKey, actor);
        return { username: u.username, role: u.role };
      },
      USER,
    ),
    op('ListUsers', async (_args, actor) => {
      const users = await listUsers(store, actor);
      return {
        user: users.map((u) => ({
          username: u.username,
          role: u.role,
          tenant: u.tenant,
          grant: u.grants.map((g) => ({ dataCenter: g.dataCenter, tenant: g.tenant })),
          disabled: u.disabled,
        })),
      };
    }),
    op(
      'SetPassword',
      async (args, actor) => {
        const r = p.setPasswordRequest(args);
        await setPassword(store, r.username, r.password, secretKey, actor);
        return { username: r.username };
      },
      USER,
    ),
    op(
      'DisableUser',
      async (args, actor) => {
        const username = p.usernameRequest(args);
        await disableUser(store, username, true, actor);
        return { username };
      },
      USER,
    ),
    op(
      'EnableUser',
      async (args, actor) => {
        const username = p.usernameRequest(args);
        await disableUser(store, username, false, actor);
        return { username };
      },
      USER,
    ),
    op(
      'RemoveUser',
      async (args, actor) => {
        const username = p.usernameRequest(args);
        await removeUser(store, username, actor);
        return { username };
      },
      USER,
    ),
  ];
}

interface NameMaps {
  dataCenters: Map<number, string>;
  tenants: Map<number, string>;
}

/** Audit rows name data centers and tenants by id; the contract names them by name. */
async function nameMaps(store: Store, actor: Actor): Promise<NameMaps> {
  const [dcs, tenants] = await Promise.all([listDataCenters(store, actor), listTenants(store, actor)]);
  return { dataCenters: new Map(dcs.map((d) => [d.id, d.name])), tenants: new Map(tenants.map((t) => [t.id, t.name])) };
}

const json = (x: unknown) => (x === null || x === undefined ? undefined : JSON.stringify(x));

const auditXml = (e: AuditRow, names: NameMaps): Reply<wsdl.AuditEntry> => ({
  id: e.id,
  at: e.at.toISOString(),
  user: e.actor,
  role: e.role,
  operation: e.operation,
  objectType: e.objectType,
  objectId: e.objectId,
  dataCenter: e.dataCenterId == null ? undefined : names.dataCenters.get(e.dataCenterId),
  tenant: e.tenantId == null ? undefined : names.tenants.get(e.tenantId),
  serverInstance: e.serverInstance,
  before: json(e.before),
  after: json(e.after),
  outcome: e.outcome,
  requestId: e.requestId,
});
