/**
 * Management SOAP arguments (text and nested elements from node-soap) to the logic's requests.
 * Only the shape is checked here (known elements, text where text belongs, booleans, repeats);
 * what the values may be is the logic's to say.
 */
import { fieldNames, management as wsdl } from '../contract';
import { invalid } from '../logic/core/errors';
import type { DnsServerSpec } from '../logic/dns/dns-config';
import type { NetworkPatch } from '../logic/topology/networks';
import type { Role } from '../logic/access/policy';
import type { NetworkSpec } from '../logic/topology/topology';
import type { UserSpec } from '../logic/access/users';
import * as v from '../logic/core/validate';
import { cursor, flag, only, optional, required, type Args } from './parse';

/** The elements of a management type, in the schema's order (soapOperation checks the request's own). */
const elementsOf = (key: string) => fieldNames(wsdl.CONTRACT, key);

/** Element text; a structure where text belongs is refused. */
const text =
  (field: string) =>
  (x: unknown): string => {
    if (typeof x === 'string') return x;
    if (typeof x === 'number' || typeof x === 'boolean') return String(x);
    throw invalid(`${field} must be text, got ${v.describe(x)}`);
  };

/**
 * Text that must not be empty: the contract's optional text elements are names, numbers and
 * addresses, whose types refuse the empty string (the few that allow it use `text` itself).
 */
const nonEmpty = (field: string) => (x: unknown) => {
  const t = text(field)(x);
  if (t === '') throw invalid(`${field} is empty: give it a value or leave the element out`);
  return t;
};
const str = (args: Args, key: string) => optional(args, key, nonEmpty(key));
const need = (args: Args, key: string) => required(args, key, text(key));

/** A repeated element: node-soap gives one occurrence as a value (an empty one as null) and several as an array. */
function many(args: Args, key: string): unknown[] {
  const x = args?.[key];
  if (x === undefined) return [];
  return (Array.isArray(x) ? x : [x]).map((o) => o ?? '');
}

function struct(x: unknown, field: string, allowed: string[]): Args {
  if (x === '' || x === undefined || x === null) return {};
  if (typeof x !== 'object' || Array.isArray(x))
    throw invalid(`${field} must hold the elements ${allowed.join(', ')}, got ${v.describe(x)}`);
  const a = x as Record<string, unknown>;
  only(a, allowed);
  return a;
}

/** Repeated tns:Tag elements to a key → value map; a key given twice is refused. */
function tagMap(items: unknown[], field: string): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const item of items) {
    const t = struct(item, field, elementsOf('Tag'));
    const key = required(t, 'key', text(`${field} key`));
    if (Object.prototype.hasOwnProperty.call(tags, key)) throw invalid(`${field} ${key} is given twice`);
    // An empty <value/> is an empty value, not a missing one.
    tags[key] = t?.value === undefined || t?.value === null ? '' : text(`${field} ${key} value`)(t.value);
  }
  return tags;
}

const pageArgs = (args: Args) => ({ pageSize: str(args, 'pageSize'), after: optional(args, 'after', cursor) });

export const nameRequest = (args: Args) => {
  return need(args, 'name');
};

export function describedRequest(args: Args): { name: string; description?: string } {
  return { name: need(args, 'name'), description: optional(args, 'description', text('description')) };
}

export function addNetworkRequest(args: Args): NetworkSpec {
  const noGateway = flag(args, 'noGateway') ?? false;
  const gateway = str(args, 'gateway');
  if (noGateway && gateway !== undefined) throw invalid('gateway and noGateway exclude each other');
  return {
    name: need(args, 'name'),
    cidr: need(args, 'cidr'),
    dataCenter: need(args, 'dataCenter'),
    vlan: str(args, 'vlan'),
    vxlan: str(args, 'vxlan'),
    tenant: str(args, 'tenant'),
    priority: str(args, 'priority'),
    zone: str(args, 'zone'),
    gateway: noGateway ? null : gateway,
    reservePool: flag(args, 'reservePool'),
    namePattern: str(args, 'namePattern'),
    holdDownSeconds: str(args, 'holdDownSeconds'),
    tags: tagMap(many(args, 'tag'), 'tag'),
  };
}

export function editNetworkRequest(args: Args): { network: string; patch: NetworkPatch } {
  const patch: NetworkPatch = {
    name: str(args, 'newName'),
    vxlan: str(args, 'vxlan'),
    tenant: str(args, 'tenant'),
    priority: str(args, 'priority'),
    zone: str(args, 'zone'),
    gateway: str(args, 'gateway'),
    reservePool: flag(args, 'reservePool'),
    namePattern: str(args, 'namePattern'),
    holdDownSeconds: str(args, 'holdDownSeconds'),
    tags: args?.tag === undefined ? undefined : tagMap(many(args, 'tag'), 'tag'),
  };
  for (const c of many(args, 'clear')) {
    const field = text('clear')(c);
    if (!(wsdl.NetworkField as readonly string[]).includes(field))
      throw invalid(`clear names one of ${wsdl.NetworkField.join(', ')}, got ${v.describe(c)}`);
    const key = field as wsdl.NetworkField;
    if (patch[key] !== undefined) throw invalid(`${field} is both given and cleared`);
    if (key === 'tags') patch.tags = {};
    else patch[key] = null;
  }
  return {
    network: need(args, 'network'),
    patch: Object.fromEntries(Object.entries(patch).filter(([, x]) => x !== undefined)) as NetworkPatch,
  };
}

