/**
 * The management operations (wsdl/ipcd-admin.wsdl) as node-soap handlers: parse, call the logic
 * with the caller as actor, answer with the contract's response (typed by src/contract;
 * soapOperation puts it in the schema's element order). Who may do what is the logic's to decide
 * (src/logic/access/policy.ts); nothing here checks a role.
 */
import { queryAudit } from '../logic/audit/audit-query';
import { clearZoneDns, dnsObjectType, listDnsZones, setZoneDns, type DnsZoneView } from '../logic/dns/dns-config';
import { tenantUsage, usageCsv } from '../logic/reporting/metering';
import type { Network } from '../logic/core/model';
import { editNetwork, mergeNetworks, removeNetwork, splitNetwork, tagNetwork } from '../logic/topology/networks';
import type { Actor } from '../logic/access/policy';
import type { AuditRow } from '../logic/audit/port';
import type { Store } from '../store/store';
import { listReservations, reserveRange, unreserveRange, type Reservation } from '../logic/topology/reservations';
import {
  networkView,
  searchAllocations,
  searchNetworks,
  tenantUtilization,
  type AllocationView,
  type NetworkView,
} from '../logic/reporting/search';
import {
  addDataCenter,
  addNetwork,
  addTenant,
  addZone,
  listDataCenters,
  listTenants,
  listZones,
  removeDataCenter,
  removeTenant,
  removeZone,
} from '../logic/topology/topology';
import { addUser, disableUser, listUsers, removeUser, setPassword } from '../logic/access/users';
import { management as wsdl } from '../contract';
import * as p from './admin-parse';
import { changeOf, soapOperation, type Args, type OperationContext } from './operation';
import type { Reply } from './reply';
import type { AuditTarget } from '../logic/audit/audit';

type Answer<K extends wsdl.OperationName> = Promise<Reply<wsdl.Operations[K]['output']>>;

const NETWORK = changeOf('network', 'network');
const USER = changeOf('user', 'username');

