// Generated from wsdl/ipcd.wsdl by scripts/gen-contract.ts (npm run build runs it). Do not edit: edit the WSDL.
import type { ContractModel, Scalars, Wire } from '../model';

/** The target namespace of wsdl/ipcd.wsdl. */
export const NS = 'http://ipcd.example.org/ns/commissioning/v1';

export const AddressFamily = ['IPv4', 'IPv6'] as const;
export type AddressFamily = (typeof AddressFamily)[number];

/** Which branch of the commissioning flow supplied the address. */
export const AllocationSource = ['VLAN', 'TENANT_ALTERNATE', 'RESERVE_POOL'] as const;
export type AllocationSource = (typeof AllocationSource)[number];

/** Why the server instance gave its resources up: deleted, or migrated to another cloud. */
export const ReleaseReason = ['DELETED', 'MIGRATED'] as const;
export type ReleaseReason = (typeof ReleaseReason)[number];

export const FaultCode = ['INVALID_REQUEST', 'UNKNOWN_DATA_CENTER', 'UNKNOWN_VLAN', 'AMBIGUOUS_VLAN', 'NO_FREE_ADDRESS', 'NO_ZONE', 'NAME_EXHAUSTED', 'NOT_FOUND', 'CONFLICT', 'NETWORK_IN_USE', 'SPLIT_REFUSED', 'MERGE_REFUSED', 'NO_FREE_PREFIX', 'BATCH_ABORTED', 'UNSUPPORTED_OPERATION', 'REQUEST_TOO_LARGE', 'AUTHENTICATION_FAILED', 'MUST_UNDERSTAND', 'ACCESS_DENIED', 'BUSY', 'UNAVAILABLE', 'INTERNAL'] as const;
export type FaultCode = (typeof FaultCode)[number];

export interface CommissionIP {
  /** Required when the VLAN number exists in more than one data center. */
  dataCenter?: string;
  vlan: number;
  serverInstance: string;
  /** Default: true. */
  wantAddress?: boolean;
  /** Default: false. */
  wantName?: boolean;
  hostnameHint?: string;
  /** Default: IPv4. */
  addressFamily?: AddressFamily;
}

export interface CommissionIPResponse {
  allocationId: string;
  network: string;
  dataCenter: string;
  vlan?: number;
  source?: AllocationSource;
  address?: string;
  prefixLength?: number;
  gateway?: string;
  name?: string;
  zone?: string;
  fqdn?: string;
  /** True when the server instance already held this allocation on the VLAN: a retried request gets the same address and name, never a second one. */
  existing?: boolean;
}

export interface DecommissionIP {
  dataCenter?: string;
  vlan: number;
  /** The allocationId CommissionIP returned: the form that is safe to retry (a repeat answers alreadyReleased). A serverInstance is safe to retry too; a bare address or name is not: once released it may already belong to the next VM. */
  allocationId?: string;
  address?: string;
  /** A host name or FQDN issued by ipcd. */
  name?: string;
  serverInstance?: string;
  /** Default: true. */
  releaseAddress?: boolean;
  /** Default: true. */
  releaseName?: boolean;
  /** Default: DELETED. */
  reason?: ReleaseReason;
}

export interface Released {
  allocationId: string;
  network: string;
  serverInstance: string;
  address?: string;
  fqdn?: string;
}

export interface DecommissionIPResponse {
  releasedCount: number;
  released: Released[];
  /** true: the allocationId named was released before (a retried request); nothing was done. */
  alreadyReleased?: boolean;
}

export interface NameOnly {
  dataCenter?: string;
  vlan: number;
  serverInstance: string;
  hostnameHint?: string;
}

export interface NameOnlyResponse {
  allocationId: string;
  network: string;
  dataCenter: string;
  name: string;
  zone: string;
  fqdn: string;
  existing?: boolean;
}

export const Intent = ['IPv4', 'IPv6', 'NAME'] as const;
export type Intent = (typeof Intent)[number];

