/** The orchestrator-side client library: IpcdClient, its types and errors, and reconciliation. */
export {
  IpcdClient,
  type AddressFamily,
  type AllocationFilter,
  type AllocationPage,
  type AllocationSource,
  type CommissionParams,
  type Commissioned,
  type DecommissionParams,
  type Decommissioned,
  type Intent,
  type IpcdClientOptions,
  type IssuedAllocation,
  type ListParams,
  type NameIssued,
  type NameOnlyParams,
  type ReleaseReason,
  type ReleasedAllocation,
  type RetryInfo,
} from './client';
export { IpcdFaultError, IpcdTransportError, type FaultCode, type TransportErrorKind } from './errors';
export { findLeaked, parseLiveList, releaseLeaked, type LeakQuery, type LeakReport, type ReleaseOutcome } from './reconcile';
export { FAULT_CODES } from '../logic/errors';
