/**
 * IpcdClient: the orchestrator's side of the ipcd contract (wsdl/ipcd.wsdl), typed, with bounded
 * retries where a repeat is safe.
 *
 * Retried: transport failures (no answer, timeout, HTTP 5xx/408/429) and BUSY faults, at most
 * `retries` times, with exponential backoff and jitter. Never retried: every other fault.
 * Why a repeat is safe:
 * - BUSY: the server rolled the request back (it lost a race too often); nothing was written.
 * - CommissionIP and NameOnly: idempotent per server instance; a repeat of a request that did
 *   reach the server gets the same allocation back (existing = true), never a second one.
 * - ListAllocations: reads only.
 * - DecommissionIP naming a serverInstance: a repeat releases only what that instance still holds.
 * - DecommissionIP by address or name alone is NOT repeated once the request may have arrived:
 *   the address may have been released and issued to another instance in between, and a repeat
 *   would release that one. It is repeated only when it certainly never reached the server
 *   (connection refused, DNS failure) or was refused with BUSY.
 */
import { randomUUID } from 'node:crypto';
import { FAULT_CODES, type FaultCode } from '../logic/errors';
import { IpcdFaultError, IpcdTransportError, type TransportErrorKind } from './errors';
import { bodyElement, childrenNamed, envelope, NS, parseXml, readFault, securityHeader, SOAP11_NS, type FieldValue, type XmlNode } from './soap';

export type AddressFamily = 'IPv4' | 'IPv6';
export type AllocationSource = 'VLAN' | 'TENANT_ALTERNATE' | 'RESERVE_POOL';
export type Intent = 'IPv4' | 'IPv6' | 'NAME';
export type ReleaseReason = 'DELETED' | 'MIGRATED';

export interface IpcdClientOptions {
  /** The endpoint, e.g. http://ipcd.example.org:8080/ipcd */
  url: string | URL;
  /** Per HTTP request, reading the reply included. Default 10000. */
  timeoutMs?: number;
  /** Further attempts after the first, where a repeat is safe (see above). Default 2. */
  retries?: number;
  /** Backoff before the first retry; doubled for each further one (with jitter). Default 200. */
  retryDelayMs?: number;
  /** WS-Security UsernameToken (PasswordText) in every request, when both are given. */
  username?: string;
  password?: string;
  /** Called before each retry, e.g. to log it. */
  onRetry?: (info: RetryInfo) => void;
}

export interface RetryInfo {
  operation: string;
  /** The attempt that failed (1 = the first request). */
  attempt: number;
  /** Attempts allowed in all (retries + 1). */
  maxAttempts: number;
  delayMs: number;
  error: IpcdFaultError | IpcdTransportError;
}

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
  /** Say what to release: an address, a name (host name or FQDN) and/or a server instance. */
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
}

export interface AllocationPage {
  allocations: IssuedAllocation[];
  /** Present when another page follows: pass it as `after`. */
  nextPage?: string;
}

const MAX_BACKOFF_MS = 30_000;
/** Connection-level errors that mean the request was never sent. */
const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EAI_NONAME', 'UND_ERR_CONNECT_TIMEOUT', 'EHOSTUNREACH', 'ENETUNREACH']);

export class IpcdClient {
  readonly url: string;
  readonly timeoutMs: number;
  readonly retries: number;
  readonly retryDelayMs: number;
  readonly #credentials?: { username: string; password: string };
  readonly #onRetry?: (info: RetryInfo) => void;