export interface ListAllocations {
  dataCenter?: string;
  vlan?: number;
  serverInstance?: string;
  /** Default: 100. */
  pageSize?: number;
  /** The nextPage value of the previous page. */
  after?: string;
}

export interface IssuedAllocation<S extends Scalars = Wire> {
  allocationId: string;
  dataCenter: string;
  vlan: number;
  network: string;
  serverInstance: string;
  intent: Intent;
  address?: string;
  fqdn?: string;
  createdAt: S['dateTime'];
  dns?: DnsPublication;
}

/** PUBLISHED: the A/AAAA and PTR records are on the authoritative servers. PENDING: queued or being retried (detail: the last error). FAILED: a server refused them (detail: why); an administrator must act. NOT_CONFIGURED: no server is configured for the zone. NONE: nothing to publish (a name without an address, or an address without a name). */
export const DnsState = ['PENDING', 'PUBLISHED', 'FAILED', 'NOT_CONFIGURED', 'NONE'] as const;
export type DnsState = (typeof DnsState)[number];

export interface DnsPublication {
  state: DnsState;
  detail?: string;
}

export interface ListAllocationsResponse<S extends Scalars = Wire> {
  allocation: IssuedAllocation<S>[];
  nextPage?: string;
}

/** Up to 1000 CommissionIP requests, each carried out exactly as CommissionIP (idempotent per server instance: a repeated item or a retried batch gets the same allocation with existing = true). atomic false (the default): each item on its own. atomic true: every item or none is written. */
export interface CommissionIPBatch {
  /** Default: false. */
  atomic?: boolean;
  CommissionIP: CommissionIP[];
}

export interface CommissionIPBatchResult {
  /** The item's position in the request, from 1. */
  item: number;
  CommissionIPResponse?: CommissionIPResponse;
  IpcdFault?: IpcdFault;
}

export interface CommissionIPBatchResponse {
  succeeded: number;
  failed: number;
  /** atomic only: the position of the item that was refused (its result holds the reason); nothing of the batch was written and every other item's result is the fault BATCH_ABORTED. */
  failedItem?: number;
  result: CommissionIPBatchResult[];
}

/** Up to 1000 DecommissionIP requests, each carried out exactly as DecommissionIP. atomic false (the default): each item on its own. atomic true: every item or none is carried out. */
export interface DecommissionIPBatch {
  /** Default: false. */
  atomic?: boolean;
  DecommissionIP: DecommissionIP[];
}

export interface DecommissionIPBatchResult {
  item: number;
  DecommissionIPResponse?: DecommissionIPResponse;
  IpcdFault?: IpcdFault;
}

export interface DecommissionIPBatchResponse {
  succeeded: number;
  failed: number;
  failedItem?: number;
  result: DecommissionIPBatchResult[];
}

export interface IpcdFault {
  code: FaultCode;
  message: string;
}

