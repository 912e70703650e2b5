/**
 * The CLI's commands: each parses its argv into a call of src/logic and prints the result. No rule
 * lives here; whatever the logic refuses comes back as an IpcdError.
 */
import type { ParseArgsConfig } from 'node:util';
import { loadExampleTopology } from '../example/topology';
import type { Store } from '../logic/ports';
import {
  addDataCenter,
  addNetwork,
  addTenant,
  addZone,
  assertTopologyEmpty,
  listDataCenters,
  listTenants,
  listZones,
  networkFilter,
  networkUsage,
  percentUsed,
  type NetworkSpec,
} from '../logic/topology/topology';
import { editNetwork } from '../logic/topology/networks';
import { NETWORK_CHANGE_COMMANDS, USER_COMMANDS } from './manage-commands';
import { setAlertThreshold } from '../logic/alerts/alerts';
import { clearZoneDns, listDnsZones, setZoneDns } from '../logic/dns/dns-config';
import { parseSecretKey } from '../logic/access/passwords';
import { readFileSync } from 'node:fs';
import { EXPORT_COMMANDS } from './export-commands';
import { CONTAINER_COMMANDS } from './container-commands';
import { json, table, type Output } from './output';
import { UsageError } from './usage';

export type Values = Record<string, string | boolean | string[] | undefined>;

export interface Args {
  positionals: string[];
  values: Values;
}

export interface Command {
  words: string[];
  /** Arguments after the command words, as shown in usage lines. */
  synopsis: string;
  summary: string;
  /** Option descriptions and notes for `--help`. */
  details: string;
  positionals: string[];
  /** The last positional may repeat (NAME...). */
  variadic?: boolean;
  options: NonNullable<ParseArgsConfig['options']>;
  /** Checks the arguments (UsageError before any store is opened) and returns the work to do. */
  plan(args: Args, io: Output): (store: Store) => Promise<void>;
}

const JSON_OPTION = { json: { type: 'boolean' } } as const;
const JSON_DETAIL = '  --json              print a JSON array instead of a table';

function str(values: Values, key: string): string | undefined {
  const v = values[key];
  return typeof v === 'string' ? v : undefined;
}

function required(values: Values, key: string, cmd: string): string {
  const v = str(values, key);
  if (v === undefined) throw new UsageError(`${cmd} needs --${key}`);
  return v;
}

/** --tag key=value, repeatable. The key and value rules are the logic's (checkTags). */
export function tags(values: Values): Record<string, string> | undefined {
  const given = values.tag;
  if (!Array.isArray(given)) return undefined;
  const out: Record<string, string> = {};
  for (const t of given) {
    const eq = t.indexOf('=');
    if (eq < 0) throw new UsageError(`--tag takes key=value, got '${t}'`);
    const key = t.slice(0, eq);
    if (key in out) throw new UsageError(`--tag ${key} is given twice`);
    out[key] = t.slice(eq + 1);
  }
  return out;
}

const dash = (v: string | number | null | undefined) => (v === null || v === undefined || v === '' ? '-' : String(v));

