/**
 * CLI commands for users and for changing networks: the same logic functions the management
 * service calls (src/logic/access/users.ts, src/logic/topology/networks.ts), run as the system actor.
 * Passwords are read from a file or standard input, never from the command line (other users
 * of the machine can read argv).
 */
import { readFileSync } from 'node:fs';
import { loadConfig } from '../config';
import { mergeNetworks, removeNetwork, splitNetwork, tagNetwork } from '../logic/topology/networks';
import type { Role } from '../logic/access/policy';
import { addUser, disableUser, listUsers, removeUser, setPassword } from '../logic/access/users';
import { str, type Command, type Values } from './command';
import { json, table } from './output';
import { UsageError } from './usage';

const list = (values: Values, key: string) => (Array.isArray(values[key]) ? (values[key] as string[]) : []);

const PASSWORD_OPTION = { 'password-file': { type: 'string' } } as const;
const PASSWORD_DETAIL =
  '  --password-file F   read the password from file F (first line); without it, from standard input';

/** The password: first line of --password-file, or of standard input. */
function readPassword(values: Values): string {
  const file = str(values, 'password-file');
  const text = readFileSync(file ?? 0, 'utf8');
  const line = text.split(/\r?\n/)[0];
  if (!line)
    throw new UsageError(
      file ? `${file} holds no password` : 'no password on standard input (pipe it in, or use --password-file)',
    );
  return line;
}

/** --grant dc=DC[,tenant=T] | tenant=T, repeatable. */
function grants(values: Values): { dataCenter?: string; tenant?: string }[] {
  return list(values, 'grant').map((g) => {
    const out: { dataCenter?: string; tenant?: string } = {};
    for (const part of g.split(',')) {
      const [k, v, ...rest] = part.split('=');
      if (rest.length || !v || (k !== 'dc' && k !== 'tenant'))
        throw new UsageError(`--grant takes dc=DC, tenant=T or dc=DC,tenant=T, got '${g}'`);
      if (k === 'dc') out.dataCenter = v;
      else out.tenant = v;
    }
    return out;
  });
}

const secretKey = () => loadConfig().secretKey;

export const USER_COMMANDS: Command[] = [
  {
    words: ['user', 'add'],
    synopsis:
      'NAME --role admin|orchestrator|tenant [--tenant T] [--grant dc=DC[,tenant=T] ...] [--digest] [--password-file F]',
    summary: 'add a user who may call the SOAP services (e.g. the first administrator)',
    details: [
      '  --role R            admin (everything), orchestrator (commissioning within its grants) or tenant',
      "                      (read-only, its own tenant's networks and allocations)",
      '  --tenant T          the tenant of a tenant user',
      '  --grant G           an orchestrator grant: dc=DC, tenant=T, or dc=DC,tenant=T; repeatable',
      '  --digest            also accept WS-Security PasswordDigest (needs IPCD_SECRET_KEY, as on the server)',
      PASSWORD_DETAIL,
      '',
      'Passwords are 12 to 1024 characters, stored only as a salted scrypt hash.',
    ].join('\n'),
    positionals: ['NAME'],
    options: {
      role: { type: 'string' },
      tenant: { type: 'string' },
      grant: { type: 'string', multiple: true },
      digest: { type: 'boolean' },
      ...PASSWORD_OPTION,
    },
    plan({ positionals: [username], values }, io) {
      const role = str(values, 'role');
      if (role === undefined) throw new UsageError('user add needs --role');
      const g = grants(values);
      return async (store) => {
        const password = readPassword(values);
        const u = await addUser(
          store,
          {
            username,
            password,
            role: role as Role,
            tenant: str(values, 'tenant'),
            grants: g,
            digest: values.digest === true,
          },
          secretKey(),
        );
        io.out(`added user ${u.username} (${u.role})`);
      };
    },
  },
  {
    words: ['user', 'list'],
    synopsis: '[--json]',
    summary: 'list users with their roles, tenants and grants',
    details: '  --json              print a JSON array instead of a table',
    positionals: [],
    options: { json: { type: 'boolean' } },
    plan:
      ({ values }, io) =>
      async (store) => {
        const users = await listUsers(store);
        if (values.json) return io.out(json(users));
        const grantText = (gs: { dataCenter?: string; tenant?: string }[]) =>
          gs
            .map((x) =>
              [x.dataCenter && `dc=${x.dataCenter}`, x.tenant && `tenant=${x.tenant}`].filter(Boolean).join(','),
            )
            .join(' ') || '-';
        io.out(
          table(
            ['NAME', 'ROLE', 'TENANT', 'GRANTS', 'DIGEST', 'DISABLED'],
            users.map((u) => [
              u.username,
              u.role,
              u.tenant ?? '-',
              grantText(u.grants),
              u.digest ? 'yes' : 'no',
              u.disabled ? 'yes' : 'no',
            ]),
          ),
        );
      },
  },
  {
    words: ['user', 'set-password'],
    synopsis: 'NAME [--password-file F]',
    summary: "set a user's password",
    details: PASSWORD_DETAIL,
    positionals: ['NAME'],
    options: PASSWORD_OPTION,
    plan:
      ({ positionals: [username], values }, io) =>
      async (store) => {
        await setPassword(store, username, readPassword(values), secretKey());
        io.out(`set the password of ${username}`);
      },
  },
  ...(['disable', 'enable'] as const).map((verb): Command => ({
    words: ['user', verb],
    synopsis: 'NAME',
    summary:
      verb === 'disable'
        ? "refuse a user's calls from now on (the account stays)"
        : "accept a disabled user's calls again",
    details: '',
    positionals: ['NAME'],
    options: {},
    plan:
      ({ positionals: [username] }, io) =>
      async (store) => {
        await disableUser(store, username, verb === 'disable');
        io.out(`${verb}d user ${username}`);
      },
  })),
  {
    words: ['user', 'remove'],
    synopsis: 'NAME',
    summary: 'remove a user (its audit rows stay)',
    details: '',
    positionals: ['NAME'],
    options: {},
    plan:
      ({ positionals: [username] }, io) =>
      async (store) => {
        await removeUser(store, username);
        io.out(`removed user ${username}`);
      },
  },
];

