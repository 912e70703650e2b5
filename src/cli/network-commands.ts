/** CLI commands that add, list and tune networks (splitting, merging, tags: manage-commands.ts). */
import { addNetwork, networkFilter, networkUsage, percentUsed, type NetworkSpec } from '../logic/topology/topology';
import { editNetwork } from '../logic/topology/networks';
import { setAlertThreshold } from '../logic/alerts/alerts';
import { dash, JSON_OPTION, required, str, tags, type Command } from './command';
import { NETWORK_CHANGE_COMMANDS } from './manage-commands';
import { json, table } from './output';
import { UsageError } from './usage';

export const NETWORK_COMMANDS: Command[] = [
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
      if (values.gateway !== undefined && values['no-gateway'])
        throw new UsageError('--gateway and --no-gateway exclude each other');
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
    plan:
      ({ values }, io) =>
      async (store) => {
        const filter = await networkFilter(store, {
          dataCenter: str(values, 'dc'),
          vlan: str(values, 'vlan'),
          tenant: str(values, 'tenant'),
        });
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
        const headers = [
          'NAME',
          'DC',
          'VLAN',
          'CIDR',
          'TENANT',
          'ZONE',
          'PRIO',
          'FLAGS',
          'USED/ASSIGNABLE',
          'USED',
          'HELD',
        ];
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
    plan:
      ({ positionals: [name, seconds] }, io) =>
      async (store) => {
        const n = await editNetwork(store, name, { holdDownSeconds: seconds });
        io.out(
          n.holdDownSeconds > 0
            ? `network ${n.name}: released addresses are held for ${n.holdDownSeconds} s`
            : `network ${n.name}: released addresses are free at once`,
        );
      },
  },
  ...NETWORK_CHANGE_COMMANDS,
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
      if ((threshold === undefined) === !values.default)
        throw new UsageError('network alert needs either --threshold PERCENT or --default');
      return async (store) => {
        const set = await setAlertThreshold(store, name, threshold ?? null);
        io.out(
          set === null
            ? `network ${name} follows the default alert threshold`
            : `network ${name} alerts at ${set}% used`,
        );
      };
    },
  },
];
