/**
 * CLI commands for containers and carving networks out of them: the logic's functions
 * (src/logic/topology/containers.ts), run as the system actor like every `ipcd` command.
 */
import { randomUUID } from 'node:crypto';
import { addContainer, allocateNetwork, listContainers, removeContainer } from '../logic/topology/containers';
import { required, str, tags, type Command } from './command';
import { json, table } from './output';

export const CONTAINER_COMMANDS: Command[] = [
  {
    words: ['container', 'add'],
    synopsis: 'NAME --cidr CIDR --dc DC [--tenant T] [--description TEXT]',
    summary: 'add a container: a prefix of a data center that networks are carved from',
    details: [
      '  --cidr CIDR         the prefix, e.g. 10.64.0.0/16 or 2001:db8:64::/48; containers of a data center',
      '                      never overlap',
      '  --dc DC             the data center it belongs to',
      '  --tenant T          networks carved from it belong to this tenant',
      '  --description TEXT  free text',
    ].join('\n'),
    positionals: ['NAME'],
    options: {
      cidr: { type: 'string' },
      dc: { type: 'string' },
      tenant: { type: 'string' },
      description: { type: 'string' },
    },
    plan({ positionals: [name], values }, io) {
      const spec = {
        name,
        cidr: required(values, 'cidr', 'container add'),
        dataCenter: required(values, 'dc', 'container add'),
        tenant: str(values, 'tenant'),
        description: str(values, 'description'),
      };
      return async (store) => {
        const c = await addContainer(store, spec);
        io.out(
          `added container ${c.name}: ${c.cidr} in data center ${c.dataCenter}${c.tenant ? `, tenant ${c.tenant}` : ''}`,
        );
      };
    },
  },
  {
    words: ['container', 'list'],
    synopsis: '[--dc DC] [--json]',
    summary: 'list containers with how much of each networks use, and those networks',
    details: [
      '  --dc DC             only containers of this data center',
      '  --json              print a JSON array (size and used as decimal strings)',
      '',
      'USED counts the addresses of every network of the data center inside the container, on any VLAN,',
      'carved (*) or added by hand.',
    ].join('\n'),
    positionals: [],
    options: { dc: { type: 'string' }, json: { type: 'boolean' } },
    plan:
      ({ values }, io) =>
      async (store) => {
        const views = await listContainers(store, { dataCenter: str(values, 'dc') });
        if (values.json) {
          io.out(
            json(
              views.map(({ id: _id, dataCenterId: _d, tenantId: _t, networks, ...v }) => ({
                ...v,
                networks: networks.map(({ network: n, carved }) => ({
                  name: n.name,
                  cidr: n.cidr,
                  vlan: n.vlan,
                  carved,
                })),
              })),
            ),
          );
          return;
        }
        const rows = views.map((c) => [
          c.name,
          c.dataCenter,
          c.cidr,
          c.tenant ?? '-',
          `${c.used}/${c.size}`,
          `${c.percent.toFixed(2)}%`,
          c.networks.map(({ network: n, carved }) => `${n.name}${carved ? '*' : ''} ${n.cidr}`).join(', ') || '-',
        ]);
        io.out(table(['NAME', 'DC', 'CIDR', 'TENANT', 'USED', '%', 'NETWORKS (* carved)'], rows, new Set([4, 5])));
      },
  },
  {
    words: ['container', 'remove'],
    synopsis: 'NAME',
    summary: 'remove a container that holds no network',
    details: 'Refused (CONFLICT) while a network lies inside it: remove those networks first.',
    positionals: ['NAME'],
    options: {},
    plan:
      ({ positionals: [name] }, io) =>
      async (store) => {
        await removeContainer(store, name);
        io.out(`removed container ${name}`);
      },
  },
  {
    words: ['network', 'allocate'],
    synopsis:
      'NAME --container C --prefix N [--vlan N] [--vxlan N] [--tenant T] [--zone Z] [--tag key=value ...] [--key K]',
    summary: 'carve the next free network of a prefix length out of a container and add it',
    details: [
      '  --container C       the container to carve from',
      "  --prefix N          the new network's prefix length (e.g. 24, or 64 from an IPv6 /48)",
      "  --vlan, --vxlan, --tenant, --zone, --tag   as for network add (tenant: default the container's)",
      '  --key K             idempotency key: repeating the command with it returns the same network',
      '                      (default: a new random key)',
      '',
      'Takes the lowest child that overlaps no network of the data center inside the container, on any',
      'VLAN; refused with NO_FREE_PREFIX when none is left. The gateway is the first host address.',
    ].join('\n'),
    positionals: ['NAME'],
    options: {
      container: { type: 'string' },
      prefix: { type: 'string' },
      vlan: { type: 'string' },
      vxlan: { type: 'string' },
      tenant: { type: 'string' },
      zone: { type: 'string' },
      tag: { type: 'string', multiple: true },
      key: { type: 'string' },
    },
    plan({ positionals: [name], values }, io) {
      const cmd = 'network allocate';
      const spec = {
        container: required(values, 'container', cmd),
        prefixLength: required(values, 'prefix', cmd),
        name,
        vlan: str(values, 'vlan'),
        vxlan: str(values, 'vxlan'),
        tenant: str(values, 'tenant'),
        zone: str(values, 'zone'),
        tags: tags(values),
        idempotencyKey: str(values, 'key') ?? randomUUID(),
      };
      return async (store) => {
        const r = await allocateNetwork(store, spec);
        const n = r.network;
        io.out(
          `${r.existing ? 'already allocated' : 'allocated'} network ${n.name}: ${n.cidr} from container ${r.container.name}, ${n.vlan === null ? 'no VLAN' : `VLAN ${n.vlan}`}, gateway ${n.gateway ?? 'none'}`,
        );
      };
    },
  },
];
