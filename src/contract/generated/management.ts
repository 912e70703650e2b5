// Generated from wsdl/ipcd-admin.wsdl by scripts/gen-contract.ts (npm run build runs it). Do not edit: edit the WSDL.
import type { ContractModel, Scalars, Wire } from '../model';

/** The target namespace of wsdl/ipcd-admin.wsdl. */
export const NS = 'http://ipcd.example.org/ns/management/v1';

export const DnsZoneKind = ['forward', 'reverse'] as const;
export type DnsZoneKind = (typeof DnsZoneKind)[number];

export const Role = ['admin', 'orchestrator', 'tenant'] as const;
export type Role = (typeof Role)[number];

export const AddressFamily = ['IPv4', 'IPv6'] as const;
export type AddressFamily = (typeof AddressFamily)[number];

export const Intent = ['IPv4', 'IPv6', 'NAME'] as const;
export type Intent = (typeof Intent)[number];

export const ReleaseReason = ['DELETED', 'MIGRATED', 'NETWORK_REMOVED'] as const;
export type ReleaseReason = (typeof ReleaseReason)[number];

/** An optional network attribute EditNetwork can clear: the network then has no VXLAN, tenant, default zone, gateway, or tags. */
export const NetworkField = ['vxlan', 'tenant', 'zone', 'gateway', 'tags'] as const;
export type NetworkField = (typeof NetworkField)[number];

export const FaultCode = ['INVALID_REQUEST', 'UNKNOWN_DATA_CENTER', 'UNKNOWN_VLAN', 'AMBIGUOUS_VLAN', 'NO_FREE_ADDRESS', 'NO_ZONE', 'NAME_EXHAUSTED', 'NOT_FOUND', 'CONFLICT', 'NETWORK_IN_USE', 'SPLIT_REFUSED', 'MERGE_REFUSED', 'NO_FREE_PREFIX', 'BATCH_ABORTED', 'UNSUPPORTED_OPERATION', 'REQUEST_TOO_LARGE', 'AUTHENTICATION_FAILED', 'MUST_UNDERSTAND', 'ACCESS_DENIED', 'BUSY', 'UNAVAILABLE', 'INTERNAL'] as const;
export type FaultCode = (typeof FaultCode)[number];

export interface DataCenter {
  name: string;
  description?: string;
}

export interface Tenant {
  name: string;
  description?: string;
}

export interface Zone {
  name: string;
}

export interface Tag {
  key: string;
  value: string;
}

/** A network with its attributes, tags and utilization (assignable excludes the network, IPv4 broadcast and gateway addresses; free = assignable - used - held - reserved). */
export interface Network<S extends Scalars = Wire> {
  name: string;
  cidr: string;
  family: AddressFamily;
  dataCenter: string;
  vlan?: number;
  vxlan?: number;
  tenant?: string;
  priority: number;
  zone?: string;
  gateway?: string;
  reservePool: boolean;
  namePattern: string;
  holdDownSeconds: number;
  tag: Tag[];
  assignable: string;
  used: string;
  /** Released addresses waiting out the network's hold-down. */
  held: string;
  reserved: string;
  free: string;
  percentUsed: S['decimal'];
}

export interface Reservation<S extends Scalars = Wire> {
  id: string;
  network: string;
  first: string;
  last: string;
  note?: string;
  createdAt: S['dateTime'];
}

export interface Allocation<S extends Scalars = Wire> {
  allocationId: string;
  /** Absent once the network was removed. */
  network?: string;
  dataCenter: string;
  vlan: number;
  tenant?: string;
  serverInstance: string;
  intent: Intent;
  address?: string;
  fqdn?: string;
  createdAt: S['dateTime'];
  releasedAt?: S['dateTime'];
  releaseReason?: ReleaseReason;
  dns?: DnsPublication;
}

/** As in the commissioning service's ListAllocations. A released allocation is PENDING (or FAILED) until its records are removed, then NONE. */
export const DnsState = ['PENDING', 'PUBLISHED', 'FAILED', 'NOT_CONFIGURED', 'NONE'] as const;
export type DnsState = (typeof DnsState)[number];

export interface DnsPublication {
  state: DnsState;
  detail?: string;
}

/** An orchestrator may commission in this data center, for this tenant's networks, or both. */
export interface Grant {
  dataCenter?: string;
  tenant?: string;
}

export interface User {
  username: string;
  role: Role;
  tenant?: string;
  grant: Grant[];
  disabled: boolean;
}

export interface UsernameOnly {
  username: string;
}

export interface Nothing {
}

export interface NameOnly {
  name: string;
}

export interface OneNetwork<S extends Scalars = Wire> {
  network: Network<S>;
}

export interface AddDataCenter {
  name: string;
  description?: string;
}

export interface AddDataCenterResponse {
  dataCenter: DataCenter;
}

export type ListDataCenters = Nothing;

export interface ListDataCentersResponse {
  dataCenter: DataCenter[];
}

export interface RemoveDataCenter {
  name: string;
}

export type RemoveDataCenterResponse = NameOnly;

export interface AddTenant {
  name: string;
  description?: string;
}

export interface AddTenantResponse {
  tenant: Tenant;
}

export type ListTenants = Nothing;

export interface ListTenantsResponse {
  tenant: Tenant[];
}

export interface RemoveTenant {
  name: string;
}

export type RemoveTenantResponse = NameOnly;

export interface AddZone {
  name: string;
}

export interface AddZoneResponse {
  zone: Zone;
}

export type ListZones = Nothing;

export interface ListZonesResponse {
  zone: Zone[];
}

export interface RemoveZone {
  name: string;
}

export type RemoveZoneResponse = NameOnly;

/** A zone's DNS settings as shown: never the TSIG secret. */
export interface DnsZone {
  kind: DnsZoneKind;
  zone: string;
  /** Reverse zones: the prefix whose PTR records go to it. */
  prefix?: string;
  /** host:port of the primary; absent when the zone is not published. */
  server?: string;
  keyName?: string;
  algorithm?: string;
  ttl?: number;
  /** Whether the secret is stored sealed under the operator's key (IPCD_SECRET_KEY). */
  sealed?: boolean;
}

export interface SetZoneDns {
  /** A forward zone added with AddZone, or a prefix such as 10.0.0.0/8 or 2001:db8::/48 (octet or nibble boundary) whose reverse zone is created on first use. */
  zone: string;
  /** host, host:port or [IPv6]:port of the primary accepting updates (port 53 by default; TCP). */
  server: string;
  /** The TSIG key name; required unless secret is key-file text that names the key. */
  keyName?: string;
  /** hmac-sha256 (default), hmac-sha384 or hmac-sha512. */
  algorithm?: string;
  secret: string;
  /** TTL of the published records (default 300). */
  ttl?: number;
}

export interface SetZoneDnsResponse {
  zone: DnsZone;
}

export interface ClearZoneDns {
  /** A forward zone name, or the prefix of a reverse zone. */
  zone: string;
}

export interface ClearZoneDnsResponse {
  zone: DnsZone;
}

export type ListDnsZones = Nothing;

export interface ListDnsZonesResponse {
  zone: DnsZone[];
}