export const COMMANDS: Command[] = [
  {
    words: ['dc', 'add'],
    synopsis: 'NAME [--description TEXT]',
    summary: 'add a data center',
    details: '  --description TEXT  free text shown by `ipcd dc list`',
    positionals: ['NAME'],
    options: { description: { type: 'string' } },
    plan: ({ positionals: [name], values }, io) => async (store) => {
      const dc = await addDataCenter(store, name, str(values, 'description'));
      io.out(`added data center ${dc.name}`);
    },
  },
  {
    words: ['dc', 'list'],
    synopsis: '[--json]',
    summary: 'list data centers',
    details: JSON_DETAIL,
    positionals: [],
    options: JSON_OPTION,
    plan: ({ values }, io) => async (store) => {
      const dcs = await listDataCenters(store);
      if (values.json) io.out(json(dcs.map((d) => ({ name: d.name, description: d.description }))));
      else io.out(table(['NAME', 'DESCRIPTION'], dcs.map((d) => [d.name, dash(d.description)])));
    },
  },
  {
    words: ['tenant', 'add'],
    synopsis: 'NAME [--description TEXT]',
    summary: 'add a tenant (networks may belong to one)',
    details: '  --description TEXT  free text shown by `ipcd tenant list`',
    positionals: ['NAME'],
    options: { description: { type: 'string' } },
    plan: ({ positionals: [name], values }, io) => async (store) => {
      const t = await addTenant(store, name, str(values, 'description'));
      io.out(`added tenant ${t.name}`);
    },
  },
  {
    words: ['tenant', 'list'],
    synopsis: '[--json]',
    summary: 'list tenants',
    details: JSON_DETAIL,
    positionals: [],
    options: JSON_OPTION,
    plan: ({ values }, io) => async (store) => {
      const ts = await listTenants(store);
      if (values.json) io.out(json(ts.map((t) => ({ name: t.name, description: t.description }))));
      else io.out(table(['NAME', 'DESCRIPTION'], ts.map((t) => [t.name, dash(t.description)])));
    },
  },
  {
    words: ['zone', 'add'],
    synopsis: 'NAME',
    summary: 'add a DNS zone host names are generated in (e.g. dc1.example.com)',
    details: '',
    positionals: ['NAME'],
    options: {},
    plan: ({ positionals: [name] }, io) => async (store) => {
      const z = await addZone(store, name);
      io.out(`added zone ${z.name}`);
    },
  },
  {
    words: ['zone', 'list'],
    synopsis: '[--json]',
    summary: 'list DNS zones',
    details: JSON_DETAIL,
    positionals: [],
    options: JSON_OPTION,
    plan: ({ values }, io) => async (store) => {
      const zs = await listZones(store);
      if (values.json) io.out(json(zs.map((z) => ({ name: z.name }))));
      else io.out(table(['NAME'], zs.map((z) => [z.name])));
    },
  },
  {
    words: ['zone', 'dns', 'set'],
    synopsis: 'ZONE|PREFIX --server HOST[:PORT] --key-file FILE [--key-name NAME] [--algorithm ALG] [--ttl SECONDS]',
    summary: 'publish a zone (or the reverse zone of a prefix) to its authoritative server by signed dynamic update',
    details: [
      '  ZONE                a forward zone added with `ipcd zone add` (A/AAAA records of its names)',
      '  PREFIX              e.g. 10.0.0.0/8 or 2001:db8::/48: PTR records of addresses in it go to the reverse',
      '                      zone it names (0.10.in-addr.arpa); octet (IPv4) or nibble (IPv6) boundaries only.',
      '                      The longest configured prefix holding an address wins.',
      '  --server HOST[:PORT] the primary that accepts RFC 2136 updates (port 53 by default; TCP)',
      '  --key-file FILE     the TSIG key as `tsig-keygen NAME` writes it, or a file holding just the base64',
      '                      secret (then give --key-name). Sealed under IPCD_SECRET_KEY when that is set.',
      '  --key-name NAME     the key name (default: the one in the key file)',
      '  --algorithm ALG     hmac-sha256 (default), hmac-sha384 or hmac-sha512',
      '  --ttl SECONDS       TTL of the published records (default 300)',
      '',
      'Names already issued in the zone are published at once; setting it again retries what failed.',
    ].join('\n'),
    positionals: ['ZONE|PREFIX'],
    options: { server: { type: 'string' }, 'key-file': { type: 'string' }, 'key-name': { type: 'string' }, algorithm: { type: 'string' }, ttl: { type: 'string' } },
    plan({ positionals: [target], values }, io) {
      const cmd = 'zone dns set';
      const server = required(values, 'server', cmd);
      const keyFile = required(values, 'key-file', cmd);
      return async (store) => {
        let key: string;
        try {
          key = readFileSync(keyFile, 'utf8');
        } catch (e) {
          throw new UsageError(`cannot read --key-file ${keyFile}: ${(e as NodeJS.ErrnoException).code ?? e}`);
        }
        const sealKey = parseSecretKey(process.env.IPCD_SECRET_KEY);
        const z = await setZoneDns(store, target, { server, key, keyName: str(values, 'key-name'), algorithm: str(values, 'algorithm'), ttl: str(values, 'ttl') }, { sealKey });
        io.out(`${z.kind === 'reverse' ? `reverse zone ${z.zone} (${z.prefix})` : `zone ${z.zone}`}: published to ${z.server} with key ${z.keyName} (${z.algorithm}), TTL ${z.ttl}`);
        if (!sealKey) io.err('ipcd: warning: IPCD_SECRET_KEY is not set, so the TSIG secret is stored unsealed in the database');
      };
    },
  },
  {
    words: ['zone', 'dns', 'off'],
    synopsis: 'ZONE|PREFIX',
    summary: 'stop publishing a zone (or remove a reverse zone); records already published stay',
    details: '  Changes not yet delivered are dropped; allocations then show DNS state NOT_CONFIGURED.',
    positionals: ['ZONE|PREFIX'],
    options: {},
    plan: ({ positionals: [target] }, io) => async (store) => {
      const z = await clearZoneDns(store, target);
      io.out(`${z.kind === 'reverse' ? `reverse zone ${z.zone} (${z.prefix}) removed` : `zone ${z.zone}: no longer published`}`);
    },
  },
  {
    words: ['zone', 'dns', 'list'],
    synopsis: '[--json]',
    summary: 'list where each zone and reverse zone is published (never the TSIG secret)',
    details: JSON_DETAIL,
    positionals: [],
    options: JSON_OPTION,
    plan: ({ values }, io) => async (store) => {
      const zones = await listDnsZones(store);
      if (values.json) io.out(json(zones));
      else {
        io.out(
          table(
            ['ZONE', 'PREFIX', 'SERVER', 'KEY', 'ALGORITHM', 'TTL', 'SECRET'],
            zones.map((z) => [z.zone, dash(z.prefix), z.server ?? 'not configured', dash(z.keyName), dash(z.algorithm), dash(z.ttl), z.sealed === null ? '-' : z.sealed ? 'sealed' : 'unsealed']),
          ),
        );
      }
    },
  },
  {
    words: ['network', 'add'],
    synopsis:
      'NAME --cidr CIDR --dc DC [--vlan N] [--vxlan N] [--tenant T] [--zone Z] [--priority N]\n' +
      '                [--gateway ADDR | --no-gateway] [--reserve-pool] [--name-pattern P] [--hold-down SECONDS] [--tag key=value ...]',
    summary: 'add a network (an IPv4 or IPv6 prefix) to a data center',
    details: [
      '  --cidr CIDR         the prefix, e.g. 10.0.0.0/24 or 2001:db8::/64 (no host bits set)',
      '  --dc DC             the data center it belongs to',
      '  --vlan N            802.1Q VLAN ID (1-4094) orchestrators ask for; omit for a VLAN-less network',
      '  --vxlan N           VXLAN network identifier (0-16777215), informational',
      '  --tenant T          owning tenant: its other networks are alternates when a VLAN is full',
      '  --zone Z            default DNS zone of its host names; without one, name requests are refused (NO_ZONE)',
      '  --priority N        lower is tried first among networks on the same VLAN (default 100)',
      '  --gateway ADDR      the gateway address, never handed out (default: the first host address)',
      '  --no-gateway        the network has no gateway',
      '  --reserve-pool      last resort of the data center when a VLAN and its tenant networks are full',
      '  --name-pattern P    host name pattern with {seq} or {seq:N} once (default vm-{seq:6})',
      '  --hold-down SECONDS a released address is issued again only after this long (default 0: at once),',
      '                      so stale ARP and DNS caches cannot reach the next holder',
      '  --tag key=value     free-form label; repeat for several',
    ].join('\n'),
    positionals: ['NAME'],
    options: {
      cidr: { type: 'string' },
      dc: { type: 'string' },
      vlan: { type: 'string' },
      vxlan: { type: 'string' },
      tenant: { type: 'string' },
      zone: { type: 'string' },
      priority: { type: 'string' },
      gateway: { type: 'string' },
      'no-gateway': { type: 'boolean' },
      'reserve-pool': { type: 'boolean' },
      'name-pattern': { type: 'string' },
      'hold-down': { type: 'string' },
      tag: { type: 'string', multiple: true },
    },
    plan({ positionals: [name], values }, io) {
      const cmd = 'network add';
      if (values.gateway !== undefined && values['no-gateway']) throw new UsageError('--gateway and --no-gateway exclude each other');
      const spec: NetworkSpec = {
        name,
        cidr: required(values, 'cidr', cmd),
        dataCenter: required(values, 'dc', cmd),
        vlan: str(values, 'vlan'),
        vxlan: str(values, 'vxlan'),
        tenant: str(values, 'tenant'),
        zone: str(values, 'zone'),
        priority: str(values, 'priority'),
        gateway: values['no-gateway'] ? null : str(values, 'gateway'),
        reservePool: values['reserve-pool'] === true,
        namePattern: str(values, 'name-pattern'),
        holdDownSeconds: str(values, 'hold-down'),
        tags: tags(values),
      };
      return async (store) => {
        const n = await addNetwork(store, spec);
        const where = [`data center ${spec.dataCenter}`, n.vlan === null ? 'no VLAN' : `VLAN ${n.vlan}`].join(', ');
        io.out(`added network ${n.name}: ${n.cidr} in ${where}, gateway ${n.gateway ?? 'none'}`);
      };
    },
  },
  {
    words: ['network', 'list'],
    synopsis: '[--dc DC] [--vlan N] [--tenant T] [--json]',
    summary: 'list networks with their utilization (used / assignable addresses)',
    details: [
      '  --dc DC             only networks of this data center',
      '  --vlan N            only networks on this VLAN',
      '  --tenant T          only networks of this tenant',
      '  --json              print a JSON array; used and assignable are decimal strings (an IPv6 /64',
      '                      has more addresses than a JSON number holds exactly)',
      '',
      'Assignable addresses exclude the network address, the IPv4 broadcast address and the gateway.',
      'HELD: released addresses still in their hold-down (not issued until it ends).',
      'FLAGS: reserve-pool, no-gateway, vxlan=N, hold-down=Ns.',
    ].join('\n'),
    positionals: [],
    options: { dc: { type: 'string' }, vlan: { type: 'string' }, tenant: { type: 'string' }, ...JSON_OPTION },
    plan: ({ values }, io) => async (store) => {
      const filter = await networkFilter(store, { dataCenter: str(values, 'dc'), vlan: str(values, 'vlan'), tenant: str(values, 'tenant') });
      const usage = await networkUsage(store, filter);
      if (values.json) {
        io.out(
          json(
            usage.map(({ network: n, dataCenter, tenant, zone, used, held, assignable }) => ({
              name: n.name,
              dataCenter,
              vlan: n.vlan,
              vxlan: n.vxlan,
              cidr: n.cidr,
              family: n.family,
              tenant,
              zone,
              priority: n.priority,
              gateway: n.gateway,
              reservePool: n.reservePool,
              namePattern: n.namePattern,
              tags: n.tags,
              holdDownSeconds: n.holdDownSeconds,
              used,
              held,
              assignable,
              percentUsed: percentUsed({ used, assignable }),
            })),
          ),
        );
        return;
      }
      const rows = usage.map((u) => {
        const n = u.network;
        const flags = [
          n.reservePool ? 'reserve-pool' : '',
          n.gateway === null ? 'no-gateway' : '',
          n.vxlan === null ? '' : `vxlan=${n.vxlan}`,
          n.holdDownSeconds > 0 ? `hold-down=${n.holdDownSeconds}s` : '',
        ];
        return [
          n.name,
          u.dataCenter,
          dash(n.vlan),
          n.cidr,
          dash(u.tenant),
          dash(u.zone),
          String(n.priority),
          dash(flags.filter(Boolean).join(',')),
          `${u.used}/${u.assignable}`,
          `${percentUsed(u).toFixed(2)}%`,
          String(u.held),
        ];
      });
      const headers = ['NAME', 'DC', 'VLAN', 'CIDR', 'TENANT', 'ZONE', 'PRIO', 'FLAGS', 'USED/ASSIGNABLE', 'USED', 'HELD'];
      io.out(table(headers, rows, new Set([2, 6, 8, 9, 10])));
    },
  },
  {
    words: ['network', 'hold-down'],
    synopsis: 'NAME SECONDS',
    summary: 'set how long released addresses of a network wait before they are issued again (0: at once)',
    details: '  Addresses already held keep the hold-down they were released with.',
    positionals: ['NAME', 'SECONDS'],
    options: {},
    plan: ({ positionals: [name, seconds] }, io) => async (store) => {
      const n = await editNetwork(store, name, { holdDownSeconds: seconds });
      io.out(n.holdDownSeconds > 0 ? `network ${n.name}: released addresses are held for ${n.holdDownSeconds} s` : `network ${n.name}: released addresses are free at once`);
    },
  },
  ...NETWORK_CHANGE_COMMANDS,
  ...CONTAINER_COMMANDS,
  {
    words: ['network', 'alert'],
    synopsis: 'NAME (--threshold PERCENT | --default)',
    summary: "set a network's utilization alert threshold",
    details: [
      '  --threshold PERCENT the network alerts once used / assignable reaches PERCENT (above 0, at most',
      '                      100, two decimals at most)',
      "  --default           follow the server's default (IPCD_ALERT_THRESHOLD_PERCENT, 90 unless set)",
      '',
      'A running server evaluates the network again within IPCD_ALERT_SWEEP_SECONDS (README: Operations).',
    ].join('\n'),
    positionals: ['NAME'],
    options: { threshold: { type: 'string' }, default: { type: 'boolean' } },
    plan: ({ positionals: [name], values }, io) => {
      const threshold = str(values, 'threshold');
      if ((threshold === undefined) === !values.default) throw new UsageError('network alert needs either --threshold PERCENT or --default');
      return async (store) => {
        const set = await setAlertThreshold(store, name, threshold ?? null);
        io.out(set === null ? `network ${name} follows the default alert threshold` : `network ${name} alerts at ${set}% used`);
      };
    },
  },
  {
    words: ['example-topology'],
    synopsis: '',
    summary: "load the README's example topology (dc1, dc2, tenant acme, ...) into an empty store",
    details: '',
    positionals: [],
    options: {},
    plan: (_args, io) => async (store) => {
      await assertTopologyEmpty(store);
      await loadExampleTopology(store);
      io.out('loaded the example topology; `ipcd network list` shows it');
    },
  },
  ...USER_COMMANDS,
  ...EXPORT_COMMANDS,
];
