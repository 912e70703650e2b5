/**
 * What a backend under the port contract offers (after metal-stack go-ipam's pkg/test/suite: one
 * suite, called by each backend's test): the allocator, and transactions over the ports.
 */
import type { AccessPort } from '../../../src/logic/access/port';
import type { AlertsPort } from '../../../src/logic/alerts/port';
import type { Allocator, CommissionPlan } from '../../../src/logic/allocation/allocator-port';
import type { AuditPort } from '../../../src/logic/audit/port';
import { assignableRanges, formatAddress, parseAddress, parseCidr } from '../../../src/logic/core/ip';
import type { Network } from '../../../src/logic/core/model';
import type { ContainerPort } from '../../../src/logic/topology/container-port';
import type { TopologyPort } from '../../../src/logic/topology/port';

export type Ports = {
  topology: TopologyPort;
  containers: ContainerPort;
  audit: AuditPort;
  access: AccessPort;
  alerts: AlertsPort;
};

export interface ContractBackend {
  allocator: Allocator;
  transaction<T>(fn: (tx: Ports) => Promise<T>): Promise<T>;
  dispose(): Promise<void>;
}

export type OpenBackend = () => Promise<ContractBackend>;

export interface NetworkInput {
  name: string;
  cidr: string;
  dataCenterId: number;
  vlan?: number | null;
  tenantId?: number | null;
  zoneId?: number | null;
  reservePool?: boolean;
  priority?: number;
  /** Omitted: the first host address. */
  gateway?: string | null;
  holdDownSeconds?: number;
}

/** Adds a network through the port as addNetwork does: every assignable address free. */
export function insertNetwork(tx: Ports, n: NetworkInput): Promise<Network> {
  const cidr = parseCidr(n.cidr);
  const gw = n.gateway === undefined ? cidr.network + 1n : n.gateway === null ? null : parseAddress(n.gateway)!.value;
  const gatewayText = gw === null ? null : formatAddress(cidr.family, gw);
  return tx.topology.insertNetwork(
    {
      name: n.name,
      cidr: cidr.text,
      family: cidr.family,
      dataCenterId: n.dataCenterId,
      vlan: n.vlan ?? null,
      vxlan: null,
      tenantId: n.tenantId ?? null,
      priority: n.priority ?? 100,
      zoneId: n.zoneId ?? null,
      gateway: gatewayText,
      reservePool: n.reservePool ?? false,
      namePattern: 'vm-{seq:6}',
      tags: {},
      holdDownSeconds: n.holdDownSeconds ?? 0,
    },
    assignableRanges(cidr, gw),
  );
}

/** A commission plan for one candidate network, as the logic would make it. */
export function plan(
  version: bigint,
  p: Partial<CommissionPlan> & Pick<CommissionPlan, 'dataCenterId' | 'vlan' | 'serverInstance' | 'candidates'>,
): CommissionPlan {
  return {
    version: version.toString(),
    allocationId: globalThis.crypto.randomUUID(),
    intent: 'IPv4',
    wantAddress: true,
    audit: {
      actor: 'contract',
      role: 'admin',
      operation: 'CommissionIP',
      requestId: null,
      after: { address: '$address', network: '$network', fqdn: '$fqdn', source: '$source' },
    },
    ...p,
  };
}