export interface AddNetwork {
  name: string;
  /** The prefix, e.g. 10.0.0.0/24 or 2001:db8::/64, with no host bits set. */
  cidr: string;
  dataCenter: string;
  vlan?: number;
  vxlan?: number;
  tenant?: string;
  /** Default: 100. */
  priority?: number;
  zone?: string;
  /** Default: the first host address. */
  gateway?: string;
  /** Default: false. */
  noGateway?: boolean;
  /** Default: false. */
  reservePool?: boolean;
  /** Default: vm-{seq:6}. */
  namePattern?: string;
  /** Default: 0. */
  holdDownSeconds?: number;
  tag: Tag[];
}

export type AddNetworkResponse<S extends Scalars = Wire> = OneNetwork<S>;

/** Changes only what is given. Tags given replace all tags; clear removes an optional attribute. */
export interface EditNetwork {
  network: string;
  newName?: string;
  vxlan?: number;
  tenant?: string;
  priority?: number;
  zone?: string;
  gateway?: string;
  reservePool?: boolean;
  namePattern?: string;
  holdDownSeconds?: number;
  tag: Tag[];
  clear: NetworkField[];
}

export type EditNetworkResponse<S extends Scalars = Wire> = OneNetwork<S>;

/** Sets (adds or overwrites) and removes tags; other tags stay. */
export interface TagNetwork {
  network: string;
  set: Tag[];
  remove: string[];
}

export type TagNetworkResponse<S extends Scalars = Wire> = OneNetwork<S>;

export interface RemoveNetwork {
  network: string;
  /** Without it a network with active allocations is refused (NETWORK_IN_USE); with it they are released (reason NETWORK_REMOVED). Default: false. */
  force?: boolean;
}

export interface RemoveNetworkResponse {
  network: string;
  cidr: string;
  releasedCount: number;
}

/** Splits a network into the subnets of a longer prefix (at most 256). Each allocation and reservation moves to the child containing it, address and name kept; children inherit every attribute and tag; only the child containing the gateway keeps it. */
export interface SplitNetwork {
  network: string;
  prefixLength: number;
  /** The children's names in address order; default NETWORK-1 … NETWORK-n. */
  name: string[];
}

export interface SplitNetworkResponse<S extends Scalars = Wire> {
  network: Network<S>[];
}

/** Merges adjacent sibling networks that together tile one prefix and share data center, VLAN, VXLAN, tenant, zone, reserve flag, name pattern, hold-down and tags; allocations are kept. */
export interface MergeNetworks {
  network: string[];
  /** Default: the name of the lowest network. */
  name?: string;
}

export type MergeNetworksResponse<S extends Scalars = Wire> = OneNetwork<S>;

export interface ContainedNetwork {
  name: string;
  cidr: string;
  vlan?: number;
  /** Carved by AllocateNetwork; false: added by hand inside the container's prefix. */
  carved: boolean;
}

/** A prefix of one data center that networks are carved from. Every network of that data center inside it uses space, on whatever VLAN, carved or added by hand: size and used count addresses, percentUsed is used / size. */
export interface Container<S extends Scalars = Wire> {
  name: string;
  cidr: string;
  family: AddressFamily;
  dataCenter: string;
  tenant?: string;
  description?: string;
  size: string;
  used: string;
  percentUsed: S['decimal'];
  network: ContainedNetwork[];
}

/** Containers of one data center must not overlap (CONFLICT); special-purpose prefixes are refused as for networks. */
export interface AddContainer {
  name: string;
  cidr: string;
  dataCenter: string;
  /** Networks carved from it belong to this tenant (another one is refused). */
  tenant?: string;
  description?: string;
}

export interface AddContainerResponse<S extends Scalars = Wire> {
  container: Container<S>;
}

export interface ListContainers {
  dataCenter?: string;
}

export interface ListContainersResponse<S extends Scalars = Wire> {
  container: Container<S>[];
}

/** Only an empty container: one with a network inside its prefix is refused (CONFLICT). */
export interface RemoveContainer {
  name: string;
}

export type RemoveContainerResponse = NameOnly;

/** Carves the lowest child of prefixLength that overlaps no network of the container's data center (any VLAN) and adds it as a network, as AddNetwork would (first host as gateway). NO_FREE_PREFIX when none is left. A repeat with the same idempotencyKey returns the same network with existing true; the key with other parameters is a CONFLICT. */
export interface AllocateNetwork {
  container: string;
  prefixLength: number;
  name: string;
  vlan?: number;
  vxlan?: number;
  /** Default: the container's tenant. */
  tenant?: string;
  zone?: string;
  tag: Tag[];
  idempotencyKey: string;
}

export interface AllocateNetworkResponse<S extends Scalars = Wire> {
  network: Network<S>;
  container: string;
  /** True: the key had carved this network before (a retry); nothing was changed. */
  existing: boolean;
}

/** Addresses inside a network never handed out (statics, appliances). */
export interface ReserveRange {
  network: string;
  first: string;
  /** Default: first (one address). */
  last?: string;
  note?: string;
}

export interface ReserveRangeResponse<S extends Scalars = Wire> {
  reservation: Reservation<S>;
}

export interface UnreserveRange {
  network: string;
  id: string;
}

export interface UnreserveRangeResponse<S extends Scalars = Wire> {
  reservation: Reservation<S>;
}

export interface ListReservations {
  network: string;
}

export interface ListReservationsResponse<S extends Scalars = Wire> {
  reservation: Reservation<S>[];
}

export interface SearchNetworks {
  dataCenter?: string;
  vlan?: number;
  tenant?: string;
  tagKey?: string;
  tagValue?: string;
  /** Networks containing this address. */
  address?: string;
  /** Part of the network's name, case-insensitive. */
  name?: string;
  /** Default: 100. */
  pageSize?: number;
  /** The nextPage value of the previous page. */
  after?: string;
}

export interface SearchNetworksResponse<S extends Scalars = Wire> {
  network: Network<S>[];
  nextPage?: string;
}

export interface SearchAllocations {
  dataCenter?: string;
  vlan?: number;
  tenant?: string;
  network?: string;
  tagKey?: string;
  tagValue?: string;
  address?: string;
  /** A host name or FQDN. */
  name?: string;
  serverInstance?: string;
  /** Default: false. */
  includeReleased?: boolean;
  /** Default: 100. */
  pageSize?: number;
  after?: string;
}

export interface SearchAllocationsResponse<S extends Scalars = Wire> {
  allocation: Allocation<S>[];
  nextPage?: string;
}

export type TenantUtilization = Nothing;

export interface TenantTotals<S extends Scalars = Wire> {
  tenant: string;
  family: AddressFamily;
  networks: number;
  assignable: string;
  used: string;
  free: string;
  percentUsed: S['decimal'];
}

export interface TenantUtilizationResponse<S extends Scalars = Wire> {
  tenant: TenantTotals<S>[];
}

export interface QueryAudit<S extends Scalars = Wire> {
  user?: string;
  operation?: string;
  objectType?: string;
  objectId?: string;
  serverInstance?: string;
  since?: S['dateTime'];
  until?: S['dateTime'];
  /** Default: 100. */
  pageSize?: number;
  after?: string;
  /** Default: false. */
  newestFirst?: boolean;
}