export const NETWORK_CHANGE_COMMANDS: Command[] = [
  {
    words: ['network', 'remove'],
    synopsis: 'NAME [--force]',
    summary: 'remove a network; with active allocations only with --force, which releases them',
    details: '  --force             release its active allocations (their holders lose the addresses and names)',
    positionals: ['NAME'],
    options: { force: { type: 'boolean' } },
    plan:
      ({ positionals: [name], values }, io) =>
      async (store) => {
        const r = await removeNetwork(store, name, { force: values.force === true });
        io.out(`removed network ${r.network.name} (${r.network.cidr}); released ${r.released} allocation(s)`);
      },
  },
  {
    words: ['network', 'split'],
    synopsis: 'NAME --prefix N [--name CHILD ...]',
    summary: 'split a network into the subnets of a longer prefix; allocations move with their addresses',
    details: [
      "  --prefix N          the children's prefix length (at most 256 children)",
      "  --name CHILD        the children's names in address order (default NAME-1 … NAME-n)",
    ].join('\n'),
    positionals: ['NAME'],
    options: { prefix: { type: 'string' }, name: { type: 'string', multiple: true } },
    plan({ positionals: [name], values }, io) {
      const prefix = str(values, 'prefix');
      if (prefix === undefined) throw new UsageError('network split needs --prefix');
      return async (store) => {
        const kids = await splitNetwork(store, name, { prefixLength: prefix, names: list(values, 'name') });
        io.out(`split ${name} into ${kids.map((k) => `${k.name} (${k.cidr})`).join(', ')}`);
      };
    },
  },
  {
    words: ['network', 'merge'],
    synopsis: 'NAME NAME... [--name MERGED]',
    summary: 'merge adjacent sibling networks with matching attributes and tags; allocations are kept',
    details: "  --name MERGED       the merged network's name (default: the lowest network's)",
    positionals: ['NAME', 'NAME...'],
    variadic: true,
    options: { name: { type: 'string' } },
    plan:
      ({ positionals, values }, io) =>
      async (store) => {
        const n = await mergeNetworks(store, positionals, { name: str(values, 'name') });
        io.out(`merged ${positionals.join(', ')} into ${n.name} (${n.cidr})`);
      },
  },
  {
    words: ['network', 'tag'],
    synopsis: 'NAME [--set key=value ...] [--remove key ...]',
    summary: "set and remove a network's tags (other tags stay)",
    details: [
      '  --set key=value     add or overwrite a tag; repeatable',
      '  --remove key        remove a tag; repeatable',
    ].join('\n'),
    positionals: ['NAME'],
    options: { set: { type: 'string', multiple: true }, remove: { type: 'string', multiple: true } },
    plan({ positionals: [name], values }, io) {
      const set: Record<string, string> = {};
      for (const t of list(values, 'set')) {
        const eq = t.indexOf('=');
        if (eq < 0) throw new UsageError(`--set takes key=value, got '${t}'`);
        set[t.slice(0, eq)] = t.slice(eq + 1);
      }
      return async (store) => {
        const n = await tagNetwork(store, name, set, list(values, 'remove'));
        const tags = Object.entries(n.tags).map(([k, v]) => `${k}=${v}`);
        io.out(`tagged ${n.name}: ${tags.length ? tags.join(' ') : 'no tags'}`);
      };
    },
  },
];
