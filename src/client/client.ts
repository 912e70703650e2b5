/**
 * IpcdClient: the orchestrator's side of the ipcd contract (wsdl/ipcd.wsdl), typed, with bounded
 * retries where a repeat is safe.
 *
 * When a failure is retried is decided in transport.ts (BUSY always; UNAVAILABLE only for calls
 * safe to repeat; no answer only for calls safe to repeat, or that never left), at most `retries`
 * times with exponential backoff and jitter. Which calls are safe to repeat, and why:
 * - CommissionIP and NameOnly: idempotent per server instance; a repeat of a request that did
 *   reach the server gets the same allocation back (existing = true), never a second one.
 * - ListAllocations: reads only.
 * - DecommissionIP naming an allocationId: a repeat answers alreadyReleased, nothing else.
 * - DecommissionIP naming a serverInstance: a repeat releases only what that instance still holds.
 * - DecommissionIP by address or name alone is NOT repeated once the request may have arrived:
 *   the address may have been released and issued to another instance in between, and a repeat
 *   would release that one. It is repeated only when it certainly never reached the server
 *   (connection refused, DNS failure) or was refused with BUSY.
 */
import { NS, type Fields } from './soap';
import { omitUndefined, SoapClient, type IpcdClientOptions } from './transport';

export type { IpcdClientOptions, RetryInfo } from './transport';

export type AddressFamily = 'IPv4' | 'IPv6';
export type AllocationSource = 'VLAN' | 'TENANT_ALTERNATE' | 'RESERVE_POOL';
export type Intent = 'IPv4' | 'IPv6' | 'NAME';
export type ReleaseReason = 'DELETED' | 'MIGRATED';

export interface CommissionParams {
  /** Required when the VLAN number exists in more than one data center. */
  dataCenter?: string;
  vlan: number;
  serverInstance: string;
  /** Default true. */
  wantAddress?: boolean;
  /** Default false. */
  wantName?: boolean;
  hostnameHint?: string;
  /** Default IPv4. */
  addressFamily?: AddressFamily;
}

export interface NameOnlyParams {
  dataCenter?: string;
  vlan: number;
  serverInstance: string;
  hostnameHint?: string;
}

export interface DecommissionParams {
  dataCenter?: string;
  vlan: number;
  /**
   * Say what to release: the allocationId CommissionIP returned (safe to retry), and/or an
   * address, a name (host name or FQDN), a server instance (safe to retry).
   */
  allocationId?: string;
  address?: string;
  name?: string;
  serverInstance?: string;
  /** Default true. */
  releaseAddress?: boolean;
  /** Default true. */
  releaseName?: boolean;
  /** Default DELETED (server side). */
  reason?: ReleaseReason;
}

export interface AllocationFilter {
  dataCenter?: string;
  vlan?: number;
  serverInstance?: string;
  /** Allocations per page, 1 to 1000 (server default 100). */
  pageSize?: number;
}

export interface ListParams extends AllocationFilter {
  /** The nextPage of the previous page. */
  after?: string;
}

/** CommissionIP's answer. Optional fields are absent when the allocation has no such part. */
export interface Commissioned {
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
  /**
   * True when the instance already held this allocation. After a retried call this may also mean
   * that an earlier attempt of the same call created it (its reply was lost).
   */
  existing: boolean;
}

export interface NameIssued {
  allocationId: string;
  network: string;
  dataCenter: string;
  name: string;
  zone: string;
  fqdn: string;
  existing: boolean;
}

export interface ReleasedAllocation {
  allocationId: string;
  network: string;
  serverInstance: string;
  address?: string;
  fqdn?: string;
}

export interface Decommissioned {
  releasedCount: number;
  released: ReleasedAllocation[];
  /** The allocationId named was released before: a repeated request. */
  alreadyReleased?: true;
}

export interface IssuedAllocation {
  allocationId: string;
  dataCenter: string;
  vlan: number;
  network: string;
  serverInstance: string;
  intent: Intent;
  address?: string;
  fqdn?: string;
  createdAt: Date;
  /** Where the allocation's DNS records stand (servers from before DNS publication omit it). */
  dns?: { state: DnsState; detail?: string };
}

export const DNS_STATES = ['PENDING', 'PUBLISHED', 'FAILED', 'NOT_CONFIGURED', 'NONE'] as const;
export type DnsState = (typeof DNS_STATES)[number];

export interface AllocationPage {
  allocations: IssuedAllocation[];
  /** Present when another page follows: pass it as `after`. */
  nextPage?: string;
}