export interface AuditEntry<S extends Scalars = Wire> {
  id: string;
  at: S['dateTime'];
  user: string;
  role: string;
  operation: string;
  objectType: string;
  objectId?: string;
  dataCenter?: string;
  tenant?: string;
  serverInstance?: string;
  /** The object before the change, as a JSON document. */
  before?: string;
  /** The object after the change (or the refusal's message), as a JSON document. */
  after?: string;
  /** ok, or the fault code of the refusal. */
  outcome: string;
  requestId?: string;
}

export interface QueryAuditResponse<S extends Scalars = Wire> {
  entry: AuditEntry<S>[];
  nextPage?: string;
}

/** Per tenant and UTC day from `from` (inclusive) to `to` (exclusive): allocations active that day and address-hours held. At most 366 days. */
export interface TenantUsage<S extends Scalars = Wire> {
  tenant?: string;
  from: S['date'];
  to: S['date'];
}

export interface UsageDay<S extends Scalars = Wire> {
  tenant: string;
  day: S['date'];
  allocations: number;
  addressHours: S['decimal'];
}

export interface TenantUsageResponse<S extends Scalars = Wire> {
  usage: UsageDay<S>[];
  /** The same rows as RFC 4180 CSV (header tenant,day,allocations,address_hours), for chargeback tools. */
  csv: string;
}

export interface AddUser {
  username: string;
  password: string;
  role: Role;
  /** Required for the tenant role, refused for the others. */
  tenant?: string;
  /** Orchestrators only. */
  grant: Grant[];
  /** Also accept WS-Security PasswordDigest (the server needs IPCD_SECRET_KEY). Default: false. */
  digest?: boolean;
}

export interface AddUserResponse {
  username: string;
  role: Role;
}

export type ListUsers = Nothing;

export interface ListUsersResponse {
  user: User[];
}

/** Administrators, or a user for itself. */
export interface SetPassword {
  username: string;
  password: string;
}

export type SetPasswordResponse = UsernameOnly;

export type DisableUser = UsernameOnly;

export type DisableUserResponse = UsernameOnly;

export type EnableUser = UsernameOnly;

export type EnableUserResponse = UsernameOnly;

export type RemoveUser = UsernameOnly;

export type RemoveUserResponse = UsernameOnly;

export interface IpcdFault {
  code: FaultCode;
  message: string;
}

