/**
 * What both clients share: one SOAP operation over HTTP with the credentials, the timeout and the
 * bounded retries, the reply's wrapper element read with typed accessors, and paging. Each client
 * (IpcdClient, IpcdAdminClient) says per operation whether a repeat is safe; this decides, per
 * failure, whether to repeat:
 *
 * - BUSY fault: always (the server rolled the request back; nothing was written).
 * - UNAVAILABLE fault (the server lost its database, e.g. during a failover): when the operation
 *   is safe to repeat. A connection lost in the middle of COMMIT leaves unknown whether the change
 *   was made, so a change that is not idempotent is treated like a lost reply.
 * - No usable answer (network error, timeout, HTTP 5xx/408/429): when the operation is safe to
 *   repeat, or when the request certainly never reached the server (connection refused, DNS).
 * - Any other fault: never.
 */
import { randomUUID } from 'node:crypto';
import { FAULT_CODES, type ContractModel, type FaultCode } from '../contract';
import { decode, encode } from './codec';
import { backoffMs } from '../contract/backoff';
import { IpcdFaultError, IpcdTransportError, type TransportErrorKind } from './errors';
import {
  bodyElement,
  envelope,
  parseXml,
  readFault,
  securityHeader,
  SOAP11_NS,
  type Credentials,
  type XmlNode,
} from './soap';

export interface IpcdClientOptions {
  /** The endpoint, e.g. http://ipcd.example.org:8080/ipcd (management: …/ipcd-admin) */
  url: string | URL;
  /** Per HTTP request, reading the reply included. Default 10000. */
  timeoutMs?: number;
  /** Further attempts after the first, where a repeat is safe. Default 2. */
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

/** One page of a paged list, and the cursor of the next one. */
export interface Page<T> {
  items: T[];
  /** Present when another page follows: pass it as `after`. */
  nextPage?: string;
}

const MAX_BACKOFF_MS = 30_000;
/** Connection-level errors that mean the request was never sent. */
const NOT_SENT = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EAI_NONAME',
  'UND_ERR_CONNECT_TIMEOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

/** Each operation's request and reply, as a generated contract's Operations interface gives them. */
export type OperationTypes<T> = { [K in keyof T]: { input: object; output: object } };

/**
 * A client of one ipcd service (the contract `contract`); In and Out: its Operations typed with
 * what a request may give (Encodable) and what a reply is read into (Decoded).
 */
export abstract class SoapClient<In extends OperationTypes<In>, Out extends OperationTypes<Out>> {
  readonly url: string;
  readonly timeoutMs: number;
  readonly retries: number;
  readonly retryDelayMs: number;
  readonly #credentials?: Credentials;
  readonly #onRetry?: (info: RetryInfo) => void;

  private readonly ns: string;

