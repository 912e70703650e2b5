/**
 * The commissioning operations as handlers: parse, call the logic, answer with the contract's
 * response (typed by src/contract; soapOperation puts it in the schema's element order), and turn
 * refusals into contract faults.
 */
import type { Actor } from '../logic/access/policy';
import { commission, nameOnly, type CommissionResult } from '../logic/allocation/commission';
import { release, type DecommissionResult } from '../logic/allocation/decommission';
import type { commissioning } from '../contract';
import { commissionIPBatch, decommissionIPBatch } from './batch';
import { soapOperation, type Args, type OperationContext } from './operation';
import type { Reply } from './reply';
import type { AuditTarget } from '../logic/audit/audit';
import { listAllocations } from '../logic/reporting/listing';
import { commissionRequest, decommissionRequest, listRequest, nameOnlyRequest } from './parse';

/** The audit target of a refused commission or release: the allocation asked for, by server instance. */
const ALLOCATION = (args: Args): AuditTarget => ({
  objectType: 'allocation',
  serverInstance: typeof args.serverInstance === 'string' ? args.serverInstance.slice(0, 255) : null,
});

/** A batch refused as a whole (its shape, the caller): one row, no single allocation named. */
const BATCH = (): AuditTarget => ({ objectType: 'allocation', serverInstance: null });

type Answer<K extends commissioning.OperationName> = Promise<Reply<commissioning.Operations[K]['output']>>;

export function commissioningService(ctx: OperationContext) {
  const { store } = ctx;
  const op = <K extends commissioning.OperationName>(
    name: K,
    run: (args: Args, actor: Actor) => Answer<K>,
    change?: (args: Args) => AuditTarget,
  ) => soapOperation(ctx, name, run, change);
  return {
    IpcdService: {
      IpcdPort: {
        CommissionIP: op(
          'CommissionIP',
          async (args, actor) => commissionResponse(await commission(store, commissionRequest(args), actor)),
          ALLOCATION,
        ),
        NameOnly: op(
          'NameOnly',
          async (args, actor) => {
            const r = await nameOnly(store, nameOnlyRequest(args), actor);
            return {
              allocationId: r.allocationId,
              network: r.network.name,
              dataCenter: r.dataCenter,
              name: issued(r.name),
              zone: issued(r.zone),
              fqdn: issued(r.fqdn),
              existing: r.existing,
            };
          },
          ALLOCATION,
        ),
        ListAllocations: op('ListAllocations', async (args, actor) => {
          const page = await listAllocations(store, listRequest(args), actor);
          return {
            allocation: page.allocations.map((a) => ({
              allocationId: a.allocationId,
              dataCenter: a.dataCenter,
              vlan: a.vlan,
              network: a.network,
              serverInstance: a.serverInstance,
              intent: a.intent,
              address: a.address,
              fqdn: a.fqdn,
              createdAt: a.createdAt.toISOString(),
              dns: { state: a.dns.state, detail: a.dns.detail },
            })),
            nextPage: page.nextPage,
          };
        }),
        DecommissionIP: op(
          'DecommissionIP',
          async (args, actor) => decommissionResponse(await release(store, decommissionRequest(args), actor)),
          ALLOCATION,
        ),
        CommissionIPBatch: op(
          'CommissionIPBatch',
          (args, actor) => commissionIPBatch(ctx, args, actor, commissionResponse),
          BATCH,
        ),
        DecommissionIPBatch: op(
          'DecommissionIPBatch',
          (args, actor) => decommissionIPBatch(ctx, args, actor, decommissionResponse),
          BATCH,
        ),
      },
    },
  };
}

function decommissionResponse({
  released,
  alreadyReleased,
}: DecommissionResult): Reply<commissioning.DecommissionIPResponse> {
  return {
    releasedCount: released.length,
    released: released.map((r) => ({
      allocationId: r.allocationId,
      network: r.network,
      serverInstance: r.serverInstance,
      address: r.address,
      fqdn: r.fqdn,
    })),
    alreadyReleased: alreadyReleased || null,
  };
}

/** NameOnly always issues a name, so the logic's nullable fields are set (null here would be a bug). */
function issued(x: string | null): string {
  if (x === null) throw new Error('NameOnly answered without a name');
  return x;
}

function commissionResponse(r: CommissionResult): Reply<commissioning.CommissionIPResponse> {
  return {
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
  };
}