/** The contract as data: operations, element order and occurrences, defaults, simple-type facets. */
export const CONTRACT = {
  ns: NS,
  operations: {
    AddDataCenter: { input: 'AddDataCenter', output: 'AddDataCenterResponse', faults: ['IpcdFault'] },
    ListDataCenters: { input: 'ListDataCenters', output: 'ListDataCentersResponse', faults: ['IpcdFault'] },
    RemoveDataCenter: { input: 'RemoveDataCenter', output: 'RemoveDataCenterResponse', faults: ['IpcdFault'] },
    AddTenant: { input: 'AddTenant', output: 'AddTenantResponse', faults: ['IpcdFault'] },
    ListTenants: { input: 'ListTenants', output: 'ListTenantsResponse', faults: ['IpcdFault'] },
    RemoveTenant: { input: 'RemoveTenant', output: 'RemoveTenantResponse', faults: ['IpcdFault'] },
    AddZone: { input: 'AddZone', output: 'AddZoneResponse', faults: ['IpcdFault'] },
    ListZones: { input: 'ListZones', output: 'ListZonesResponse', faults: ['IpcdFault'] },
    RemoveZone: { input: 'RemoveZone', output: 'RemoveZoneResponse', faults: ['IpcdFault'] },
    SetZoneDns: { input: 'SetZoneDns', output: 'SetZoneDnsResponse', faults: ['IpcdFault'] },
    ClearZoneDns: { input: 'ClearZoneDns', output: 'ClearZoneDnsResponse', faults: ['IpcdFault'] },
    ListDnsZones: { input: 'ListDnsZones', output: 'ListDnsZonesResponse', faults: ['IpcdFault'] },
    AddNetwork: { input: 'AddNetwork', output: 'AddNetworkResponse', faults: ['IpcdFault'] },
    EditNetwork: { input: 'EditNetwork', output: 'EditNetworkResponse', faults: ['IpcdFault'] },
    TagNetwork: { input: 'TagNetwork', output: 'TagNetworkResponse', faults: ['IpcdFault'] },
    RemoveNetwork: { input: 'RemoveNetwork', output: 'RemoveNetworkResponse', faults: ['IpcdFault'] },
    SplitNetwork: { input: 'SplitNetwork', output: 'SplitNetworkResponse', faults: ['IpcdFault'] },
    MergeNetworks: { input: 'MergeNetworks', output: 'MergeNetworksResponse', faults: ['IpcdFault'] },
    AddContainer: { input: 'AddContainer', output: 'AddContainerResponse', faults: ['IpcdFault'] },
    ListContainers: { input: 'ListContainers', output: 'ListContainersResponse', faults: ['IpcdFault'] },
    RemoveContainer: { input: 'RemoveContainer', output: 'RemoveContainerResponse', faults: ['IpcdFault'] },
    AllocateNetwork: { input: 'AllocateNetwork', output: 'AllocateNetworkResponse', faults: ['IpcdFault'] },
    ReserveRange: { input: 'ReserveRange', output: 'ReserveRangeResponse', faults: ['IpcdFault'] },
    UnreserveRange: { input: 'UnreserveRange', output: 'UnreserveRangeResponse', faults: ['IpcdFault'] },
    ListReservations: { input: 'ListReservations', output: 'ListReservationsResponse', faults: ['IpcdFault'] },
    SearchNetworks: { input: 'SearchNetworks', output: 'SearchNetworksResponse', faults: ['IpcdFault'] },
    SearchAllocations: { input: 'SearchAllocations', output: 'SearchAllocationsResponse', faults: ['IpcdFault'] },
    TenantUtilization: { input: 'TenantUtilization', output: 'TenantUtilizationResponse', faults: ['IpcdFault'] },
    QueryAudit: { input: 'QueryAudit', output: 'QueryAuditResponse', faults: ['IpcdFault'] },
    TenantUsage: { input: 'TenantUsage', output: 'TenantUsageResponse', faults: ['IpcdFault'] },
    AddUser: { input: 'AddUser', output: 'AddUserResponse', faults: ['IpcdFault'] },
    ListUsers: { input: 'ListUsers', output: 'ListUsersResponse', faults: ['IpcdFault'] },
    SetPassword: { input: 'SetPassword', output: 'SetPasswordResponse', faults: ['IpcdFault'] },
    DisableUser: { input: 'DisableUser', output: 'DisableUserResponse', faults: ['IpcdFault'] },
    EnableUser: { input: 'EnableUser', output: 'EnableUserResponse', faults: ['IpcdFault'] },
    RemoveUser: { input: 'RemoveUser', output: 'RemoveUserResponse', faults: ['IpcdFault'] },
  },
  elements: {
    AddDataCenter: 'AddDataCenter',
    AddDataCenterResponse: 'AddDataCenterResponse',
    ListDataCenters: 'Nothing',
    ListDataCentersResponse: 'ListDataCentersResponse',
    RemoveDataCenter: 'RemoveDataCenter',
    RemoveDataCenterResponse: 'NameOnly',
    AddTenant: 'AddTenant',
    AddTenantResponse: 'AddTenantResponse',
    ListTenants: 'Nothing',
    ListTenantsResponse: 'ListTenantsResponse',
    RemoveTenant: 'RemoveTenant',
    RemoveTenantResponse: 'NameOnly',
    AddZone: 'AddZone',
    AddZoneResponse: 'AddZoneResponse',
    ListZones: 'Nothing',
    ListZonesResponse: 'ListZonesResponse',
    RemoveZone: 'RemoveZone',
    RemoveZoneResponse: 'NameOnly',
    SetZoneDns: 'SetZoneDns',
    SetZoneDnsResponse: 'SetZoneDnsResponse',
    ClearZoneDns: 'ClearZoneDns',
    ClearZoneDnsResponse: 'ClearZoneDnsResponse',
    ListDnsZones: 'Nothing',
    ListDnsZonesResponse: 'ListDnsZonesResponse',
    AddNetwork: 'AddNetwork',
    AddNetworkResponse: 'OneNetwork',
    EditNetwork: 'EditNetwork',
    EditNetworkResponse: 'OneNetwork',
    TagNetwork: 'TagNetwork',
    TagNetworkResponse: 'OneNetwork',
    RemoveNetwork: 'RemoveNetwork',
    RemoveNetworkResponse: 'RemoveNetworkResponse',
    SplitNetwork: 'SplitNetwork',
    SplitNetworkResponse: 'SplitNetworkResponse',
    MergeNetworks: 'MergeNetworks',
    MergeNetworksResponse: 'OneNetwork',
    AddContainer: 'AddContainer',
    AddContainerResponse: 'AddContainerResponse',
    ListContainers: 'ListContainers',
    ListContainersResponse: 'ListContainersResponse',
    RemoveContainer: 'RemoveContainer',
    RemoveContainerResponse: 'NameOnly',
    AllocateNetwork: 'AllocateNetwork',
    AllocateNetworkResponse: 'AllocateNetworkResponse',
    ReserveRange: 'ReserveRange',
    ReserveRangeResponse: 'ReserveRangeResponse',
    UnreserveRange: 'UnreserveRange',
    UnreserveRangeResponse: 'UnreserveRangeResponse',
    ListReservations: 'ListReservations',
    ListReservationsResponse: 'ListReservationsResponse',
    SearchNetworks: 'SearchNetworks',
    SearchNetworksResponse: 'SearchNetworksResponse',
    SearchAllocations: 'SearchAllocations',
    SearchAllocationsResponse: 'SearchAllocationsResponse',
    TenantUtilization: 'Nothing',
    TenantUtilizationResponse: 'TenantUtilizationResponse',
    QueryAudit: 'QueryAudit',
    QueryAuditResponse: 'QueryAuditResponse',
    TenantUsage: 'TenantUsage',
    TenantUsageResponse: 'TenantUsageResponse',
    AddUser: 'AddUser',
    AddUserResponse: 'AddUserResponse',
    ListUsers: 'Nothing',
    ListUsersResponse: 'ListUsersResponse',
    SetPassword: 'SetPassword',
    SetPasswordResponse: 'UsernameOnly',
    DisableUser: 'UsernameOnly',
    DisableUserResponse: 'UsernameOnly',
    EnableUser: 'UsernameOnly',
    EnableUserResponse: 'UsernameOnly',
    RemoveUser: 'UsernameOnly',
    RemoveUserResponse: 'UsernameOnly',
    IpcdFault: 'IpcdFault',
  },
  types: {
    DataCenter: [
      { name: 'name', type: 'xsd:string', min: 1, max: 1 },
      { name: 'description', type: 'xsd:string', min: 0, max: 1 },
    ],
    Tenant: [
      { name: 'name', type: 'xsd:string', min: 1, max: 1 },
      { name: 'description', type: 'xsd:string', min: 0, max: 1 },
    ],
    Zone: [
      { name: 'name', type: 'xsd:string', min: 1, max: 1 },
    ],
    Tag: [
      { name: 'key', type: 'TagKey', min: 1, max: 1 },
      { name: 'value', type: 'TagValue', min: 1, max: 1 },
    ],
    Network: [
      { name: 'name', type: 'xsd:string', min: 1, max: 1 },
      { name: 'cidr', type: 'xsd:string', min: 1, max: 1 },
      { name: 'family', type: 'AddressFamily', min: 1, max: 1 },
      { name: 'dataCenter', type: 'xsd:string', min: 1, max: 1 },
      { name: 'vlan', type: 'xsd:int', min: 0, max: 1 },
      { name: 'vxlan', type: 'xsd:int', min: 0, max: 1 },
      { name: 'tenant', type: 'xsd:string', min: 0, max: 1 },
      { name: 'priority', type: 'xsd:int', min: 1, max: 1 },
      { name: 'zone', type: 'xsd:string', min: 0, max: 1 },
      { name: 'gateway', type: 'xsd:string', min: 0, max: 1 },
      { name: 'reservePool', type: 'xsd:boolean', min: 1, max: 1 },
      { name: 'namePattern', type: 'xsd:string', min: 1, max: 1 },
      { name: 'holdDownSeconds', type: 'xsd:int', min: 1, max: 1 },
      { name: 'tag', type: 'Tag', min: 0, max: null },
      { name: 'assignable', type: 'AddressCount', min: 1, max: 1 },
      { name: 'used', type: 'AddressCount', min: 1, max: 1 },
      { name: 'held', type: 'AddressCount', min: 1, max: 1 },
      { name: 'reserved', type: 'AddressCount', min: 1, max: 1 },
      { name: 'free', type: 'AddressCount', min: 1, max: 1 },
      { name: 'percentUsed', type: 'Percent', min: 1, max: 1 },
    ],
    Reservation: [
      { name: 'id', type: 'xsd:string', min: 1, max: 1 },
      { name: 'network', type: 'xsd:string', min: 1, max: 1 },
      { name: 'first', type: 'xsd:string', min: 1, max: 1 },
      { name: 'last', type: 'xsd:string', min: 1, max: 1 },
      { name: 'note', type: 'xsd:string', min: 0, max: 1 },
      { name: 'createdAt', type: 'xsd:dateTime', min: 1, max: 1 },
    ],
    Allocation: [
      { name: 'allocationId', type: 'xsd:string', min: 1, max: 1 },
      { name: 'network', type: 'xsd:string', min: 0, max: 1 },
      { name: 'dataCenter', type: 'xsd:string', min: 1, max: 1 },
      { name: 'vlan', type: 'xsd:int', min: 1, max: 1 },
      { name: 'tenant', type: 'xsd:string', min: 0, max: 1 },
      { name: 'serverInstance', type: 'xsd:string', min: 1, max: 1 },
      { name: 'intent', type: 'Intent', min: 1, max: 1 },
      { name: 'address', type: 'xsd:string', min: 0, max: 1 },
      { name: 'fqdn', type: 'xsd:string', min: 0, max: 1 },
      { name: 'createdAt', type: 'xsd:dateTime', min: 1, max: 1 },
      { name: 'releasedAt', type: 'xsd:dateTime', min: 0, max: 1 },
      { name: 'releaseReason', type: 'ReleaseReason', min: 0, max: 1 },
      { name: 'dns', type: 'DnsPublication', min: 0, max: 1 },
    ],
    DnsPublication: [
      { name: 'state', type: 'DnsState', min: 1, max: 1 },
      { name: 'detail', type: 'xsd:string', min: 0, max: 1 },
    ],
    Grant: [
      { name: 'dataCenter', type: 'DataCenterName', min: 0, max: 1 },
      { name: 'tenant', type: 'ObjectName', min: 0, max: 1 },
    ],
    User: [
      { name: 'username', type: 'xsd:string', min: 1, max: 1 },
      { name: 'role', type: 'Role', min: 1, max: 1 },
      { name: 'tenant', type: 'xsd:string', min: 0, max: 1 },
      { name: 'grant', type: 'Grant', min: 0, max: null },
      { name: 'disabled', type: 'xsd:boolean', min: 1, max: 1 },
    ],
    UsernameOnly: [
      { name: 'username', type: 'Username', min: 1, max: 1 },
    ],
    Nothing: [
    ],
    NameOnly: [
      { name: 'name', type: 'xsd:string', min: 1, max: 1 },
    ],
    OneNetwork: [
      { name: 'network', type: 'Network', min: 1, max: 1 },
    ],
    AddDataCenter: [
      { name: 'name', type: 'DataCenterName', min: 1, max: 1 },
      { name: 'description', type: 'Description', min: 0, max: 1 },
    ],
    AddDataCenterResponse: [
      { name: 'dataCenter', type: 'DataCenter', min: 1, max: 1 },
    ],
    ListDataCentersResponse: [
      { name: 'dataCenter', type: 'DataCenter', min: 0, max: null },
    ],
    RemoveDataCenter: [
      { name: 'name', type: 'DataCenterName', min: 1, max: 1 },
    ],
    AddTenant: [
      { name: 'name', type: 'ObjectName', min: 1, max: 1 },
      { name: 'description', type: 'Description', min: 0, max: 1 },
    ],
    AddTenantResponse: [
      { name: 'tenant', type: 'Tenant', min: 1, max: 1 },
    ],
    ListTenantsResponse: [
      { name: 'tenant', type: 'Tenant', min: 0, max: null },
    ],
    RemoveTenant: [
      { name: 'name', type: 'ObjectName', min: 1, max: 1 },
    ],
    AddZone: [
      { name: 'name', type: 'ZoneName', min: 1, max: 1 },
    ],
    AddZoneResponse: [
      { name: 'zone', type: 'Zone', min: 1, max: 1 },
    ],
    ListZonesResponse: [
      { name: 'zone', type: 'Zone', min: 0, max: null },
    ],
    RemoveZone: [
      { name: 'name', type: 'ZoneName', min: 1, max: 1 },
    ],
    DnsZone: [
      { name: 'kind', type: 'DnsZoneKind', min: 1, max: 1 },
      { name: 'zone', type: 'xsd:string', min: 1, max: 1 },
      { name: 'prefix', type: 'xsd:string', min: 0, max: 1 },
      { name: 'server', type: 'xsd:string', min: 0, max: 1 },
      { name: 'keyName', type: 'xsd:string', min: 0, max: 1 },
      { name: 'algorithm', type: 'xsd:string', min: 0, max: 1 },
      { name: 'ttl', type: 'xsd:int', min: 0, max: 1 },
      { name: 'sealed', type: 'xsd:boolean', min: 0, max: 1 },
    ],
    SetZoneDns: [
      { name: 'zone', type: 'ZoneName', min: 1, max: 1 },
      { name: 'server', type: 'xsd:string', min: 1, max: 1 },
      { name: 'keyName', type: 'xsd:string', min: 0, max: 1 },
      { name: 'algorithm', type: 'xsd:string', min: 0, max: 1 },
      { name: 'secret', type: 'TsigSecret', min: 1, max: 1 },
      { name: 'ttl', type: 'DnsTtl', min: 0, max: 1 },
    ],
    SetZoneDnsResponse: [
      { name: 'zone', type: 'DnsZone', min: 1, max: 1 },
    ],
    ClearZoneDns: [
      { name: 'zone', type: 'ZoneName', min: 1, max: 1 },
    ],
    ClearZoneDnsResponse: [
      { name: 'zone', type: 'DnsZone', min: 1, max: 1 },
    ],
    ListDnsZonesResponse: [
      { name: 'zone', type: 'DnsZone', min: 0, max: null },
    ],
    AddNetwork: [
      { name: 'name', type: 'ObjectName', min: 1, max: 1 },
      { name: 'cidr', type: 'xsd:string', min: 1, max: 1 },
      { name: 'dataCenter', type: 'DataCenterName', min: 1, max: 1 },
      { name: 'vlan', type: 'VlanId', min: 0, max: 1 },
      { name: 'vxlan', type: 'VxlanId', min: 0, max: 1 },
      { name: 'tenant', type: 'ObjectName', min: 0, max: 1 },
      { name: 'priority', type: 'xsd:int', min: 0, max: 1, default: '100' },
      { name: 'zone', type: 'ZoneName', min: 0, max: 1 },
      { name: 'gateway', type: 'xsd:string', min: 0, max: 1 },
      { name: 'noGateway', type: 'xsd:boolean', min: 0, max: 1, default: 'false' },
      { name: 'reservePool', type: 'xsd:boolean', min: 0, max: 1, default: 'false' },
      { name: 'namePattern', type: 'xsd:string', min: 0, max: 1, default: 'vm-{seq:6}' },
      { name: 'holdDownSeconds', type: 'HoldDownSeconds', min: 0, max: 1, default: '0' },
      { name: 'tag', type: 'Tag', min: 0, max: null },
    ],
    EditNetwork: [
      { name: 'network', type: 'ObjectName', min: 1, max: 1 },
      { name: 'newName', type: 'ObjectName', min: 0, max: 1 },
      { name: 'vxlan', type: 'VxlanId', min: 0, max: 1 },
      { name: 'tenant', type: 'ObjectName', min: 0, max: 1 },
      { name: 'priority', type: 'xsd:int', min: 0, max: 1 },
      { name: 'zone', type: 'ZoneName', min: 0, max: 1 },
      { name: 'gateway', type: 'xsd:string', min: 0, max: 1 },
      { name: 'reservePool', type: 'xsd:boolean', min: 0, max: 1 },
      { name: 'namePattern', type: 'xsd:string', min: 0, max: 1 },
      { name: 'holdDownSeconds', type: 'HoldDownSeconds', min: 0, max: 1 },
      { name: 'tag', type: 'Tag', min: 0, max: null },
      { name: 'clear', type: 'NetworkField', min: 0, max: 5 },
    ],
    TagNetwork: [
      { name: 'network', type: 'ObjectName', min: 1, max: 1 },
      { name: 'set', type: 'Tag', min: 0, max: null },
      { name: 'remove', type: 'TagKey', min: 0, max: null },
    ],
    RemoveNetwork: [
      { name: 'network', type: 'ObjectName', min: 1, max: 1 },
      { name: 'force', type: 'xsd:boolean', min: 0, max: 1, default: 'false' },
    ],
    RemoveNetworkResponse: [
      { name: 'network', type: 'xsd:string', min: 1, max: 1 },
      { name: 'cidr', type: 'xsd:string', min: 1, max: 1 },
      { name: 'releasedCount', type: 'xsd:int', min: 1, max: 1 },
    ],
    SplitNetwork: [
      { name: 'network', type: 'ObjectName', min: 1, max: 1 },
      { name: 'prefixLength', type: 'SplitNetwork.prefixLength', min: 1, max: 1 },
      { name: 'name', type: 'ObjectName', min: 0, max: 256 },
    ],
    SplitNetworkResponse: [
      { name: 'network', type: 'Network', min: 1, max: 256 },
    ],
    MergeNetworks: [
      { name: 'network', type: 'ObjectName', min: 2, max: 256 },
      { name: 'name', type: 'ObjectName', min: 0, max: 1 },
    ],
    ContainedNetwork: [
      { name: 'name', type: 'xsd:string', min: 1, max: 1 },
      { name: 'cidr', type: 'xsd:string', min: 1, max: 1 },
      { name: 'vlan', type: 'xsd:int', min: 0, max: 1 },
      { name: 'carved', type: 'xsd:boolean', min: 1, max: 1 },
    ],
    Container: [
      { name: 'name', type: 'xsd:string', min: 1, max: 1 },
      { name: 'cidr', type: 'xsd:string', min: 1, max: 1 },
      { name: 'family', type: 'AddressFamily', min: 1, max: 1 },
      { name: 'dataCenter', type: 'xsd:string', min: 1, max: 1 },
      { name: 'tenant', type: 'xsd:string', min: 0, max: 1 },
      { name: 'description', type: 'xsd:string', min: 0, max: 1 },
      { name: 'size', type: 'AddressCount', min: 1, max: 1 },
      { name: 'used', type: 'AddressCount', min: 1, max: 1 },
      { name: 'percentUsed', type: 'Percent', min: 1, max: 1 },
      { name: 'network', type: 'ContainedNetwork', min: 0, max: null },
    ],
    AddContainer: [
      { name: 'name', type: 'ObjectName', min: 1, max: 1 },
      { name: 'cidr', type: 'xsd:string', min: 1, max: 1 },
      { name: 'dataCenter', type: 'DataCenterName', min: 1, max: 1 },
      { name: 'tenant', type: 'ObjectName', min: 0, max: 1 },
      { name: 'description', type: 'xsd:string', min: 0, max: 1 },
    ],
    AddContainerResponse: [
      { name: 'container', type: 'Container', min: 1, max: 1 },
    ],
    ListContainers: [
      { name: 'dataCenter', type: 'DataCenterName', min: 0, max: 1 },
    ],
    ListContainersResponse: [
      { name: 'container', type: 'Container', min: 0, max: null },
    ],
    RemoveContainer: [
      { name: 'name', type: 'ObjectName', min: 1, max: 1 },
    ],
    AllocateNetwork: [
      { name: 'container', type: 'ObjectName', min: 1, max: 1 },
      { name: 'prefixLength', type: 'AllocateNetwork.prefixLength', min: 1, max: 1 },
      { name: 'name', type: 'ObjectName', min: 1, max: 1 },
      { name: 'vlan', type: 'VlanId', min: 0, max: 1 },
      { name: 'vxlan', type: 'VxlanId', min: 0, max: 1 },
      { name: 'tenant', type: 'ObjectName', min: 0, max: 1 },
      { name: 'zone', type: 'ZoneName', min: 0, max: 1 },
      { name: 'tag', type: 'Tag', min: 0, max: null },
      { name: 'idempotencyKey', type: 'IdempotencyKey', min: 1, max: 1 },
    ],
    AllocateNetworkResponse: [
      { name: 'network', type: 'Network', min: 1, max: 1 },
      { name: 'container', type: 'xsd:string', min: 1, max: 1 },
      { name: 'existing', type: 'xsd:boolean', min: 1, max: 1 },
    ],
    ReserveRange: [
      { name: 'network', type: 'ObjectName', min: 1, max: 1 },
      { name: 'first', type: 'xsd:string', min: 1, max: 1 },
      { name: 'last', type: 'xsd:string', min: 0, max: 1 },
      { name: 'note', type: 'TagValue', min: 0, max: 1 },
    ],
    ReserveRangeResponse: [
      { name: 'reservation', type: 'Reservation', min: 1, max: 1 },
    ],
    UnreserveRange: [
      { name: 'network', type: 'ObjectName', min: 1, max: 1 },
      { name: 'id', type: 'xsd:string', min: 1, max: 1 },
    ],
    UnreserveRangeResponse: [
      { name: 'reservation', type: 'Reservation', min: 1, max: 1 },
    ],
    ListReservations: [
      { name: 'network', type: 'ObjectName', min: 1, max: 1 },
    ],
    ListReservationsResponse: [
      { name: 'reservation', type: 'Reservation', min: 0, max: null },
    ],
    SearchNetworks: [
      { name: 'dataCenter', type: 'DataCenterName', min: 0, max: 1 },
      { name: 'vlan', type: 'VlanId', min: 0, max: 1 },
      { name: 'tenant', type: 'ObjectName', min: 0, max: 1 },
      { name: 'tagKey', type: 'TagKey', min: 0, max: 1 },
      { name: 'tagValue', type: 'TagValue', min: 0, max: 1 },
      { name: 'address', type: 'xsd:string', min: 0, max: 1 },
      { name: 'name', type: 'xsd:string', min: 0, max: 1 },
      { name: 'pageSize', type: 'PageSize', min: 0, max: 1, default: '100' },
      { name: 'after', type: 'xsd:string', min: 0, max: 1 },
    ],
    SearchNetworksResponse: [
      { name: 'network', type: 'Network', min: 0, max: null },
      { name: 'nextPage', type: 'xsd:string', min: 0, max: 1 },
    ],
    SearchAllocations: [
      { name: 'dataCenter', type: 'DataCenterName', min: 0, max: 1 },
      { name: 'vlan', type: 'VlanId', min: 0, max: 1 },
      { name: 'tenant', type: 'ObjectName', min: 0, max: 1 },
      { name: 'network', type: 'ObjectName', min: 0, max: 1 },
      { name: 'tagKey', type: 'TagKey', min: 0, max: 1 },
      { name: 'tagValue', type: 'TagValue', min: 0, max: 1 },
      { name: 'address', type: 'xsd:string', min: 0, max: 1 },
      { name: 'name', type: 'xsd:string', min: 0, max: 1 },
      { name: 'serverInstance', type: 'ServerInstance', min: 0, max: 1 },
      { name: 'includeReleased', type: 'xsd:boolean', min: 0, max: 1, default: 'false' },
      { name: 'pageSize', type: 'PageSize', min: 0, max: 1, default: '100' },
      { name: 'after', type: 'xsd:string', min: 0, max: 1 },
    ],
    SearchAllocationsResponse: [
      { name: 'allocation', type: 'Allocation', min: 0, max: null },
      { name: 'nextPage', type: 'xsd:string', min: 0, max: 1 },
    ],
    TenantTotals: [
      { name: 'tenant', type: 'xsd:string', min: 1, max: 1 },
      { name: 'family', type: 'AddressFamily', min: 1, max: 1 },
      { name: 'networks', type: 'xsd:int', min: 1, max: 1 },
      { name: 'assignable', type: 'AddressCount', min: 1, max: 1 },
      { name: 'used', type: 'AddressCount', min: 1, max: 1 },
      { name: 'free', type: 'AddressCount', min: 1, max: 1 },
      { name: 'percentUsed', type: 'Percent', min: 1, max: 1 },
    ],
    TenantUtilizationResponse: [
      { name: 'tenant', type: 'TenantTotals', min: 0, max: null },
    ],
    QueryAudit: [
      { name: 'user', type: 'xsd:string', min: 0, max: 1 },
      { name: 'operation', type: 'xsd:string', min: 0, max: 1 },
      { name: 'objectType', type: 'xsd:string', min: 0, max: 1 },
      { name: 'objectId', type: 'xsd:string', min: 0, max: 1 },
      { name: 'serverInstance', type: 'ServerInstance', min: 0, max: 1 },
      { name: 'since', type: 'xsd:dateTime', min: 0, max: 1 },
      { name: 'until', type: 'xsd:dateTime', min: 0, max: 1 },
      { name: 'pageSize', type: 'PageSize', min: 0, max: 1, default: '100' },
      { name: 'after', type: 'xsd:string', min: 0, max: 1 },
      { name: 'newestFirst', type: 'xsd:boolean', min: 0, max: 1, default: 'false' },
    ],
    AuditEntry: [
      { name: 'id', type: 'xsd:string', min: 1, max: 1 },
      { name: 'at', type: 'xsd:dateTime', min: 1, max: 1 },
      { name: 'user', type: 'xsd:string', min: 1, max: 1 },
      { name: 'role', type: 'xsd:string', min: 1, max: 1 },
      { name: 'operation', type: 'xsd:string', min: 1, max: 1 },
      { name: 'objectType', type: 'xsd:string', min: 1, max: 1 },
      { name: 'objectId', type: 'xsd:string', min: 0, max: 1 },
      { name: 'dataCenter', type: 'xsd:string', min: 0, max: 1 },
      { name: 'tenant', type: 'xsd:string', min: 0, max: 1 },
      { name: 'serverInstance', type: 'xsd:string', min: 0, max: 1 },
      { name: 'before', type: 'xsd:string', min: 0, max: 1 },
      { name: 'after', type: 'xsd:string', min: 0, max: 1 },
      { name: 'outcome', type: 'xsd:string', min: 1, max: 1 },
      { name: 'requestId', type: 'xsd:string', min: 0, max: 1 },
    ],
    QueryAuditResponse: [
      { name: 'entry', type: 'AuditEntry', min: 0, max: null },
      { name: 'nextPage', type: 'xsd:string', min: 0, max: 1 },
    ],
    TenantUsage: [
      { name: 'tenant', type: 'ObjectName', min: 0, max: 1 },
      { name: 'from', type: 'xsd:date', min: 1, max: 1 },
      { name: 'to', type: 'xsd:date', min: 1, max: 1 },
    ],
    UsageDay: [
      { name: 'tenant', type: 'xsd:string', min: 1, max: 1 },
      { name: 'day', type: 'xsd:date', min: 1, max: 1 },
      { name: 'allocations', type: 'xsd:int', min: 1, max: 1 },
      { name: 'addressHours', type: 'xsd:decimal', min: 1, max: 1 },
    ],
    TenantUsageResponse: [
      { name: 'usage', type: 'UsageDay', min: 0, max: null },
      { name: 'csv', type: 'xsd:string', min: 1, max: 1 },
    ],
    AddUser: [
      { name: 'username', type: 'Username', min: 1, max: 1 },
      { name: 'password', type: 'Password', min: 1, max: 1 },
      { name: 'role', type: 'Role', min: 1, max: 1 },
      { name: 'tenant', type: 'ObjectName', min: 0, max: 1 },
      { name: 'grant', type: 'Grant', min: 0, max: null },
      { name: 'digest', type: 'xsd:boolean', min: 0, max: 1, default: 'false' },
    ],
    AddUserResponse: [
      { name: 'username', type: 'xsd:string', min: 1, max: 1 },
      { name: 'role', type: 'Role', min: 1, max: 1 },
    ],
    ListUsersResponse: [
      { name: 'user', type: 'User', min: 0, max: null },
    ],
    SetPassword: [
      { name: 'username', type: 'Username', min: 1, max: 1 },
      { name: 'password', type: 'Password', min: 1, max: 1 },
    ],
    IpcdFault: [
      { name: 'code', type: 'FaultCode', min: 1, max: 1 },
      { name: 'message', type: 'xsd:string', min: 1, max: 1 },
    ],
  },
  simpleTypes: {
    VlanId: { base: 'xsd:int', minInclusive: '1', maxInclusive: '4094' },
    VxlanId: { base: 'xsd:int', minInclusive: '0', maxInclusive: '16777215' },
    DataCenterName: { base: 'xsd:string', pattern: ['[A-Za-z0-9][A-Za-z0-9._\\-]{0,62}'] },
    ObjectName: { base: 'xsd:string', pattern: ['[A-Za-z0-9][A-Za-z0-9._:\\-]{0,127}'] },
    ZoneName: { base: 'xsd:string', minLength: 1, maxLength: 254 },
    Description: { base: 'xsd:string', maxLength: 1024 },
    Username: { base: 'xsd:string', pattern: ['[A-Za-z0-9][A-Za-z0-9._@\\-]{0,63}'] },
    Password: { base: 'xsd:string', minLength: 12, maxLength: 1024 },
    TsigSecret: { base: 'xsd:string', minLength: 1, maxLength: 4096 },
    DnsTtl: { base: 'xsd:int', minInclusive: '0', maxInclusive: '604800' },
    DnsZoneKind: { base: 'xsd:string', enumeration: ['forward', 'reverse'] },
    Role: { base: 'xsd:string', enumeration: ['admin', 'orchestrator', 'tenant'] },
    ServerInstance: { base: 'xsd:string', minLength: 1, maxLength: 255 },
    TagKey: { base: 'xsd:string', pattern: ['[A-Za-z0-9][A-Za-z0-9._/\\-]{0,63}'] },
    TagValue: { base: 'xsd:string', maxLength: 256 },
    AddressFamily: { base: 'xsd:string', enumeration: ['IPv4', 'IPv6'] },
    Intent: { base: 'xsd:string', enumeration: ['IPv4', 'IPv6', 'NAME'] },
    ReleaseReason: { base: 'xsd:string', enumeration: ['DELETED', 'MIGRATED', 'NETWORK_REMOVED'] },
    NetworkField: { base: 'xsd:string', enumeration: ['vxlan', 'tenant', 'zone', 'gateway', 'tags'] },
    AddressCount: { base: 'xsd:string', pattern: ['0|[1-9][0-9]{0,38}'] },
    Percent: { base: 'xsd:decimal', minInclusive: '0' },
    HoldDownSeconds: { base: 'xsd:int', minInclusive: '0', maxInclusive: '31536000' },
    PageSize: { base: 'xsd:int', minInclusive: '1', maxInclusive: '1000' },
    FaultCode: { base: 'xsd:string', enumeration: ['INVALID_REQUEST', 'UNKNOWN_DATA_CENTER', 'UNKNOWN_VLAN', 'AMBIGUOUS_VLAN', 'NO_FREE_ADDRESS', 'NO_ZONE', 'NAME_EXHAUSTED', 'NOT_FOUND', 'CONFLICT', 'NETWORK_IN_USE', 'SPLIT_REFUSED', 'MERGE_REFUSED', 'NO_FREE_PREFIX', 'BATCH_ABORTED', 'UNSUPPORTED_OPERATION', 'REQUEST_TOO_LARGE', 'AUTHENTICATION_FAILED', 'MUST_UNDERSTAND', 'ACCESS_DENIED', 'BUSY', 'UNAVAILABLE', 'INTERNAL'] },
    DnsState: { base: 'xsd:string', enumeration: ['PENDING', 'PUBLISHED', 'FAILED', 'NOT_CONFIGURED', 'NONE'] },
    'SplitNetwork.prefixLength': { base: 'xsd:int', minInclusive: '1', maxInclusive: '128' },
    IdempotencyKey: { base: 'xsd:string', pattern: ['[!-~]{1,200}'] },
    'AllocateNetwork.prefixLength': { base: 'xsd:int', minInclusive: '1', maxInclusive: '128' },
  },
} satisfies ContractModel;