export class IpcdClient extends SoapClient {
  constructor(options: IpcdClientOptions) {
    super(options, NS);
  }

  /** CommissionIP: an address and/or a name for the instance; a repeat returns the same one. */
  async commission(p: CommissionParams): Promise<Commissioned> {
    const fields: Fields = [
      ['dataCenter', p.dataCenter],
      ['vlan', p.vlan],
      ['serverInstance', p.serverInstance],
      ['wantAddress', p.wantAddress],
      ['wantName', p.wantName],
      ['hostnameHint', p.hostnameHint],
      ['addressFamily', p.addressFamily],
    ];
    const r = await this.call('CommissionIP', fields, true);
    return omitUndefined({
      allocationId: r.str('allocationId'),
      network: r.str('network'),
      dataCenter: r.str('dataCenter'),
      vlan: r.optInt('vlan'),
      source: r.optEnum('source', ['VLAN', 'TENANT_ALTERNATE', 'RESERVE_POOL'] as const),
      address: r.opt('address'),
      prefixLength: r.optInt('prefixLength'),
      gateway: r.opt('gateway'),
      name: r.opt('name'),
      zone: r.opt('zone'),
      fqdn: r.opt('fqdn'),
      existing: r.bool('existing', false),
    });
  }

  /** NameOnly: a unique name in the VLAN's zone, no address; a repeat returns the same one. */
  async nameOnly(p: NameOnlyParams): Promise<NameIssued> {
    const fields: Fields = [
      ['dataCenter', p.dataCenter],
      ['vlan', p.vlan],
      ['serverInstance', p.serverInstance],
      ['hostnameHint', p.hostnameHint],
    ];
    const r = await this.call('NameOnly', fields, true);
    return {
      allocationId: r.str('allocationId'),
      network: r.str('network'),
      dataCenter: r.str('dataCenter'),
      name: r.str('name'),
      zone: r.str('zone'),
      fqdn: r.str('fqdn'),
      existing: r.bool('existing', false),
    };
  }

  /** DecommissionIP: releases at once. Repeated on failures only when it names an allocationId or serverInstance. */
  async decommission(p: DecommissionParams): Promise<Decommissioned> {
    const fields: Fields = [
      ['dataCenter', p.dataCenter],
      ['vlan', p.vlan],
      ['allocationId', p.allocationId],
      ['address', p.address],
      ['name', p.name],
      ['serverInstance', p.serverInstance],
      ['releaseAddress', p.releaseAddress],
      ['releaseName', p.releaseName],
      ['reason', p.reason],
    ];
    const r = await this.call('DecommissionIP', fields, p.serverInstance !== undefined || p.allocationId !== undefined);
    return omitUndefined({
      releasedCount: r.int('releasedCount'),
      released: r.all('released').map((x) =>
        omitUndefined({ allocationId: x.str('allocationId'), network: x.str('network'), serverInstance: x.str('serverInstance'), address: x.opt('address'), fqdn: x.opt('fqdn') }),
      ),
      alreadyReleased: r.bool('alreadyReleased', false) ? (true as const) : undefined,
    });
  }

  /** ListAllocations: one page of active allocations. */
  async listAllocations(p: ListParams = {}): Promise<AllocationPage> {
    const fields: Fields = [
      ['dataCenter', p.dataCenter],
      ['vlan', p.vlan],
      ['serverInstance', p.serverInstance],
      ['pageSize', p.pageSize],
      ['after', p.after],
    ];
    const r = await this.call('ListAllocations', fields, true);
    return omitUndefined({
      allocations: r.all('allocation').map((a) =>
        omitUndefined({
          allocationId: a.str('allocationId'),
          dataCenter: a.str('dataCenter'),
          vlan: a.int('vlan'),
          network: a.str('network'),
          serverInstance: a.str('serverInstance'),
          intent: a.enum('intent', ['IPv4', 'IPv6', 'NAME'] as const),
          address: a.opt('address'),
          fqdn: a.opt('fqdn'),
          createdAt: a.date('createdAt'),
          dns: a.all('dns').map((d) => omitUndefined({ state: d.enum('state', DNS_STATES), detail: d.opt('detail') }))[0],
        }),
      ),
      nextPage: r.opt('nextPage'),
    });
  }

  /** Every active allocation matching the filter, page after page (each page retried on its own). */
  allAllocations(filter: AllocationFilter = {}): AsyncGenerator<IssuedAllocation, void, undefined> {
    return this.pages('ListAllocations', async (after) => {
      const p = await this.listAllocations({ ...filter, after });
      return { items: p.allocations, nextPage: p.nextPage };
    });
  }
}
