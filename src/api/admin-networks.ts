/**
 * The network operations of the management service (see admin-service.ts): networks, containers
 * and carving, reservations, search and utilization, with the replies that show a network's
 * counts. Kept together because they share the network view (viewOf, networkXml, familyOf).
 */
import type { Network } from '../logic/core/model';
import { editNetwork, mergeNetworks, removeNetwork, splitNetwork, tagNetwork } from '../logic/topology/networks';
import type { Actor } from '../logic/access/policy';
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
import { addNetwork } from '../logic/topology/topology';
import {
  addContainer,
  allocateNetwork,
  containerView,
  listContainers,
  removeContainer,
  type ContainerView,
} from '../logic/topology/containers';
import { management as wsdl } from '../contract';
import * as p from './admin-parse';
import { adminOperation } from './admin-operation';
import { changeOf, type OperationContext } from './operation';
import type { Reply } from './reply';

const NETWORK = changeOf('network', 'network');

export function networkOperations(ctx: OperationContext) {
  const { store } = ctx;
  const op = adminOperation(ctx);
  const views = (networks: Network[], actor: Actor) => Promise.all(networks.map((n) => viewOf(store, n, actor)));
  return [
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
      'AddContainer',
      async (args, actor) => {
        return {
          container: containerXml(
            await containerView(store, await addContainer(store, p.addContainerRequest(args), actor)),
          ),
        };
      },
      changeOf('container', 'name'),
    ),
    op('ListContainers', async (args, actor) => ({
      container: (await listContainers(store, p.listContainersRequest(args), actor)).map(containerXml),
    })),
    op(
      'RemoveContainer',
      async (args, actor) => ({ name: (await removeContainer(store, p.nameRequest(args), actor)).name }),
      changeOf('container', 'name'),
    ),
    op(
      'AllocateNetwork',
      async (args, actor) => {
        const r = await allocateNetwork(store, p.allocateNetworkRequest(args), actor);
        return {
          network: networkXml(await viewOf(store, r.network, actor)),
          container: r.container.name,
          existing: r.existing,
        };
      },
      changeOf('network', 'name'),
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
  ];
}

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

const containerXml = (c: ContainerView): Reply<wsdl.Container> => ({
  name: c.name,
  cidr: c.cidr,
  family: familyOf(c.family),
  dataCenter: c.dataCenter,
  tenant: c.tenant,
  description: c.description,
  size: String(c.size),
  used: String(c.used),
  percentUsed: c.percent.toFixed(2),
  network: c.networks.map(({ network: n, carved }) => ({ name: n.name, cidr: n.cidr, vlan: n.vlan, carved })),
});

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