  constructor(options: IpcdClientOptions) {
    let url: URL;
    try {
      url = new URL(options.url);
    } catch {
      throw new TypeError(`url is not a valid URL: '${String(options.url)}'`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TypeError(`url must be http: or https:, got ${url.protocol}`);
    this.url = url.toString();
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.retries = options.retries ?? 2;
    this.retryDelayMs = options.retryDelayMs ?? 200;
    if (!(this.timeoutMs > 0)) throw new RangeError(`timeoutMs must be positive, got ${this.timeoutMs}`);
    if (!Number.isInteger(this.retries) || this.retries < 0) throw new RangeError(`retries must be a whole number, got ${this.retries}`);
    if (!(this.retryDelayMs >= 0)) throw new RangeError(`retryDelayMs must not be negative, got ${this.retryDelayMs}`);
    if ((options.username === undefined) !== (options.password === undefined)) throw new TypeError('username and password go together');
    if (options.username !== undefined) this.#credentials = { username: options.username, password: options.password! };
    this.#onRetry = options.onRetry;
  }

  /** CommissionIP: an address and/or a name for the instance; a repeat returns the same one. */
  async commission(p: CommissionParams): Promise<Commissioned> {
    const fields: [string, FieldValue][] = [
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
    const fields: [string, FieldValue][] = [
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

  /** DecommissionIP: releases at once. Repeated on failures only when it names a serverInstance. */
  async decommission(p: DecommissionParams): Promise<Decommissioned> {
    const fields: [string, FieldValue][] = [
      ['dataCenter', p.dataCenter],
      ['vlan', p.vlan],
      ['address', p.address],
      ['name', p.name],
      ['serverInstance', p.serverInstance],
      ['releaseAddress', p.releaseAddress],
      ['releaseName', p.releaseName],
      ['reason', p.reason],
    ];
    const r = await this.call('DecommissionIP', fields, p.serverInstance !== undefined);
    return {
      releasedCount: r.int('releasedCount'),
      released: r.all('released').map((x) =>
        omitUndefined({ allocationId: x.str('allocationId'), network: x.str('network'), serverInstance: x.str('serverInstance'), address: x.opt('address'), fqdn: x.opt('fqdn') }),
      ),
    };
  }

  /** ListAllocations: one page of active allocations. */
  async listAllocations(p: ListParams = {}): Promise<AllocationPage> {
    const fields: [string, FieldValue][] = [
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
        }),
      ),
      nextPage: r.opt('nextPage'),
    });
  }

  /** Every active allocation matching the filter, page after page (each page retried on its own). */
  async *allAllocations(filter: AllocationFilter = {}): AsyncGenerator<IssuedAllocation, void, undefined> {
    const seen = new Set<string>();
    let after: string | undefined;
    do {
      const page = await this.listAllocations({ ...filter, after });
      yield* page.allocations;
      after = page.nextPage;
      if (after !== undefined) {
        if (seen.has(after)) throw new IpcdTransportError('protocol', `ListAllocations: the server returned the cursor ${after} twice`, 'ListAllocations');
        seen.add(after);
      }
    } while (after !== undefined);
  }

  /** One operation, with the retries that are safe for it. */
  private async call(operation: string, fields: [string, FieldValue][], idempotent: boolean): Promise<Reader> {
    const maxAttempts = this.retries + 1;
    // One id for every attempt of the call: the server logs it (X-Request-Id), so retries correlate.
    const requestId = randomUUID();
    for (let attempt = 1; ; attempt++) {
      try {
        // Built again per attempt: the security header's nonce and timestamp are per message.
        const body = envelope(operation, fields, this.#credentials && securityHeader(this.#credentials));
        return new Reader(await this.post(operation, body, requestId), operation);
      } catch (e) {
        if (!(e instanceof IpcdFaultError || e instanceof IpcdTransportError)) throw e;
        e.attempts = attempt;
        const again =
          e instanceof IpcdFaultError ? e.code === 'BUSY' : e.retryable && (idempotent || !e.maybeDelivered);
        if (!again || attempt >= maxAttempts) throw e;
        const delayMs = Math.min(MAX_BACKOFF_MS, this.retryDelayMs * 2 ** (attempt - 1)) * (0.5 + Math.random() / 2);
        this.#onRetry?.({ operation, attempt, maxAttempts, delayMs: Math.round(delayMs), error: e });
        await new Promise((r) => setTimeout(r, delayMs));
      }
    }
  }

  /** One HTTP exchange: the response wrapper element, or the error it amounts to. */
  private async post(operation: string, body: string, requestId: string): Promise<XmlNode> {
    let status: number;
    let text: string;
    try {
      const res = await fetch(this.url, {
        method: 'POST',
        headers: { 'Content-Type': 'text/xml; charset=utf-8', SOAPAction: `"${NS}/${operation}"`, 'X-Request-Id': requestId },
        body,
        redirect: 'manual', // a moved endpoint is an HTTP error to fix, not to follow with a POST
        signal: AbortSignal.timeout(this.timeoutMs), // covers reading the body too
      });
      status = res.status;
      text = await res.text();
    } catch (e) {
      throw this.noAnswer(operation, e);
    }
    let wrapper: XmlNode | undefined;
    let unreadable: string | undefined;
    try {
      wrapper = bodyElement(parseXml(text));
    } catch (e) {
      unreadable = (e as Error).message.split('\n')[0];
    }
    const retryableStatus = status >= 500 || status === 408 || status === 429;
    if (wrapper?.name === 'Fault' && wrapper.uri === SOAP11_NS) {
      const f = readFault(wrapper);
      if (f.ipcd) {
        const code = (FAULT_CODES as readonly string[]).includes(f.ipcd.code) ? (f.ipcd.code as FaultCode) : 'INTERNAL';
        const message = code === f.ipcd.code ? f.ipcd.message : `${f.ipcd.code}: ${f.ipcd.message}`;
        throw new IpcdFaultError(code, message, f.faultcode, operation);
      }
      const kind: TransportErrorKind = status >= 400 ? 'http' : 'protocol';
      throw new IpcdTransportError(kind, `${operation}: HTTP ${status} with a SOAP fault that is not ipcd's (${f.faultcode}: ${f.faultstring})`, operation, {
        status,
        retryable: retryableStatus,
      });
    }
    if (status < 200 || status >= 300) {
      const snippet = text.replace(/\s+/g, ' ').trim().slice(0, 200);
      throw new IpcdTransportError('http', `${operation}: HTTP ${status} from ${this.url}${snippet ? `: ${snippet}` : ''}`, operation, { status, retryable: retryableStatus });
    }
    if (!wrapper) {
      throw new IpcdTransportError('protocol', `${operation}: the reply is not a SOAP 1.1 envelope${unreadable ? ` (${unreadable})` : ''}`, operation, { status });
    }
    if (wrapper.uri !== NS || wrapper.name !== `${operation}Response`) {
      throw new IpcdTransportError('protocol', `${operation}: the reply holds {${wrapper.uri}}${wrapper.name}, not ${operation}Response`, operation, { status });
    }
    return wrapper;
  }

  private noAnswer(operation: string, e: unknown): IpcdTransportError {
    const err = e as Error & { cause?: { code?: string; message?: string; errors?: { code?: string }[] } };
    if (err?.name === 'TimeoutError' || err?.name === 'AbortError') {
      return new IpcdTransportError('timeout', `${operation}: no answer from ${this.url} within ${this.timeoutMs} ms`, operation, { retryable: true, cause: e });
    }
    const code = err?.cause?.code ?? err?.cause?.errors?.[0]?.code;
    const why = err?.cause?.message || err?.message || String(e);
    return new IpcdTransportError('network', `${operation}: no answer from ${this.url}: ${why}`, operation, {
      retryable: true,
      maybeDelivered: !(code !== undefined && NOT_SENT.has(code)),
      cause: e,
    });
  }
}

/** Typed access to a reply element's children; a missing or malformed field is a protocol error. */
class Reader {
  constructor(
    private readonly node: XmlNode,
    private readonly operation: string,
  ) {}

  private bad(what: string): IpcdTransportError {
    return new IpcdTransportError('protocol', `${this.operation}: the reply's ${this.node.name} ${what}`, this.operation);
  }

  opt(name: string): string | undefined {
    return childrenNamed(this.node, name)[0]?.text;
  }

  str(name: string): string {
    const v = this.opt(name);
    if (v === undefined) throw this.bad(`lacks ${name}`);
    return v;
  }

  optInt(name: string): number | undefined {
    const v = this.opt(name)?.trim();
    if (v === undefined) return undefined;
    if (!/^[+-]?\d{1,15}$/.test(v)) throw this.bad(`has ${name} '${v}', not an integer`);
    return Number(v);
  }

  int(name: string): number {
    const v = this.optInt(name);
    if (v === undefined) throw this.bad(`lacks ${name}`);
    return v;
  }

  bool(name: string, fallback: boolean): boolean {
    const v = this.opt(name)?.trim();
    if (v === undefined) return fallback;
    if (v === 'true' || v === '1') return true;
    if (v === 'false' || v === '0') return false;
    throw this.bad(`has ${name} '${v}', not a boolean`);
  }

  optEnum<T extends string>(name: string, values: readonly T[]): T | undefined {
    const v = this.opt(name)?.trim();
    if (v === undefined) return undefined;
    if (!(values as readonly string[]).includes(v)) throw this.bad(`has ${name} '${v}', not one of ${values.join(', ')}`);
    return v as T;
  }

  enum<T extends string>(name: string, values: readonly T[]): T {
    const v = this.optEnum(name, values);
    if (v === undefined) throw this.bad(`lacks ${name}`);
    return v;
  }

  date(name: string): Date {
    const v = this.str(name).trim();
    const d = new Date(v);
    if (Number.isNaN(d.getTime())) throw this.bad(`has ${name} '${v}', not a date and time`);
    return d;
  }

  all(name: string): Reader[] {
    return childrenNamed(this.node, name).map((c) => new Reader(c, this.operation));
  }
}

/** Absent optional fields are left out rather than set to undefined (cleaner JSON, toEqual). */
function omitUndefined<T extends object>(o: T): T {
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] === undefined) delete o[k];
  return o;
}