/** The contract as data: operations, element order and occurrences, defaults, simple-type facets. */
export const CONTRACT = {
  ns: NS,
  operations: {
    CommissionIP: { input: 'CommissionIP', output: 'CommissionIPResponse', faults: ['IpcdFault'] },
    DecommissionIP: { input: 'DecommissionIP', output: 'DecommissionIPResponse', faults: ['IpcdFault'] },
    NameOnly: { input: 'NameOnly', output: 'NameOnlyResponse', faults: ['IpcdFault'] },
    ListAllocations: { input: 'ListAllocations', output: 'ListAllocationsResponse', faults: ['IpcdFault'] },
    CommissionIPBatch: { input: 'CommissionIPBatch', output: 'CommissionIPBatchResponse', faults: ['IpcdFault'] },
    DecommissionIPBatch: { input: 'DecommissionIPBatch', output: 'DecommissionIPBatchResponse', faults: ['IpcdFault'] },
  },
  elements: {
    CommissionIP: 'CommissionIP',
    CommissionIPResponse: 'CommissionIPResponse',
    DecommissionIP: 'DecommissionIP',
    DecommissionIPResponse: 'DecommissionIPResponse',
    NameOnly: 'NameOnly',
    NameOnlyResponse: 'NameOnlyResponse',
    ListAllocations: 'ListAllocations',
    ListAllocationsResponse: 'ListAllocationsResponse',
    CommissionIPBatch: 'CommissionIPBatch',
    CommissionIPBatchResponse: 'CommissionIPBatchResponse',
    DecommissionIPBatch: 'DecommissionIPBatch',
    DecommissionIPBatchResponse: 'DecommissionIPBatchResponse',
    IpcdFault: 'IpcdFault',
  },
  types: {
    CommissionIP: [
      { name: 'dataCenter', type: 'DataCenterName', min: 0, max: 1 },
      { name: 'vlan', type: 'VlanId', min: 1, max: 1 },
      { name: 'serverInstance', type: 'ServerInstance', min: 1, max: 1 },
      { name: 'wantAddress', type: 'xsd:boolean', min: 0, max: 1, default: 'true' },
      { name: 'wantName', type: 'xsd:boolean', min: 0, max: 1, default: 'false' },
      { name: 'hostnameHint', type: 'HostLabel', min: 0, max: 1 },
      { name: 'addressFamily', type: 'AddressFamily', min: 0, max: 1, default: 'IPv4' },
    ],
    CommissionIPResponse: [
      { name: 'allocationId', type: 'xsd:string', min: 1, max: 1 },
      { name: 'network', type: 'xsd:string', min: 1, max: 1 },
      { name: 'dataCenter', type: 'xsd:string', min: 1, max: 1 },
      { name: 'vlan', type: 'xsd:int', min: 0, max: 1 },
      { name: 'source', type: 'AllocationSource', min: 0, max: 1 },
      { name: 'address', type: 'xsd:string', min: 0, max: 1 },
      { name: 'prefixLength', type: 'xsd:int', min: 0, max: 1 },
      { name: 'gateway', type: 'xsd:string', min: 0, max: 1 },
      { name: 'name', type: 'xsd:string', min: 0, max: 1 },
      { name: 'zone', type: 'xsd:string', min: 0, max: 1 },
      { name: 'fqdn', type: 'xsd:string', min: 0, max: 1 },
      { name: 'existing', type: 'xsd:boolean', min: 0, max: 1 },
    ],
    DecommissionIP: [
      { name: 'dataCenter', type: 'DataCenterName', min: 0, max: 1 },
      { name: 'vlan', type: 'VlanId', min: 1, max: 1 },
      { name: 'allocationId', type: 'AllocationId', min: 0, max: 1 },
      { name: 'address', type: 'xsd:string', min: 0, max: 1 },
      { name: 'name', type: 'xsd:string', min: 0, max: 1 },
      { name: 'serverInstance', type: 'ServerInstance', min: 0, max: 1 },
      { name: 'releaseAddress', type: 'xsd:boolean', min: 0, max: 1, default: 'true' },
      { name: 'releaseName', type: 'xsd:boolean', min: 0, max: 1, default: 'true' },
      { name: 'reason', type: 'ReleaseReason', min: 0, max: 1, default: 'DELETED' },
    ],
    Released: [
      { name: 'allocationId', type: 'xsd:string', min: 1, max: 1 },
      { name: 'network', type: 'xsd:string', min: 1, max: 1 },
      { name: 'serverInstance', type: 'xsd:string', min: 1, max: 1 },
      { name: 'address', type: 'xsd:string', min: 0, max: 1 },
      { name: 'fqdn', type: 'xsd:string', min: 0, max: 1 },
    ],
    DecommissionIPResponse: [
      { name: 'releasedCount', type: 'xsd:int', min: 1, max: 1 },
      { name: 'released', type: 'Released', min: 0, max: null },
      { name: 'alreadyReleased', type: 'xsd:boolean', min: 0, max: 1 },
    ],
    NameOnly: [
      { name: 'dataCenter', type: 'DataCenterName', min: 0, max: 1 },
      { name: 'vlan', type: 'VlanId', min: 1, max: 1 },
      { name: 'serverInstance', type: 'ServerInstance', min: 1, max: 1 },
      { name: 'hostnameHint', type: 'HostLabel', min: 0, max: 1 },
    ],
    NameOnlyResponse: [
      { name: 'allocationId', type: 'xsd:string', min: 1, max: 1 },
      { name: 'network', type: 'xsd:string', min: 1, max: 1 },
      { name: 'dataCenter', type: 'xsd:string', min: 1, max: 1 },
      { name: 'name', type: 'xsd:string', min: 1, max: 1 },
      { name: 'zone', type: 'xsd:string', min: 1, max: 1 },
      { name: 'fqdn', type: 'xsd:string', min: 1, max: 1 },
      { name: 'existing', type: 'xsd:boolean', min: 0, max: 1 },
    ],
    ListAllocations: [
      { name: 'dataCenter', type: 'DataCenterName', min: 0, max: 1 },
      { name: 'vlan', type: 'VlanId', min: 0, max: 1 },
      { name: 'serverInstance', type: 'ServerInstance', min: 0, max: 1 },
      { name: 'pageSize', type: 'ListAllocations.pageSize', min: 0, max: 1, default: '100' },
      { name: 'after', type: 'xsd:string', min: 0, max: 1 },
    ],
    IssuedAllocation: [
      { name: 'allocationId', type: 'xsd:string', min: 1, max: 1 },
      { name: 'dataCenter', type: 'xsd:string', min: 1, max: 1 },
      { name: 'vlan', type: 'xsd:int', min: 1, max: 1 },
      { name: 'network', type: 'xsd:string', min: 1, max: 1 },
      { name: 'serverInstance', type: 'xsd:string', min: 1, max: 1 },
      { name: 'intent', type: 'Intent', min: 1, max: 1 },
      { name: 'address', type: 'xsd:string', min: 0, max: 1 },
      { name: 'fqdn', type: 'xsd:string', min: 0, max: 1 },
      { name: 'createdAt', type: 'xsd:dateTime', min: 1, max: 1 },
      { name: 'dns', type: 'DnsPublication', min: 0, max: 1 },
    ],
    DnsPublication: [
      { name: 'state', type: 'DnsState', min: 1, max: 1 },
      { name: 'detail', type: 'xsd:string', min: 0, max: 1 },
    ],
    ListAllocationsResponse: [
      { name: 'allocation', type: 'IssuedAllocation', min: 0, max: null },
      { name: 'nextPage', type: 'xsd:string', min: 0, max: 1 },
    ],
    CommissionIPBatch: [
      { name: 'atomic', type: 'xsd:boolean', min: 0, max: 1, default: 'false' },
      { name: 'CommissionIP', type: 'CommissionIP', min: 1, max: 1000 },
    ],
    CommissionIPBatchResult: [
      { name: 'item', type: 'xsd:int', min: 1, max: 1 },
      { name: 'CommissionIPResponse', type: 'CommissionIPResponse', min: 0, max: 1 },
      { name: 'IpcdFault', type: 'IpcdFault', min: 0, max: 1 },
    ],
    CommissionIPBatchResponse: [
      { name: 'succeeded', type: 'xsd:int', min: 1, max: 1 },
      { name: 'failed', type: 'xsd:int', min: 1, max: 1 },
      { name: 'failedItem', type: 'xsd:int', min: 0, max: 1 },
      { name: 'result', type: 'CommissionIPBatchResult', min: 1, max: 1000 },
    ],
    DecommissionIPBatch: [
      { name: 'atomic', type: 'xsd:boolean', min: 0, max: 1, default: 'false' },
      { name: 'DecommissionIP', type: 'DecommissionIP', min: 1, max: 1000 },
    ],
    DecommissionIPBatchResult: [
      { name: 'item', type: 'xsd:int', min: 1, max: 1 },
      { name: 'DecommissionIPResponse', type: 'DecommissionIPResponse', min: 0, max: 1 },
      { name: 'IpcdFault', type: 'IpcdFault', min: 0, max: 1 },
    ],
    DecommissionIPBatchResponse: [
      { name: 'succeeded', type: 'xsd:int', min: 1, max: 1 },
      { name: 'failed', type: 'xsd:int', min: 1, max: 1 },
      { name: 'failedItem', type: 'xsd:int', min: 0, max: 1 },
      { name: 'result', type: 'DecommissionIPBatchResult', min: 1, max: 1000 },
    ],
    IpcdFault: [
      { name: 'code', type: 'FaultCode', min: 1, max: 1 },
      { name: 'message', type: 'xsd:string', min: 1, max: 1 },
    ],
  },
  simpleTypes: {
    VlanId: { base: 'xsd:int', minInclusive: '1', maxInclusive: '4094' },
    DataCenterName: { base: 'xsd:string', pattern: ['[A-Za-z0-9][A-Za-z0-9._\\-]{0,62}'] },
    AllocationId: { base: 'xsd:string', pattern: ['[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}'] },
    ServerInstance: { base: 'xsd:string', minLength: 1, maxLength: 255 },
    HostLabel: { base: 'xsd:string', pattern: ['[A-Za-z0-9]([A-Za-z0-9\\-]{0,61}[A-Za-z0-9])?'] },
    AddressFamily: { base: 'xsd:string', enumeration: ['IPv4', 'IPv6'] },
    AllocationSource: { base: 'xsd:string', enumeration: ['VLAN', 'TENANT_ALTERNATE', 'RESERVE_POOL'] },
    ReleaseReason: { base: 'xsd:string', enumeration: ['DELETED', 'MIGRATED'] },
    FaultCode: { base: 'xsd:string', enumeration: ['INVALID_REQUEST', 'UNKNOWN_DATA_CENTER', 'UNKNOWN_VLAN', 'AMBIGUOUS_VLAN', 'NO_FREE_ADDRESS', 'NO_ZONE', 'NAME_EXHAUSTED', 'NOT_FOUND', 'CONFLICT', 'NETWORK_IN_USE', 'SPLIT_REFUSED', 'MERGE_REFUSED', 'NO_FREE_PREFIX', 'BATCH_ABORTED', 'UNSUPPORTED_OPERATION', 'REQUEST_TOO_LARGE', 'AUTHENTICATION_FAILED', 'MUST_UNDERSTAND', 'ACCESS_DENIED', 'BUSY', 'UNAVAILABLE', 'INTERNAL'] },
    Intent: { base: 'xsd:string', enumeration: ['IPv4', 'IPv6', 'NAME'] },
    'ListAllocations.pageSize': { base: 'xsd:int', minInclusive: '1', maxInclusive: '1000' },
    DnsState: { base: 'xsd:string', enumeration: ['PENDING', 'PUBLISHED', 'FAILED', 'NOT_CONFIGURED', 'NONE'] },
  },
} satisfies ContractModel;