  protected constructor(
    options: IpcdClientOptions,
    private readonly contract: ContractModel,
  ) {
    this.ns = contract.ns;
    let url: URL;
    try {
      url = new URL(options.url);
    } catch {
      throw new TypeError(`url is not a valid URL: '${String(options.url)}'`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      throw new TypeError(`url must be http: or https:, got ${url.protocol}`);
    this.url = url.toString();
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.retries = options.retries ?? 2;
    this.retryDelayMs = options.retryDelayMs ?? 200;
    if (!(this.timeoutMs > 0)) throw new RangeError(`timeoutMs must be positive, got ${this.timeoutMs}`);
    if (!Number.isInteger(this.retries) || this.retries < 0)
      throw new RangeError(`retries must be a whole number, got ${this.retries}`);
    if (!(this.retryDelayMs >= 0)) throw new RangeError(`retryDelayMs must not be negative, got ${this.retryDelayMs}`);
    if ((options.username === undefined) !== (options.password === undefined))
      throw new TypeError('username and password go together');
    if (options.username !== undefined) this.#credentials = { username: options.username, password: options.password! };
    this.#onRetry = options.onRetry;
  }

  /** One operation, with the retries that are safe for it (`repeatable`: a repeat cannot do harm). */
  protected async call<K extends keyof In & keyof Out & string>(
    operation: K,
    request: In[K]['input'],
    repeatable: boolean,
  ): Promise<Out[K]['output']> {
    const { input, output } = this.contract.operations[operation];
    const inner = encode(this.contract, input, request);
    const maxAttempts = this.retries + 1;
    // One id for every attempt of the call: the server logs it (X-Request-Id), so retries correlate.
    const requestId = randomUUID();
    for (let attempt = 1; ; attempt++) {
      try {
        // Built again per attempt: the security header's nonce and timestamp are per message.
        const body = envelope(operation, inner, this.#credentials && securityHeader(this.#credentials), this.ns);
        const reply = await this.post(operation, body, requestId);
        const bad = (node: XmlNode, what: string) =>
          new IpcdTransportError('protocol', `${operation}: the reply's ${node.name} ${what}`, operation);
        return decode(this.contract, output, reply, this.ns, bad) as Out[K]['output'];
      } catch (e) {
        if (!(e instanceof IpcdFaultError || e instanceof IpcdTransportError)) throw e;
        e.attempts = attempt;
        const again =
          e instanceof IpcdFaultError
            ? e.code === 'BUSY' || (e.code === 'UNAVAILABLE' && repeatable)
            : e.retryable && (repeatable || !e.maybeDelivered);
        if (!again || attempt >= maxAttempts) throw e;
        const delayMs = backoffMs(attempt, { baseMs: this.retryDelayMs, maxMs: MAX_BACKOFF_MS });
        this.#onRetry?.({ operation, attempt, maxAttempts, delayMs, error: e });
        await new Promise((r) => setTimeout(r, delayMs));
      }
    }
  }

  /** Every item of a paged list, page after page (each page retried on its own). */
  protected async *pages<T>(
    operation: string,
    page: (after: string | undefined) => Promise<Page<T>>,
  ): AsyncGenerator<T, void, undefined> {
    const seen = new Set<string>();
    let after: string | undefined;
    do {
      const p = await page(after);
      yield* p.items;
      after = p.nextPage;
      if (after !== undefined) {
        if (seen.has(after))
          throw new IpcdTransportError(
            'protocol',
            `${operation}: the server returned the cursor ${after} twice`,
            operation,
          );
        seen.add(after);
      }
    } while (after !== undefined);
  }

  /** One HTTP exchange: the response wrapper element, or the error it amounts to. */
  private async post(operation: string, body: string, requestId: string): Promise<XmlNode> {
    let status: number;
    let text: string;
    try {
      const res = await fetch(this.url, {
        method: 'POST',
        headers: {
          'Content-Type': 'text/xml; charset=utf-8',
          SOAPAction: `"${this.ns}/${operation}"`,
          'X-Request-Id': requestId,
        },
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
      const f = readFault(wrapper, this.ns);
      if (f.ipcd) {
        const code = (FAULT_CODES as readonly string[]).includes(f.ipcd.code) ? (f.ipcd.code as FaultCode) : 'INTERNAL';
        const message = code === f.ipcd.code ? f.ipcd.message : `${f.ipcd.code}: ${f.ipcd.message}`;
        throw new IpcdFaultError(code, message, f.faultcode, operation);
      }
      const kind: TransportErrorKind = status >= 400 ? 'http' : 'protocol';
      throw new IpcdTransportError(
        kind,
        `${operation}: HTTP ${status} with a SOAP fault that is not ipcd's (${f.faultcode}: ${f.faultstring})`,
        operation,
        {
          status,
          retryable: retryableStatus,
        },
      );
    }
    if (status < 200 || status >= 300) {
      const snippet = text.replace(/\s+/g, ' ').trim().slice(0, 200);
      throw new IpcdTransportError(
        'http',
        `${operation}: HTTP ${status} from ${this.url}${snippet ? `: ${snippet}` : ''}`,
        operation,
        { status, retryable: retryableStatus },
      );
    }
    if (!wrapper) {
      throw new IpcdTransportError(
        'protocol',
        `${operation}: the reply is not a SOAP 1.1 envelope${unreadable ? ` (${unreadable})` : ''}`,
        operation,
        { status },
      );
    }
    if (wrapper.uri !== this.ns || wrapper.name !== `${operation}Response`) {
      throw new IpcdTransportError(
        'protocol',
        `${operation}: the reply holds {${wrapper.uri}}${wrapper.name}, not ${operation}Response`,
        operation,
        { status },
      );
    }
    return wrapper;
  }

  private noAnswer(operation: string, e: unknown): IpcdTransportError {
    const err = e as Error & { cause?: { code?: string; message?: string; errors?: { code?: string }[] } };
    if (err?.name === 'TimeoutError' || err?.name === 'AbortError') {
      return new IpcdTransportError(
        'timeout',
        `${operation}: no answer from ${this.url} within ${this.timeoutMs} ms`,
        operation,
        { retryable: true, cause: e },
      );
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

/** Absent optional fields are left out rather than set to undefined (cleaner JSON, toEqual). */
export function omitUndefined<T extends object>(o: T): T {
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] === undefined) delete o[k];
  return o;
}
