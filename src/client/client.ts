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
import { omitUndefined, SoapClient, type IpcdClientOptions, type Reader } from './transport';
import { FAULT_CODES, type FaultCode } from '../logic/core/errors';

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

/** One item's outcome in a batch: its result, or the fault that refused it (BATCH_ABORTED: not written). */
export type BatchItemResult<T> = { item: number; ok: T } | { item: number; fault: { code: FaultCode; message: string } };

export interface BatchResult<T> {
  succeeded: number;
  failed: number;
  /** Atomic batches: the position (from 1) of the item refused; nothing was written. */
  failedItem?: number;
  /** One per item, in order. */
  results: BatchItemResult<T>[];
}

export class IpcdClient extends SoapClient {
  constructor(options: IpcdClientOptions) {
    super(options, NS);
  }

  /** CommissionIP: an address and/or a name for the instance; a repeat returns the same one. */
  async commission(p: CommissionParams): Promise<Commissioned> {
    return commissioned(await this.call('CommissionIP', commissionFields(p), true));
  }

  /**
   * CommissionIPBatch: up to 1,000 commissions in one call, one result per item in order. Safe to
   * repeat as a whole (each item is idempotent per instance). atomic: all items or none.
   */
  async commissionBatch(items: CommissionParams[], opts: { atomic?: boolean } = {}): Promise<BatchResult<Commissioned>> {
    const fields: Fields = [['atomic', opts.atomic], ...items.map((p): [string, Fields] => ['CommissionIP', commissionFields(p)])];
    return batchResult(await this.call('CommissionIPBatch', fields, true), 'CommissionIPResponse', commissioned);
  }

  /**
   * DecommissionIPBatch: up to 1,000 releases in one call, one result per item in order. Repeated
   * on failures only when every item names an allocationId or a serverInstance.
   */
  async decommissionBatch(items: DecommissionParams[], opts: { atomic?: boolean } = {}): Promise<BatchResult<Decommissioned>> {
    const fields: Fields = [['atomic', opts.atomic], ...items.map((p): [string, Fields] => ['DecommissionIP', decommissionFields(p)])];
    const repeatable = items.every((p) => p.serverInstance !== undefined || p.allocationId !== undefined);
    return batchResult(await this.call('DecommissionIPBatch', fields, repeatable), 'DecommissionIPResponse', decommissioned);
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
    return decommissioned(await this.call('DecommissionIP', decommissionFields(p), p.serverInstance !== undefined || p.allocationId !== undefined));
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

function commissionFields(p: CommissionParams): Fields {
  return [
    ['dataCenter', p.dataCenter],
    ['vlan', p.vlan],
    ['serverInstance', p.serverInstance],
    ['wantAddress', p.wantAddress],
    ['wantName', p.wantName],
    ['hostnameHint', p.hostnameHint],
    ['addressFamily', p.addressFamily],
  ];
}

function commissioned(r: Reader): Commissioned {
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

function decommissionFields(p: DecommissionParams): Fields {
  return [
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
}

function decommissioned(r: Reader): Decommissioned {
  return omitUndefined({
    releasedCount: r.int('releasedCount'),
    released: r.all('released').map((x) =>
      omitUndefined({ allocationId: x.str('allocationId'), network: x.str('network'), serverInstance: x.str('serverInstance'), address: x.opt('address'), fqdn: x.opt('fqdn') }),
    ),
    alreadyReleased: r.bool('alreadyReleased', false) ? (true as const) : undefined,
  });
}

function batchResult<T>(r: Reader, response: string, read: (x: Reader) => T): BatchResult<T> {
  return omitUndefined({
    succeeded: r.int('succeeded'),
    failed: r.int('failed'),
    failedItem: r.optInt('failedItem'),
    results: r.all('result').map((x): BatchItemResult<T> => {
      const item = x.int('item');
      if (x.all(response).length > 0) return { item, ok: read(x.one(response)) };
      const f = x.one('IpcdFault');
      const code = f.str('code');
      return { item, fault: { code: (FAULT_CODES as readonly string[]).includes(code) ? (code as FaultCode) : 'INTERNAL', message: f.str('message') } };
    }),
  });
}
