/** What a call of IpcdClient or IpcdAdminClient can fail with: the contract fault, or no usable answer at all. */
import type { FaultCode } from '../contract';

export type { FaultCode };

/** ipcd refused the request: a SOAP fault carrying the contract's tns:IpcdFault. */
export class IpcdFaultError extends Error {
  /** How many HTTP requests the call made (more than 1 when earlier attempts were retried). */
  attempts = 1;

  constructor(
    /** The stable code of tns:IpcdFault (the WSDL's tns:FaultCode). */
    readonly code: FaultCode,
    message: string,
    /** The SOAP faultcode, e.g. soap:Client (the request is the cause) or soap:Server. */
    readonly faultcode: string,
    /** The operation that was refused. */
    readonly operation: string,
  ) {
    super(message);
    this.name = 'IpcdFaultError';
  }
}

/**
 * - network: no HTTP answer (connection refused or reset, DNS failure, ...)
 * - timeout: no complete answer within timeoutMs
 * - http: an HTTP error status without a contract fault (a proxy's 502 page, a 404, ...)
 * - protocol: an answer that is not the contract's reply (not SOAP, another element, a field missing)
 */
export type TransportErrorKind = 'network' | 'timeout' | 'http' | 'protocol';

/** The call got no contract answer: nothing is known about what the server did. */
export class IpcdTransportError extends Error {
  attempts = 1;

  constructor(
    readonly kind: TransportErrorKind,
    message: string,
    readonly operation: string,
    readonly details: {
      /** The HTTP status, when there was an answer. */
      status?: number;
      /** False only when the request certainly never reached the server (connection refused, DNS). */
      maybeDelivered?: boolean;
      /** Whether trying again can help (network, timeout, HTTP 5xx/408/429). */
      retryable?: boolean;
      cause?: unknown;
    } = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'IpcdTransportError';
  }

  get status(): number | undefined {
    return this.details.status;
  }

  get maybeDelivered(): boolean {
    return this.details.maybeDelivered ?? true;
  }

  get retryable(): boolean {
    return this.details.retryable ?? false;
  }
}
