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
  {
    words: ['dc', 'list'],
    synopsis: '[--json]',
    summary: 'list data centers',
    details: JSON_DETAIL,
    positionals: [],
    options: JSON_OPTION,
    plan:
      ({ values }, io) =>
      async (store) => {
        const dcs = await listDataCenters(store);
        if (values.json) io.out(json(dcs.map((d) => ({ name: d.name, description: d.description }))));
        else
          io.out(
            table(
              ['NAME', 'DESCRIPTION'],
              dcs.map((d) => [d.name, dash(d.description)]),
            ),
          );
      },
  },
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
  {
    words: ['tenant', 'list'],
    synopsis: '[--json]',
    summary: 'list tenants',
    details: JSON_DETAIL,
    positionals: [],
    options: JSON_OPTION,
    plan:
      ({ values }, io) =>
      async (store) => {
        const ts = await listTenants(store);
        if (values.json) io.out(json(ts.map((t) => ({ name: t.name, description: t.description }))));
        else
          io.out(
            table(
              ['NAME', 'DESCRIPTION'],
              ts.map((t) => [t.name, dash(t.description)]),
            ),
          );
      },
  },
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
  {
    words: ['zone', 'list'],
    synopsis: '[--json]',
    summary: 'list DNS zones',
    details: JSON_DETAIL,
    positionals: [],
    options: JSON_OPTION,
    plan:
      ({ values }, io) =>
      async (store) => {
        const zs = await listZones(store);
        if (values.json) io.out(json(zs.map((z) => ({ name: z.name }))));
        else
          io.out(
            table(
              ['NAME'],
              zs.map((z) => [z.name]),
            ),
          );
      },
  },
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
