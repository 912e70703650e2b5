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
 * - CommissionIPBatch: every item is a CommissionIP, so the batch is as safe to repeat.
 * - DecommissionIPBatch: repeated only when every item names an allocationId or a serverInstance.
 */
import { commissioning as wsdl, type FaultCode } from '../contract';
import type { Decoded, Encodable } from './codec';
import { omitUndefined, SoapClient, type IpcdClientOptions } from './transport';

export type { IpcdClientOptions, RetryInfo } from './transport';

export type AddressFamily = wsdl.AddressFamily;
export type AllocationSource = wsdl.AllocationSource;
export type Intent = wsdl.Intent;
export type ReleaseReason = wsdl.ReleaseReason;
export type DnsState = wsdl.DnsState;
export const DNS_STATES = wsdl.DnsState;

/** CommissionIP's request (the contract's element; its comments give the server's defaults). */
export type CommissionParams = wsdl.CommissionIP;
export type NameOnlyParams = wsdl.NameOnly;
/**
 * Say what to release: the allocationId CommissionIP returned (safe to retry), and/or an address,
 * a name (host name or FQDN), a server instance (safe to retry).
 */
export type DecommissionParams = wsdl.DecommissionIP;
/** ListAllocations' request; pageSize 1 to 1000 (server default 100), after: the previous page's nextPage. */
export type ListParams = wsdl.ListAllocations;
export type AllocationFilter = Omit<ListParams, 'after'>;

/**
 * CommissionIP's answer. Optional fields are absent when the allocation has no such part.
 * existing: true when the instance already held this allocation; after a retried call this may
 * also mean that an earlier attempt of the same call created it (its reply was lost).
 */
export type Commissioned = wsdl.CommissionIPResponse & { existing: boolean };
export type NameIssued = wsdl.NameOnlyResponse & { existing: boolean };
export type ReleasedAllocation = wsdl.Released;

export interface Decommissioned {
  releasedCount: number;
  released: ReleasedAllocation[];
  /** The allocationId named was released before: a repeated request. */
  alreadyReleased?: true;
}

/** An active allocation; dns: where its DNS records stand (servers from before DNS publication omit it). */
export type IssuedAllocation = wsdl.IssuedAllocation<Decoded>;

export interface AllocationPage {
  allocations: IssuedAllocation[];
  /** Present when another page follows: pass it as `after`. */
  nextPage?: string;
}

/** One item's outcome in a batch: its result, or the fault that refused it (BATCH_ABORTED: not written). */
export type BatchItemResult<T> =
  { item: number; ok: T } | { item: number; fault: { code: FaultCode; message: string } };

export interface BatchResult<T> {
  succeeded: number;
  failed: number;
  /** Atomic batches: the position (from 1) of the item refused; nothing was written. */
  failedItem?: number;
  /** One per item, in order. */
  results: BatchItemResult<T>[];
}

export class IpcdClient extends SoapClient<wsdl.Operations<Encodable>, wsdl.Operations<Decoded>> {
  constructor(options: IpcdClientOptions) {
    super(options, wsdl.CONTRACT);
  }

  /** CommissionIP: an address and/or a name for the instance; a repeat returns the same one. */
  async commission(p: CommissionParams): Promise<Commissioned> {
    const r = await this.call('CommissionIP', p, true);
    return { ...r, existing: r.existing ?? false };
  }

  /**
   * CommissionIPBatch: up to 1,000 commissions in one call, one result per item in order. Safe to
   * repeat as a whole (each item is idempotent per instance). atomic: all items or none.
   */
  async commissionBatch(
    items: CommissionParams[],
    opts: { atomic?: boolean } = {},
  ): Promise<BatchResult<Commissioned>> {
    const r = await this.call('CommissionIPBatch', { atomic: opts.atomic, CommissionIP: items }, true);
    return batchResult(
      r,
      (x) =>
        x.CommissionIPResponse && { ...x.CommissionIPResponse, existing: x.CommissionIPResponse.existing ?? false },
    );
  }

  /**
   * DecommissionIPBatch: up to 1,000 releases in one call, one result per item in order. Repeated
   * on failures only when every item names an allocationId or a serverInstance.
   */
  async decommissionBatch(
    items: DecommissionParams[],
    opts: { atomic?: boolean } = {},
  ): Promise<BatchResult<Decommissioned>> {
    const repeatable = items.every((p) => p.serverInstance !== undefined || p.allocationId !== undefined);
    const r = await this.call('DecommissionIPBatch', { atomic: opts.atomic, DecommissionIP: items }, repeatable);
    return batchResult(r, (x) => x.DecommissionIPResponse && decommissioned(x.DecommissionIPResponse));
  }

  /** NameOnly: a unique name in the VLAN's zone, no address; a repeat returns the same one. */
  async nameOnly(p: NameOnlyParams): Promise<NameIssued> {
    const r = await this.call('NameOnly', p, true);
    return { ...r, existing: r.existing ?? false };
  }

  /** DecommissionIP: releases at once. Repeated on failures only when it names an allocationId or serverInstance. */
  async decommission(p: DecommissionParams): Promise<Decommissioned> {
    return decommissioned(
      await this.call('DecommissionIP', p, p.serverInstance !== undefined || p.allocationId !== undefined),
    );
  }

  /** ListAllocations: one page of active allocations. */
  async listAllocations(p: ListParams = {}): Promise<AllocationPage> {
    const r = await this.call('ListAllocations', p, true);
    return omitUndefined({ allocations: r.allocation, nextPage: r.nextPage });
  }

  /** Every active allocation matching the filter, page after page (each page retried on its own). */
  allAllocations(filter: AllocationFilter = {}): AsyncGenerator<IssuedAllocation, void, undefined> {
    return this.pages('ListAllocations', async (after) => {
      const p = await this.listAllocations({ ...filter, after });
      return { items: p.allocations, nextPage: p.nextPage };
    });
  }
}

function decommissioned(r: wsdl.DecommissionIPResponse): Decommissioned {
  return omitUndefined({
    releasedCount: r.releasedCount,
    released: r.released,
    alreadyReleased: r.alreadyReleased ? (true as const) : undefined,
  });
}

/** The batch's answer, each result read by `ok` (undefined: the item holds a fault instead). */
function batchResult<R extends { item: number; IpcdFault?: wsdl.IpcdFault }, T>(
  r: { succeeded: number; failed: number; failedItem?: number; result: R[] },
  ok: (x: R) => T | undefined,
): BatchResult<T> {
  return omitUndefined({
    succeeded: r.succeeded,
    failed: r.failed,
    failedItem: r.failedItem,
    results: r.result.map((x): BatchItemResult<T> => {
      const value = ok(x);
      if (value !== undefined) return { item: x.item, ok: value };
      if (!x.IpcdFault) throw new Error(`the batch's result ${x.item} holds neither a response nor a fault`);
      return { item: x.item, fault: { code: x.IpcdFault.code, message: x.IpcdFault.message } };
    }),
  });
}
