/**
 * The management operations (wsdl/ipcd-admin.wsdl) as node-soap handlers: parse, call the logic
 * with the caller as actor, answer with the contract's response (typed by src/contract;
 * soapOperation puts it in the schema's element order). Who may do what is the logic's to decide
 * (src/logic/access/policy.ts); nothing here checks a role.
 *
 * By concern: the directory (data centers, tenants, zones, DNS publication) here; networks,
 * containers, reservations and search in admin-networks.ts; users, audit and metering in
 * admin-accounts.ts.
 */
import { clearZoneDns, dnsObjectType, listDnsZones, setZoneDns, type DnsZoneView } from '../logic/dns/dns-config';
import {
  addDataCenter,
  addTenant,
  addZone,
  listDataCenters,
  listTenants,
  listZones,
  removeDataCenter,
  removeTenant,
  removeZone,
} from '../logic/topology/topology';
import { management as wsdl } from '../contract';
import * as p from './admin-parse';
import { accountOperations } from './admin-accounts';
import { networkOperations } from './admin-networks';
import { adminOperation } from './admin-operation';
import { changeOf, type OperationContext } from './operation';
import type { Reply } from './reply';

export function managementService(ctx: OperationContext) {
  const operations = [...directoryOperations(ctx), ...networkOperations(ctx), ...accountOperations(ctx)];
  return { IpcdAdminService: { IpcdAdminPort: Object.fromEntries(operations) } };
}

function directoryOperations(ctx: OperationContext) {
  const { store } = ctx;
  const secretKey = ctx.auth.settings.secretKey;
  const op = adminOperation(ctx);
  return [
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
  ];
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