export function tagNetworkRequest(args: Args): { network: string; set: Record<string, string>; remove: string[] } {
  return {
    network: need(args, 'network'),
    set: tagMap(many(args, 'set'), 'set'),
    remove: many(args, 'remove').map(nonEmpty('remove')),
  };
}

export function removeNetworkRequest(args: Args): { network: string; force: boolean } {
  return { network: need(args, 'network'), force: flag(args, 'force') ?? false };
}

export function splitNetworkRequest(args: Args): { network: string; prefixLength: string; names: string[] } {
  return {
    network: need(args, 'network'),
    prefixLength: need(args, 'prefixLength'),
    names: many(args, 'name').map(nonEmpty('name')),
  };
}

export function mergeNetworksRequest(args: Args): { networks: string[]; name?: string } {
  return { networks: many(args, 'network').map(nonEmpty('network')), name: str(args, 'name') };
}

export function reserveRangeRequest(args: Args): { network: string; first: string; last?: string; note?: string } {
  return {
    network: need(args, 'network'),
    first: need(args, 'first'),
    last: str(args, 'last'),
    note: optional(args, 'note', text('note')),
  };
}

export function unreserveRangeRequest(args: Args): { network: string; id: string } {
  return { network: need(args, 'network'), id: need(args, 'id') };
}

export function networkRequest(args: Args): string {
  return need(args, 'network');
}

export function searchNetworksRequest(args: Args) {
  return {
    dataCenter: str(args, 'dataCenter'),
    vlan: str(args, 'vlan'),
    tenant: str(args, 'tenant'),
    tagKey: str(args, 'tagKey'),
    tagValue: str(args, 'tagValue'),
    address: str(args, 'address'),
    name: str(args, 'name'),
    ...pageArgs(args),
  };
}

export function searchAllocationsRequest(args: Args) {
  return {
    dataCenter: str(args, 'dataCenter'),
    vlan: str(args, 'vlan'),
    tenant: str(args, 'tenant'),
    network: str(args, 'network'),
    tagKey: str(args, 'tagKey'),
    tagValue: str(args, 'tagValue'),
    address: str(args, 'address'),
    name: str(args, 'name'),
    serverInstance: str(args, 'serverInstance'),
    includeReleased: flag(args, 'includeReleased'),
    ...pageArgs(args),
  };
}

export function queryAuditRequest(args: Args) {
  return {
    user: str(args, 'user'),
    operation: str(args, 'operation'),
    objectType: str(args, 'objectType'),
    objectId: str(args, 'objectId'),
    serverInstance: str(args, 'serverInstance'),
    since: str(args, 'since'),
    until: str(args, 'until'),
    ...pageArgs(args),
    newestFirst: flag(args, 'newestFirst'),
  };
}

const DATE = /^\d{4}-\d{2}-\d{2}(Z|[+-]00:00)?$/;
/** xsd:date as the start of that UTC day (days are UTC; another time zone would shift them). */
function day(field: string) {
  return (x: unknown): string => {
    const t = text(field)(x).trim();
    if (!DATE.test(t) || Number.isNaN(Date.parse(t.slice(0, 10))))
      throw invalid(`${field} must be a UTC date such as 2026-11-01, got ${v.describe(x)}`);
    return `${t.slice(0, 10)}T00:00:00Z`;
  };
}

export function tenantUsageRequest(args: Args): { tenant?: string; from: string; to: string } {
  return {
    tenant: str(args, 'tenant'),
    from: required(args, 'from', day('from')),
    to: required(args, 'to', day('to')),
  };
}

export function addUserRequest(args: Args): UserSpec {
  return {
    username: need(args, 'username'),
    password: need(args, 'password'),
    role: need(args, 'role') as Role, // the logic checks it is one of the roles
    tenant: str(args, 'tenant'),
    grants: many(args, 'grant').map((g) => {
      const a = struct(g, 'grant', elementsOf('Grant'));
      return Object.fromEntries(
        Object.entries({ dataCenter: str(a, 'dataCenter'), tenant: str(a, 'tenant') }).filter(
          ([, x]) => x !== undefined,
        ),
      );
    }),
    digest: flag(args, 'digest') ?? false,
  };
}

export function setPasswordRequest(args: Args): { username: string; password: string } {
  return { username: need(args, 'username'), password: need(args, 'password') };
}

export function usernameRequest(args: Args): string {
  return need(args, 'username');
}

/** The zone (or prefix) and its server; the secret goes to the logic as the key text it parses. */
export function setZoneDnsRequest(args: Args): { zone: string; spec: DnsServerSpec } {
  return {
    zone: need(args, 'zone'),
    spec: {
      server: need(args, 'server'),
      key: need(args, 'secret'),
      keyName: str(args, 'keyName'),
      algorithm: str(args, 'algorithm'),
      ttl: str(args, 'ttl'),
    },
  };
}

export function zoneRequest(args: Args): string {
  return need(args, 'zone');
}
