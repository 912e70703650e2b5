/** CLI commands for data centers, tenants, zones and the example topology. */
import { loadExampleTopology } from '../example/topology';
import {
  addDataCenter,
  addTenant,
  addZone,
  assertTopologyEmpty,
  listDataCenters,
  listTenants,
  listZones,
} from '../logic/topology/topology';
import { dash, JSON_DETAIL, JSON_OPTION, str, type Command } from './command';
import { json, table } from './output';

type Store = Parameters<typeof listDataCenters>[0];

/**
 * `<noun> list [--json]`: one row per record; the JSON objects hold the table's columns in order
 * (null shows as a dash in the table).
 */
function listCommand<T>(
  noun: string,
  summary: string,
  list: (store: Store) => Promise<T[]>,
  columns: string[],
  row: (x: T) => Record<string, string | null>,
): Command {
  return {
    words: [noun, 'list'],
    synopsis: '[--json]',
    summary,
    details: JSON_DETAIL,
    positionals: [],
    options: JSON_OPTION,
    plan:
      ({ values }, io) =>
      async (store) => {
        const rows = (await list(store)).map(row);
        if (values.json) io.out(json(rows));
        else
          io.out(
            table(
              columns,
              rows.map((r) => Object.values(r).map(dash)),
            ),
          );
      },
  };
}

export const TOPOLOGY_COMMANDS: Command[] = [
  {
    words: ['dc', 'add'],
    synopsis: 'NAME [--description TEXT]',
    summary: 'add a data center',
    details: '  --description TEXT  free text shown by `ipcd dc list`',
    positionals: ['NAME'],
    options: { description: { type: 'string' } },
    plan:
      ({ positionals: [name], values }, io) =>
      async (store) => {
        const dc = await addDataCenter(store, name, str(values, 'description'));
        io.out(`added data center ${dc.name}`);
      },
  },
  listCommand('dc', 'list data centers', listDataCenters, ['NAME', 'DESCRIPTION'], (d) => ({
    name: d.name,
    description: d.description,
  })),
  {
    words: ['tenant', 'add'],
    synopsis: 'NAME [--description TEXT]',
    summary: 'add a tenant (networks may belong to one)',
    details: '  --description TEXT  free text shown by `ipcd tenant list`',
    positionals: ['NAME'],
    options: { description: { type: 'string' } },
    plan:
      ({ positionals: [name], values }, io) =>
      async (store) => {
        const t = await addTenant(store, name, str(values, 'description'));
        io.out(`added tenant ${t.name}`);
      },
  },
  listCommand('tenant', 'list tenants', listTenants, ['NAME', 'DESCRIPTION'], (t) => ({
    name: t.name,
    description: t.description,
  })),
  {
    words: ['zone', 'add'],
    synopsis: 'NAME',
    summary: 'add a DNS zone host names are generated in (e.g. dc1.example.com)',
    details: '',
    positionals: ['NAME'],
    options: {},
    plan:
      ({ positionals: [name] }, io) =>
      async (store) => {
        const z = await addZone(store, name);
        io.out(`added zone ${z.name}`);
      },
  },
  listCommand('zone', 'list DNS zones', listZones, ['NAME'], (z) => ({ name: z.name })),
];

/** Listed last of the configuration commands, after the network ones. */
export const EXAMPLE_TOPOLOGY_COMMAND: Command = {
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
};