/** Each operation's request and response element. */
export interface Operations<S extends Scalars = Wire> {
  /** Issue a free IP address and/or a unique DNS name for a server instance on a VLAN. */
  CommissionIP: { input: CommissionIP; output: CommissionIPResponse };
  /** Release, at once, the address and/or name identified by allocationId, address, name or server instance. By allocationId or serverInstance a retry is safe; by a bare address or name it is not. */
  DecommissionIP: { input: DecommissionIP; output: DecommissionIPResponse };
  /** Issue a unique generated name in the default zone of the VLAN's first network, no address. */
  NameOnly: { input: NameOnly; output: NameOnlyResponse };
  /** List active allocations (by data center, VLAN and/or server instance as requested), a page at a time: what an orchestrator reconciles against its live instances. */
  ListAllocations: { input: ListAllocations; output: ListAllocationsResponse<S> };
  /** CommissionIP for up to 1000 items in one message: one result per item, in order (the allocation or the item's IpcdFault); atomic: all or nothing. */
  CommissionIPBatch: { input: CommissionIPBatch; output: CommissionIPBatchResponse };
  /** DecommissionIP for up to 1000 items in one message: one result per item, in order; atomic: all or nothing. */
  DecommissionIPBatch: { input: DecommissionIPBatch; output: DecommissionIPBatchResponse };
}
export type OperationName = keyof Operations;
