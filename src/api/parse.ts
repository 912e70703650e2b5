/** SOAP arguments (raw text from node-soap) to the logic's typed requests; nothing else. */
import type { CommissionRequest } from '../logic/commission';
import type { DecommissionRequest } from '../logic/decommission';
import { invalid } from '../logic/errors';
import type { ReleaseReason } from '../logic/model';
import * as v from '../logic/validate';

export type Args = Record<string, unknown> | undefined | null;

export const optional = <T>(args: Args, key: string, check: (x: unknown) => T): T | undefined => {
  const x = args?.[key];
  return x === undefined || x === null || x === '' ? undefined : check(x);
};

export function required<T>(args: Args, key: string, check: (x: unknown) => T): T {
  const value = optional(args, key, check);
  if (value === undefined) throw invalid(`${key} is required`);
  return value;
}

function family(x: unknown): 4 | 6 {
  if (x === 'IPv4') return 4;
  if (x === 'IPv6') return 6;
  throw invalid(`addressFamily must be IPv4 or IPv6, got ${v.describe(x)}`);
}

/** Unknown elements are refused: a misspelt field must not be silently ignored. */
export function only(args: Args, allowed: string[]): void {
  for (const key of Object.keys(args ?? {})) {
    if (key !== 'attributes' && !allowed.includes(key)) {
      throw invalid(`unexpected element '${key}'; allowed here: ${allowed.join(', ')}`);
    }
  }
}

function releaseReason(x: unknown): ReleaseReason {
  if (x === 'DELETED' || x === 'MIGRATED') return x;
  throw invalid(`reason must be DELETED or MIGRATED, got ${v.describe(x)}`);
}

export const dataCenterOf = (args: Args) => optional(args, 'dataCenter', v.dataCenterName);

export function commissionRequest(args: Args): CommissionRequest {
  only(args, ['dataCenter', 'vlan', 'serverInstance', 'wantAddress', 'wantName', 'hostnameHint', 'addressFamily']);
  return {
    dataCenter: dataCenterOf(args),
    vlan: required(args, 'vlan', v.vlanId),
    serverInstance: required(args, 'serverInstance', v.serverInstance),
    wantAddress: v.bool(args?.wantAddress, 'wantAddress', true),
    wantName: v.bool(args?.wantName, 'wantName', false),
    hostnameHint: optional(args, 'hostnameHint', (x) => v.hostLabel(x)),
    family: optional(args, 'addressFamily', family) ?? 4,
  };
}

export function nameOnlyRequest(args: Args) {
  only(args, ['dataCenter', 'vlan', 'serverInstance', 'hostnameHint']);
  return {
    dataCenter: dataCenterOf(args),
    vlan: required(args, 'vlan', v.vlanId),
    serverInstance: required(args, 'serverInstance', v.serverInstance),
    hostnameHint: optional(args, 'hostnameHint', (x) => v.hostLabel(x)),
  };
}

export function listRequest(args: Args) {
  only(args, ['dataCenter', 'vlan', 'serverInstance', 'pageSize', 'after']);
  return {
    dataCenter: dataCenterOf(args),
    vlan: optional(args, 'vlan', v.vlanId),
    serverInstance: optional(args, 'serverInstance', v.serverInstance),
    pageSize: optional(args, 'pageSize', (x) => v.integer(x, 'pageSize')),
    after: optional(args, 'after', cursor),
  };
}

export function cursor(x: unknown): string {
  if (typeof x !== 'string' || x.length > 128) throw invalid(`after must be a cursor string, got ${v.describe(x)}`);
  return x;
}

export function decommissionRequest(args: Args): DecommissionRequest {
  only(args, ['dataCenter', 'vlan', 'allocationId', 'address', 'name', 'serverInstance', 'releaseAddress', 'releaseName', 'reason']);
  return {
    dataCenter: dataCenterOf(args),
    vlan: required(args, 'vlan', v.vlanId),
    allocationId: optional(args, 'allocationId', v.allocationId),
    address: optional(args, 'address', (x) => v.ipAddress(x)),
    name: optional(args, 'name', (x) => v.zoneName(x)),
    serverInstance: optional(args, 'serverInstance', v.serverInstance),
    releaseAddress: v.bool(args?.releaseAddress, 'releaseAddress', true),
    releaseName: v.bool(args?.releaseName, 'releaseName', true),
    reason: optional(args, 'reason', releaseReason),
  };
}
