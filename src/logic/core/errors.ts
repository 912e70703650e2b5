/** Stable, machine-readable fault codes. They are part of the WSDL contract (tns:FaultCode). */
export const FAULT_CODES = [
  'INVALID_REQUEST',
  'UNKNOWN_DATA_CENTER',
  'UNKNOWN_VLAN',
  'AMBIGUOUS_VLAN',
  'NO_FREE_ADDRESS',
  'NO_ZONE',
  'NAME_EXHAUSTED',
  'NOT_FOUND',
  'CONFLICT',
  'NETWORK_IN_USE',
  'SPLIT_REFUSED',
  'MERGE_REFUSED',
  'NO_FREE_PREFIX',
  'BATCH_ABORTED',
  'UNSUPPORTED_OPERATION',
  'REQUEST_TOO_LARGE',
  'AUTHENTICATION_FAILED',
  'MUST_UNDERSTAND',
  'ACCESS_DENIED',
  'BUSY',
  'UNAVAILABLE',
  'INTERNAL',
] as const;
export type FaultCode = (typeof FAULT_CODES)[number];

/** A refusal the caller can act on: a stable code and a sentence that states the cause. */
export class IpcdError extends Error {
  constructor(
    readonly code: FaultCode,
    message: string,
  ) {
    super(message);
    this.name = 'IpcdError';
  }
}

export const invalid = (message: string) => new IpcdError('INVALID_REQUEST', message);

/** The database could not be reached or the connection was lost: retry later (see src/store/db-errors.ts). */
export const unavailable = (message: string) => new IpcdError('UNAVAILABLE', message);
export const isUnavailable = (e: unknown): boolean => e instanceof IpcdError && e.code === 'UNAVAILABLE';

/**
 * Raised by a store when a transaction lost a race (unique violation, serialization failure,
 * deadlock). Nothing was written; the whole unit of work may be run again.
 */
export class StoreConflict extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StoreConflict';
  }
}