/** Each operation's request and response element. */
export interface Operations<S extends Scalars = Wire> {
  /** Add a data center. */
  AddDataCenter: { input: AddDataCenter; output: AddDataCenterResponse };
  /** List the data centers. */
  ListDataCenters: { input: ListDataCenters; output: ListDataCentersResponse };
  /** Remove a data center nothing refers to any more (else CONFLICT). */
  RemoveDataCenter: { input: RemoveDataCenter; output: RemoveDataCenterResponse };
  /** Add a tenant. */
  AddTenant: { input: AddTenant; output: AddTenantResponse };
  /** List the tenants the caller may see. */
  ListTenants: { input: ListTenants; output: ListTenantsResponse };
  /** Remove a tenant nothing refers to any more (else CONFLICT). */
  RemoveTenant: { input: RemoveTenant; output: RemoveTenantResponse };
  /** Add a DNS zone host names are generated in. */
  AddZone: { input: AddZone; output: AddZoneResponse };
  /** List the DNS zones. */
  ListZones: { input: ListZones; output: ListZonesResponse };
  /** Remove a zone nothing refers to any more (else CONFLICT). */
  RemoveZone: { input: RemoveZone; output: RemoveZoneResponse };
  /** Publish a zone (or the reverse zone of a prefix) to its authoritative server by TSIG-signed dynamic update; names already issued are published. The secret is write-only. */
  SetZoneDns: { input: SetZoneDns; output: SetZoneDnsResponse };
  /** Stop publishing a zone (or remove a reverse zone): undelivered changes are dropped, published records stay. */
  ClearZoneDns: { input: ClearZoneDns; output: ClearZoneDnsResponse };
  /** List where each zone and reverse zone is published (never the TSIG secret). */
  ListDnsZones: { input: ListDnsZones; output: ListDnsZonesResponse };
  /** Add a network (an IPv4 or IPv6 prefix) to a data center. */
  AddNetwork: { input: AddNetwork; output: AddNetworkResponse<S> };
  /** Change a network's name, VXLAN, tenant, priority, zone, gateway, reserve flag, name pattern, hold-down or tags. */
  EditNetwork: { input: EditNetwork; output: EditNetworkResponse<S> };
  /** Set and remove a network's tags. */
  TagNetwork: { input: TagNetwork; output: TagNetworkResponse<S> };
  /** Remove a network; with active allocations only when forced, which releases them. */
  RemoveNetwork: { input: RemoveNetwork; output: RemoveNetworkResponse };
  /** Split a network into two or more children; allocations move to the child containing them. */
  SplitNetwork: { input: SplitNetwork; output: SplitNetworkResponse<S> };
  /** Merge adjacent sibling networks with matching attributes and tags into their parent prefix. */
  MergeNetworks: { input: MergeNetworks; output: MergeNetworksResponse<S> };
  /** Add a container: a prefix of a data center that networks are carved from. */
  AddContainer: { input: AddContainer; output: AddContainerResponse<S> };
  /** List containers with their networks and how much of each is used (administrators). */
  ListContainers: { input: ListContainers; output: ListContainersResponse<S> };
  /** Remove a container that holds no network. */
  RemoveContainer: { input: RemoveContainer; output: RemoveContainerResponse };
  /** Carve the next free network of a prefix length out of a container; idempotent by the caller's key. */
  AllocateNetwork: { input: AllocateNetwork; output: AllocateNetworkResponse<S> };
  /** Reserve an address or range inside a network: never handed out. */
  ReserveRange: { input: ReserveRange; output: ReserveRangeResponse<S> };
  /** Remove a reservation: its addresses become assignable. */
  UnreserveRange: { input: UnreserveRange; output: UnreserveRangeResponse<S> };
  /** List a network's reservations. */
  ListReservations: { input: ListReservations; output: ListReservationsResponse<S> };
  /** Find networks by data center, VLAN, tenant, tag, address or name, with their utilization, a page at a time. */
  SearchNetworks: { input: SearchNetworks; output: SearchNetworksResponse<S> };
  /** Find allocations (active, or also released) by data center, VLAN, tenant, network, tag, address, name or server instance, a page at a time. */
  SearchAllocations: { input: SearchAllocations; output: SearchAllocationsResponse<S> };
  /** Used, free and percent per tenant and address family over its networks. */
  TenantUtilization: { input: TenantUtilization; output: TenantUtilizationResponse<S> };
  /** Read the audit log with filters, a page at a time. */
  QueryAudit: { input: QueryAudit<S>; output: QueryAuditResponse<S> };
  /** Per-tenant usage per day (allocations, address-hours), also as CSV. */
  TenantUsage: { input: TenantUsage<S>; output: TenantUsageResponse<S> };
  /** Add a user with a role (and a tenant, or orchestrator grants). */
  AddUser: { input: AddUser; output: AddUserResponse };
  /** List users, roles, tenants, grants and whether they are disabled. */
  ListUsers: { input: ListUsers; output: ListUsersResponse };
  /** Set a user's password (administrators, or a user its own). */
  SetPassword: { input: SetPassword; output: SetPasswordResponse };
  /** Refuse a user's calls from now on, keeping the account. */
  DisableUser: { input: DisableUser; output: DisableUserResponse };
  /** Accept a disabled user's calls again. */
  EnableUser: { input: EnableUser; output: EnableUserResponse };
  /** Remove a user (its audit rows stay). */
  RemoveUser: { input: RemoveUser; output: RemoveUserResponse };
}
export type OperationName = keyof Operations;
