/**
 * The three commissioning operations as node-soap handlers: parse, call the logic, shape the
 * response in the schema's element order, and turn refusals into contract faults.
 */
import { commission, nameOnly, type CommissionResult } from '../logic/allocation/commission';
import { release, type DecommissionResult } from '../logic/allocation/decommission';
import { commissionIPBatch, decommissionIPBatch } from './batch';
import { present, soapOperation, type Args, type OperationContext } from './operation';
import type { AuditTarget } from '../logic/audit/audit';
import { listAllocations } from '../logic/reporting/listing';
import { commissionRequest, decommissionRequest, listRequest, nameOnlyRequest } from './parse';

/** The audit target of a refused commission or release: the allocation asked for, by server instance. */
const ALLOCATION = (args: Args): AuditTarget => ({ objectType: 'allocation', serverInstance: typeof args.serverInstance === 'string' ? args.serverInstance.slice(0, 255) : null });

/** A batch refused as a whole (its shape, the caller): one row, no single allocation named. */
const BATCH = (): AuditTarget => ({ objectType: 'allocation', serverInstance: null });

export function commissioningService(ctx: OperationContext) {
  const { store } = ctx;
  return {
    IpcdService: {
      IpcdPort: {
        CommissionIP: soapOperation(ctx, 'CommissionIP', async (args, actor) => commissionResponse(await commission(store, commissionRequest(args), actor)), ALLOCATION),
        NameOnly: soapOperation(ctx, 'NameOnly', async (args, actor) => {
          const r = await nameOnly(store, nameOnlyRequest(args), actor);
          return { allocationId: r.allocationId, network: r.network.name, dataCenter: r.dataCenter, name: r.name, zone: r.zone, fqdn: r.fqdn, existing: r.existing };
        }, ALLOCATION),
        ListAllocations: soapOperation(ctx, 'ListAllocations', async (args, actor) => {
          const page = await listAllocations(store, listRequest(args), actor);
          return present({
            allocation: page.allocations.map((a) =>
              present({
                allocationId: a.allocationId,
                dataCenter: a.dataCenter,
                vlan: a.vlan,
                network: a.network,
                serverInstance: a.serverInstance,
                intent: a.intent,
                address: a.address,
                fqdn: a.fqdn,
                createdAt: a.createdAt.toISOString(),
                dns: present({ state: a.dns.state, detail: a.dns.detail }),
              }),
            ),
            nextPage: page.nextPage,
          });
        }),
        DecommissionIP: soapOperation(ctx, 'DecommissionIP', async (args, actor) => decommissionResponse(await release(store, decommissionRequest(args), actor)), ALLOCATION),
        CommissionIPBatch: soapOperation(ctx, 'CommissionIPBatch', (args, actor) => commissionIPBatch(ctx, args, actor, commissionResponse), BATCH),
        DecommissionIPBatch: soapOperation(ctx, 'DecommissionIPBatch', (args, actor) => decommissionIPBatch(ctx, args, actor, decommissionResponse), BATCH),
      },
    },
  };
}

function decommissionResponse({ released, alreadyReleased }: DecommissionResult) {
  return present({
    releasedCount: released.length,
    released: released.map((r) => present({ allocationId: r.allocationId, network: r.network, serverInstance: r.serverInstance, address: r.address, fqdn: r.fqdn })),
    alreadyReleased: alreadyReleased || null,
  });
}

function commissionResponse(r: CommissionResult) {
  return present({
    allocationId: r.allocationId,
    network: r.network.name,
    dataCenter: r.dataCenter,
    vlan: r.network.vlan,
    source: r.source,
    address: r.address,
    prefixLength: r.prefixLength,
    gateway: r.address === null ? null : r.gateway,
    name: r.name,
    zone: r.zone,
    fqdn: r.fqdn,
    existing: r.existing,
  });
}
