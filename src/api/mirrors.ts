/**
 * The logic keeps its own unions (it does not import the contract) for what the WSDLs enumerate.
 * Each must be exactly the contract's enumeration, both ways, or this file does not compile: a
 * fault code or a reason added on one side only is caught by the build, not by a caller.
 */
import type { Assert, commissioning, FaultCode, management, Same } from '../contract';
import type { Role } from '../logic/access/policy';
import type { FaultCode as LogicFaultCode } from '../logic/core/errors';
import type { AllocationSource, Intent, ReleaseReason } from '../logic/core/model';
import type { DnsState, DnsZoneKind } from '../logic/dns/dns';

export type Mirrors = [
  Assert<Same<LogicFaultCode, FaultCode>>,
  Assert<Same<LogicFaultCode, management.FaultCode>>,
  Assert<Same<AllocationSource, commissioning.AllocationSource>>,
  Assert<Same<Intent, commissioning.Intent>>,
  Assert<Same<Intent, management.Intent>>,
  Assert<Same<ReleaseReason, management.ReleaseReason>>,
  Assert<Same<DnsState, commissioning.DnsState>>,
  Assert<Same<DnsState, management.DnsState>>,
  Assert<Same<DnsZoneKind, management.DnsZoneKind>>,
  Assert<Same<Role, management.Role>>,
];