export function managementService(ctx: OperationContext) {
  const { store } = ctx;
  const secretKey = ctx.auth.settings.secretKey;
  const op = <K extends wsdl.OperationName>(
    name: K,
    run: (args: Args, actor: Actor) => Answer<K>,
    change?: (args: Args) => AuditTarget,
  ) => [name, soapOperation(ctx, name, run, change)] as const;
  const views = (networks: Network[], actor: Actor) => Promise.all(networks.map((n) => viewOf(store, n, actor)));

  const operations = [
    op(
      'AddDataCenter',
      async (args, actor) => {
        const r = p.describedRequest(args);
        return { dataCenter: described(await addDataCenter(store, r.name, r.description, actor)) };
      },
      changeOf('data_center', 'name'),
    ),
    op('ListDataCenters', async (_args, actor) => ({
      dataCenter: (await listDataCenters(store, actor)).map(described),
    })),
    op(
      'RemoveDataCenter',
      async (args, actor) => {
        const name = p.nameRequest(args);
        await removeDataCenter(store, name, actor);
        return { name };
      },
      changeOf('data_center', 'name'),
    ),
    op(
      'AddTenant',
      async (args, actor) => {
        const r = p.describedRequest(args);
        return { tenant: described(await addTenant(store, r.name, r.description, actor)) };
      },
      changeOf('tenant', 'name'),
    ),
    op('ListTenants', async (_args, actor) => ({ tenant: (await listTenants(store, actor)).map(described) })),
    op(
      'RemoveTenant',
      async (args, actor) => {
        const name = p.nameRequest(args);
        await removeTenant(store, name, actor);
        return { name };
      },
      changeOf('tenant', 'name'),
    ),
    op(
      'AddZone',
      async (args, actor) => ({ zone: { name: (await addZone(store, p.nameRequest(args), actor)).name } }),
      changeOf('zone', 'name'),
    ),
    op('ListZones', async () => ({ zone: (await listZones(store)).map((z) => ({ name: z.name })) })),
    op(
      'RemoveZone',
      async (args, actor) => {
        const name = p.nameRequest(args);
        await removeZone(store, name, actor);
        return { name };
      },
      changeOf('zone', 'name'),
    ),
    op(
      'SetZoneDns',
      async (args, actor) => {
        const r = p.setZoneDnsRequest(args);
        return { zone: dnsZoneXml(await setZoneDns(store, r.zone, r.spec, { sealKey: secretKey }, actor)) };
      },
      changeOf((a) => dnsObjectType(a.zone), 'zone'),
    ),
    op(
      'ClearZoneDns',
      async (args, actor) => ({ zone: dnsZoneXml(await clearZoneDns(store, p.zoneRequest(args), actor)) }),
      changeOf((a) => dnsObjectType(a.zone), 'zone'),
    ),
    op('ListDnsZones', async (_args, actor) => ({ zone: (await listDnsZones(store, actor)).map(dnsZoneXml) })),

    op(
      'AddNetwork',
      async (args, actor) => ({
        network: networkXml(await viewOf(store, await addNetwork(store, p.addNetworkRequest(args), actor), actor)),
      }),
      changeOf('network', 'name'),
    ),
    op(
      'EditNetwork',
      async (args, actor) => {
        const r = p.editNetworkRequest(args);
        return { network: networkXml(await viewOf(store, await editNetwork(store, r.network, r.patch, actor), actor)) };
      },
      NETWORK,
    ),
    op(
      'TagNetwork',
      async (args, actor) => {
        const r = p.tagNetworkRequest(args);
        return {
          network: networkXml(await viewOf(store, await tagNetwork(store, r.network, r.set, r.remove, actor), actor)),
        };
      },
      NETWORK,
    ),
    op(
      'RemoveNetwork',
      async (args, actor) => {
        const r = p.removeNetworkRequest(args);
        const { network, released } = await removeNetwork(store, r.network, { force: r.force }, actor);
        return { network: network.name, cidr: network.cidr, releasedCount: released };
      },
      NETWORK,
    ),
    op(
      'SplitNetwork',
      async (args, actor) => {
        const r = p.splitNetworkRequest(args);
        const children = await splitNetwork(store, r.network, { prefixLength: r.prefixLength, names: r.names }, actor);
        return { network: (await views(children, actor)).map(networkXml) };
      },
      NETWORK,
    ),
    op(
      'MergeNetworks',
      async (args, actor) => {
        const r = p.mergeNetworksRequest(args);
        return {
          network: networkXml(
            await viewOf(store, await mergeNetworks(store, r.networks, { name: r.name }, actor), actor),
          ),
        };
      },
      NETWORK,
    ),

    op(
      'ReserveRange',
      async (args, actor) => {
        const r = p.reserveRangeRequest(args);
        return { reservation: reservationXml(await reserveRange(store, r.network, r, actor)) };
      },
      NETWORK,
    ),
    op(
      'UnreserveRange',
      async (args, actor) => {
        const r = p.unreserveRangeRequest(args);
        return { reservation: reservationXml(await unreserveRange(store, r.network, r.id, actor)) };
      },
      NETWORK,
    ),
    op('ListReservations', async (args, actor) => ({
      reservation: (await listReservations(store, p.networkRequest(args), actor)).map(reservationXml),
    })),

    op('SearchNetworks', async (args, actor) => {
      const r = await searchNetworks(store, p.searchNetworksRequest(args), actor);
      return { network: r.networks.map(networkXml), nextPage: r.nextPage };
    }),
    op('SearchAllocations', async (args, actor) => {
      const r = await searchAllocations(store, p.searchAllocationsRequest(args), actor);
      return { allocation: r.allocations.map(allocationXml), nextPage: r.nextPage };
    }),
    op('TenantUtilization', async (_args, actor) => {
      const rows = await tenantUtilization(store, actor);
      return {
        tenant: rows.map((t) => ({
          tenant: t.tenant,
          family: familyOf(t.family),
          networks: t.networks,
          assignable: String(t.assignable),
          used: String(t.used),
          free: String(t.free),
          percentUsed: t.percent.toFixed(2),
        })),
      };
    }),

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
  return { IpcdAdminService: { IpcdAdminPort: Object.fromEntries(operations) } };
}

const described = (x: { name: string; description: string | null }): Reply<wsdl.DataCenter> => ({
  name: x.name,
  description: x.description,
});

/** The view has no secret to leave out: the logic never puts it in one. */
const dnsZoneXml = (z: DnsZoneView): Reply<wsdl.DnsZone> => ({
  kind: z.kind,
  zone: z.zone,
  prefix: z.prefix,
  server: z.server,
  keyName: z.keyName,
  algorithm: z.algorithm,
  ttl: z.ttl,
  sealed: z.sealed,
});

const familyOf = (f: 4 | 6): wsdl.AddressFamily => (f === 4 ? 'IPv4' : 'IPv6');

/** The logic reads the reason back as text; one the contract does not know would be a bug. */
function releaseReasonOf(x: string | null): wsdl.ReleaseReason | null {
  if (x !== null && !(wsdl.ReleaseReason as readonly string[]).includes(x))
    throw new Error(`the release reason ${x} is not in the contract`);
  return x as wsdl.ReleaseReason | null;
}

const viewOf = (store: Store, n: Network, actor: Actor) => networkView(store, n.id, actor);

function networkXml(v: NetworkView): Reply<wsdl.Network> {
  const n = v.network;
  return {
    name: n.name,
    cidr: n.cidr,
    family: familyOf(n.family),
    dataCenter: v.dataCenter,
    vlan: n.vlan,
    vxlan: n.vxlan,
    tenant: v.tenant,
    priority: n.priority,
    zone: v.zone,
    gateway: n.gateway,
    reservePool: n.reservePool,
    namePattern: n.namePattern,
    holdDownSeconds: n.holdDownSeconds,
    tag: Object.entries(n.tags)
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([key, value]) => ({ key, value })),
    assignable: String(v.assignable),
    used: String(v.used),
    held: String(v.held),
    reserved: String(v.reserved),
    free: String(v.free),
    percentUsed: v.percent.toFixed(2),
  };
}

const reservationXml = (r: Reservation): Reply<wsdl.Reservation> => ({
  id: r.id,
  network: r.network,
  first: r.first,
  last: r.last,
  note: r.note,
  createdAt: r.createdAt.toISOString(),
});

const allocationXml = (a: AllocationView): Reply<wsdl.Allocation> => ({
  allocationId: a.allocationId,
  network: a.network,
  dataCenter: a.dataCenter,
  vlan: a.vlan,
  tenant: a.tenant,
  serverInstance: a.serverInstance,
  intent: a.intent,
  address: a.address,
  fqdn: a.fqdn,
  createdAt: a.createdAt.toISOString(),
  releasedAt: a.releasedAt?.toISOString(),
  releaseReason: releaseReasonOf(a.releaseReason),
  dns: { state: a.dns.state, detail: a.dns.detail },
});

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
