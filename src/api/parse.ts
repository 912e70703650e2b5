/** SOAP arguments (raw text, from node-soap or the guard) to the logic's typed requests; nothing else. */
import { commissioning as wsdl } from '../contract';
import type { CommissionRequest } from '../logic/allocation/commission';
import type { DecommissionRequest } from '../logic/allocation/decommission';
import { invalid } from '../logic/core/errors';
import type { ReleaseReason } from '../logic/core/model';
import * as v from '../logic/core/validate';

export type Args = Record<string, unknown> | undefined | null;

/** Absent: undefined. An empty element (null, its schema default applied before) is the empty string, checked like any value. */
export const optional = <T>(args: Args, key: string, check: (x: unknown) => T): T | undefined => {
  const x = args?.[key];
  return x === undefined ? undefined : check(x ?? '');
};

export function required<T>(args: Args, key: string, check: (x: unknown) => T): T {
  const x = args?.[key];
  if (x === undefined || x === null || x === '')
    throw invalid(`${key} is required${x === undefined ? '' : ', and its element is empty'}`);
  return check(x);
}

export const flag = (args: Args, key: string) => optional(args, key, (x) => v.bool(x, key));

/** A value of one of the contract's enumerations. */
export const oneOf =
  <T extends string>(values: readonly T[], field: string) =>
  (x: unknown): T => {
    if ((values as readonly unknown[]).includes(x)) return x as T;
    throw invalid(
      `${field} must be ${values.length > 1 ? `${values.slice(0, -1).join(', ')} or ${values[values.length - 1]}` : values[0]}, got ${v.describe(x)}`,
    );
  };

const family = (x: unknown): 4 | 6 => (oneOf(wsdl.AddressFamily, 'addressFamily')(x) === 'IPv4' ? 4 : 6);

/** Unknown elements are refused: a misspelt field must not be silently ignored (soapOperation checks each request against its contract). */
export function only(args: Args, allowed: string[]): void {
  for (const key of Object.keys(args ?? {})) {
    if (key !== 'attributes' && !allowed.includes(key)) {
      throw invalid(`unexpected element '${key}'; allowed here: ${allowed.join(', ')}`);
    }
  }
}

const releaseReason: (x: unknown) => ReleaseReason = oneOf(wsdl.ReleaseReason, 'reason');

export const dataCenterOf = (args: Args) => optional(args, 'dataCenter', v.dataCenterName);

export function commissionRequest(args: Args): CommissionRequest {
  return {
    dataCenter: dataCenterOf(args),
    vlan: required(args, 'vlan', v.vlanId),
    serverInstance: required(args, 'serverInstance', v.serverInstance),
    wantAddress: flag(args, 'wantAddress') ?? true,
    wantName: flag(args, 'wantName') ?? false,
    hostnameHint: optional(args, 'hostnameHint', (x) => v.hostLabel(x)),
    family: optional(args, 'addressFamily', family) ?? 4,
  };
}

export function nameOnlyRequest(args: Args) {
  return {
    dataCenter: dataCenterOf(args),
    vlan: required(args, 'vlan', v.vlanId),
    serverInstance: required(args, 'serverInstance', v.serverInstance),
    hostnameHint: optional(args, 'hostnameHint', (x) => v.hostLabel(x)),
  };
}

export function listRequest(args: Args) {
  return {
    dataCenter: dataCenterOf(args),
    vlan: optional(args, 'vlan', v.vlanId),
    serverInstance: optional(args, 'serverInstance', v.serverInstance),
    pageSize: optional(args, 'pageSize', (x) => v.integer(x, 'pageSize')),
    after: optional(args, 'after', cursor),
  };
}

export function cursor(x: unknown): string {
  if (typeof x !== 'string' || x === '' || x.length > 128)
    throw invalid(`after must be a cursor string, got ${v.describe(x)}`);
  return x;
}

export function decommissionRequest(args: Args): DecommissionRequest {
  return {
    dataCenter: dataCenterOf(args),
    vlan: required(args, 'vlan', v.vlanId),
    allocationId: optional(args, 'allocationId', v.allocationId),
    address: optional(args, 'address', (x) => v.ipAddress(x)),
    name: optional(args, 'name', (x) => v.zoneName(x)),
    serverInstance: optional(args, 'serverInstance', v.serverInstance),
    releaseAddress: flag(args, 'releaseAddress') ?? true,
    releaseName: flag(args, 'releaseName') ?? true,
    reason: optional(args, 'reason', releaseReason),
  };
}
