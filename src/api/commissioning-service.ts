/**
 * The three commissioning operations as node-soap handlers: parse, call the logic, shape the
 * response in the schema's element order, and turn refusals into contract faults.
 */
import type { IncomingMessage } from 'node:http';
import { commission, nameOnly, type CommissionResult } from '../logic/commission';
import { decommission } from '../logic/decommission';
import type { Store } from '../logic/ports';
import type { Logger } from '../logger';
import { NS } from './contract';
import { faultcode, faultInfo } from './fault';
import { listAllocations } from '../logic/listing';
import { commissionRequest, decommissionRequest, listRequest, nameOnlyRequest } from './parse';

type Args = Record<string, unknown>;
type Handler = (args: Args, cb: unknown, headers: unknown, req: IncomingMessage & { ipcdRequestId?: string }) => Promise<unknown>;

export function commissioningService(store: Store, log: Logger) {
  /** Wraps one operation with the request log line and fault mapping. */
  const operation =
    (name: string, run: (args: Args) => Promise<object>): Handler =>
    async (args, _cb, _headers, req) => {
      const started = process.hrtime.bigint();
      const context = { requestId: req.ipcdRequestId, operation: name, vlan: args?.vlan, dataCenter: args?.dataCenter };
      const ms = () => Number(process.hrtime.bigint() - started) / 1e6;
      try {
        const response = await run(args ?? {});
        log.info('request', { ...context, outcome: 'ok', durationMs: ms() });
        return response;
      } catch (e) {
        const f = faultInfo(e);
        if (f.code === 'INTERNAL') log.error('request failed', { ...context, outcome: 'fault', faultCode: f.code, error: String((e as Error)?.stack ?? e), durationMs: ms() });
        else log.info('request', { ...context, outcome: 'fault', faultCode: f.code, durationMs: ms() });
        throw {
          Fault: {
            faultcode: faultcode(f.code),
            faultstring: f.message,
            detail: { 'ipcd:IpcdFault': { attributes: { 'xmlns:ipcd': NS }, 'ipcd:code': f.code, 'ipcd:message': f.message } },
            statusCode: 500,
          },
        };
      }
    };

  return {
    IpcdService: {
      IpcdPort: {
        CommissionIP: operation('CommissionIP', async (args) => commissionResponse(await commission(store, commissionRequest(args)))),
        NameOnly: operation('NameOnly', async (args) => {
          const r = await nameOnly(store, nameOnlyRequest(args));
          return { allocationId: r.allocationId, network: r.network.name, dataCenter: r.dataCenter, name: r.name, zone: r.zone, fqdn: r.fqdn, existing: r.existing };
        }),
        ListAllocations: operation('ListAllocations', async (args) => {
          const page = await listAllocations(store, listRequest(args));
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
              }),
            ),
            nextPage: page.nextPage,
          });
        }),
        DecommissionIP: operation('DecommissionIP', async (args) => {
          const released = await decommission(store, decommissionRequest(args));
          return {
            releasedCount: released.length,
            released: released.map((r) => present({ allocationId: r.allocationId, network: r.network, serverInstance: r.serverInstance, address: r.address, fqdn: r.fqdn })),
          };
        }),
      },
    },
  };
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

/** Drops absent optional elements (minOccurs=0) instead of sending them empty. */
function present<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== null && v !== undefined)) as Partial<T>;
}
