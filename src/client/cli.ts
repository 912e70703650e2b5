#!/usr/bin/env node
/**
 * `ipcd-client`: the orchestrator's command line over IpcdClient (see `ipcd-client help`). It talks
 * SOAP to a running ipcd server; the setup CLI `ipcd` is the one that opens the store.
 */
import { readFile } from 'node:fs/promises';
import {
  clientFor,
  commandHelp,
  generalHelp,
  need,
  parse,
  requiredVlan,
  str,
  UsageError,
  usageLine,
  vlanOf,
  wholeNumber,
  type Command,
  type Context,
} from './cli-args';
import type { IssuedAllocation } from './client';
import { IpcdFaultError, IpcdTransportError } from './errors';
import { allocationTable, dash, errorJson, EXIT, exitFor, FAULT_EXIT, json, record, stdio, table } from './print';
import { findLeaked, parseLiveList, releaseLeaked } from './reconcile';
import {
  BATCH_DETAILS,
  BATCH_OPTIONS,
  batchItems,
  commissionBatchText,
  decommissionBatchText,
  firstFault,
} from './batch-cli';

export { EXIT, FAULT_EXIT } from './print';
export type { Context } from './cli-args';

const DC_DETAIL = '  --dc DC             the data center (needed when the VLAN number exists in several)';

export const COMMANDS: Command[] = [
  {
    name: 'commission',
    synopsis:
      '--url URL (--vlan N --instance ID | --batch FILE|- [--atomic]) [--dc DC] [--name] [--no-address] [--hint H] [--ipv6]',
    summary: 'an address (and/or a name) for a server instance; a repeat returns the same one',
    details: [
      '  --vlan N            the VLAN the instance runs on',
      "  --instance ID       the orchestrator's id of the server instance",
      DC_DETAIL,
      '  --name              also a DNS name (the hint when free, else a generated one)',
      '  --no-address        no address: a name only (implies --name)',
      '  --hint H            preferred host name',
      '  --ipv6              an IPv6 address instead of IPv4',
      ...BATCH_DETAILS,
    ],
    options: {
      vlan: { type: 'string' },
      instance: { type: 'string' },
      dc: { type: 'string' },
      name: { type: 'boolean' },
      'no-address': { type: 'boolean' },
      hint: { type: 'string' },
      ipv6: { type: 'boolean' },
      ...BATCH_OPTIONS,
    },
    async run(values, client, ctx) {
      const noAddress = values['no-address'] === true;
      if (noAddress && values.ipv6) throw new UsageError('--ipv6 and --no-address exclude each other', this);
      const p = {
        dataCenter: str(values, 'dc'),
        vlan: values.batch === undefined ? requiredVlan(values, this) : vlanOf(values, this)!,
        wantAddress: noAddress ? false : undefined,
        wantName: values.name === true || noAddress ? true : undefined,
        hostnameHint: str(values, 'hint'),
        addressFamily: values.ipv6 ? ('IPv6' as const) : undefined,
      };
      if (values.batch !== undefined) {
        const items = await batchItems(values, ctx, this, (serverInstance) => ({ ...p, serverInstance }), p);
        const r = await client.commissionBatch(items, { atomic: values.atomic === true });
        ctx.io.out(values.json ? json(r) : commissionBatchText(items, r));
        const code = firstFault(r);
        return code ? FAULT_EXIT[code] : EXIT.ok;
      }
      const r = await client.commission({ ...p, serverInstance: need(values, 'instance', this) });
      ctx.io.out(values.json ? json(r) : record(r));
      return EXIT.ok;
    },
  },
  {
    name: 'name-only',
    synopsis: '--url URL --vlan N --instance ID [--dc DC] [--hint H]',
    summary: "a DNS name without an address, in the zone of the VLAN's first network",
    details: [
      '  --vlan N            the VLAN the instance runs on',
      '  --instance ID       the server instance',
      DC_DETAIL,
      '  --hint H            preferred host name',
    ],
    options: {
      vlan: { type: 'string' },
      instance: { type: 'string' },
      dc: { type: 'string' },
      hint: { type: 'string' },
    },
    async run(values, client, { io }) {
      const r = await client.nameOnly({
        dataCenter: str(values, 'dc'),
        vlan: requiredVlan(values, this),
        serverInstance: need(values, 'instance', this),
        hostnameHint: str(values, 'hint'),
      });
      io.out(values.json ? json(r) : record(r));
      return EXIT.ok;
    },
  },
  {
    name: 'decommission',
    synopsis:
      '--url URL --vlan N [--dc DC] (--allocation ID | --address A | --name N | --instance ID) [--reason deleted|migrated]',
    summary: 'release at once an allocation, an address, a name, or everything an instance holds on the VLAN',
    details: [
      '  --allocation ID     the allocation id commission printed (safe to repeat: "already released")',
      '  --address A         the issued address',
      '  --name N            the issued host name or FQDN',
      '  --instance ID       everything the instance holds on the VLAN (harmless to repeat: 0 released)',
      DC_DETAIL,
      '  --reason R          deleted (default) or migrated (to another cloud), kept in the history',
      '',
      'Only a release by --allocation or --instance is retried after a lost answer: a released address',
      'can be issued to another instance at once, and releasing it again would take it from that one.',
      ...BATCH_DETAILS.map((l) => l.replace('commission', 'release')),
    ],
    options: {
      vlan: { type: 'string' },
      dc: { type: 'string' },
      allocation: { type: 'string' },
      address: { type: 'string' },
      name: { type: 'string' },
      instance: { type: 'string' },
      reason: { type: 'string' },
      ...BATCH_OPTIONS,
    },
    async run(values, client, ctx) {
      const { io } = ctx;
      const reason = str(values, 'reason');
      if (reason !== undefined && !/^(deleted|migrated)$/i.test(reason))
        throw new UsageError(`--reason is deleted or migrated, got '${reason}'`, this);
      const why = reason === undefined ? undefined : (reason.toUpperCase() as 'DELETED' | 'MIGRATED');
      if (values.batch !== undefined) {
        const p = { dataCenter: str(values, 'dc'), vlan: vlanOf(values, this)!, reason: why };
        const items = await batchItems(values, ctx, this, (serverInstance) => ({ ...p, serverInstance }), p);
        const r = await client.decommissionBatch(items, { atomic: values.atomic === true });
        io.out(values.json ? json(r) : decommissionBatchText(items, r));
        const code = firstFault(r);
        return code ? FAULT_EXIT[code] : EXIT.ok;
      }
      const targets = ['allocation', 'address', 'name', 'instance'].filter((k) => values[k] !== undefined);
      if (targets.length !== 1)
        throw new UsageError('decommission needs exactly one of --allocation, --address, --name, --instance', this);
      const r = await client.decommission({
        dataCenter: str(values, 'dc'),
        vlan: requiredVlan(values, this),
        allocationId: str(values, 'allocation'),
        address: str(values, 'address'),
        name: str(values, 'name'),
        serverInstance: str(values, 'instance'),
        reason: why,
      });
      if (values.json) io.out(json(r));
      else {
        io.out(r.alreadyReleased ? 'already released' : `released ${r.releasedCount} allocation(s)`);
        if (r.released.length) {
          io.out(
            table(
              ['INSTANCE', 'ADDRESS', 'FQDN', 'NETWORK', 'ALLOCATION'],
              r.released.map((x) => [x.serverInstance, dash(x.address), dash(x.fqdn), x.network, x.allocationId]),
            ),
          );
        }
      }
      return EXIT.ok;
    },
  },
  {
    name: 'list',
    synopsis: '--url URL [--dc DC] [--vlan N] [--instance ID]',
    summary: 'active allocations, all pages',
    details: [
      '  --dc DC             only this data center',
      '  --vlan N            only this VLAN',
      '  --instance ID       only this server instance',
      '  (--json prints an array)',
    ],
    options: { dc: { type: 'string' }, vlan: { type: 'string' }, instance: { type: 'string' } },
    async run(values, client, { io }) {
      const all: IssuedAllocation[] = [];
      for await (const a of client.allAllocations({
        dataCenter: str(values, 'dc'),
        vlan: vlanOf(values, this),
        serverInstance: str(values, 'instance'),
        pageSize: 1000,
      }))
        all.push(a);
      io.out(values.json ? json(all) : allocationTable(all));
      return EXIT.ok;
    },
  },
  {
    name: 'reconcile',
    synopsis: '--url URL [--dc DC] [--vlan N] --live FILE|- [--release] [--min-age SECONDS] [--allow-empty]',
    summary: 'find (and with --release free) allocations of instances the orchestrator no longer runs',
    details: [
      '  --live FILE         the live server instance ids, one per line; blank lines and # comments are',
      '                      ignored; - reads standard input',
      '  --dc DC, --vlan N   only allocations in this data center / on this VLAN',
      '  --release           release what is leaked: DecommissionIP by instance, reason DELETED, on each',
      "                      allocation's own data center and VLAN",
      '  --min-age SECONDS   leave out allocations younger than this: an instance started after the live',
      '                      list was taken is not leaked (default 0: take the list just before running)',
      '  --allow-empty       --release with an empty live list (releases every allocation in scope);',
      '                      refused otherwise, since an empty list is more often a failed export',
      '',
      'Only allocations within --dc/--vlan are considered: limit them to what this orchestrator manages.',
    ],
    options: {
      dc: { type: 'string' },
      vlan: { type: 'string' },
      live: { type: 'string' },
      release: { type: 'boolean' },
      'min-age': { type: 'string' },
      'allow-empty': { type: 'boolean' },
    },
    async run(values, client, { io, stdin }) {
      const source = need(values, 'live', this);
      const vlan = vlanOf(values, this);
      const minAge = wholeNumber(str(values, 'min-age'), 'min-age', this) ?? 0;
      let text: string;
      try {
        text = source === '-' ? await stdin() : await readFile(source, 'utf8');
      } catch (e) {
        throw new UsageError(`cannot read --live ${source}: ${(e as Error).message}`, this);
      }
      const live = parseLiveList(text);
      if (live.length === 0 && values.release && !values['allow-empty']) {
        throw new UsageError(
          `the live list ${source === '-' ? '(stdin)' : source} names no instance: refusing to release everything (--allow-empty to do so)`,
          this,
        );
      }
      const dataCenter = str(values, 'dc');
      const report = await findLeaked(client, { dataCenter, vlan, live, minAgeMs: minAge * 1000 });
      const outcomes = values.release ? await releaseLeaked(client, report.leaked, 'DELETED') : undefined;
      const failed = outcomes?.filter((o) => o.error) ?? [];

      if (values.json) {
        io.out(
          json({
            active: report.active,
            live: report.live,
            tooYoung: report.tooYoung,
            leaked: report.leaked,
            ...(outcomes && {
              released: outcomes
                .filter((o) => o.result)
                .map((o) => ({
                  dataCenter: o.dataCenter,
                  vlan: o.vlan,
                  serverInstance: o.serverInstance,
                  releasedCount: o.result!.releasedCount,
                  released: o.result!.released,
                })),
              failed: failed.map((o) => ({
                dataCenter: o.dataCenter,
                vlan: o.vlan,
                serverInstance: o.serverInstance,
                error: o.error!.message,
                ...(o.error instanceof IpcdFaultError && { code: o.error.code }),
              })),
            }),
          }),
        );
      } else {
        const scope =
          [dataCenter && `data center ${dataCenter}`, vlan !== undefined && `VLAN ${vlan}`]
            .filter(Boolean)
            .join(', ') || 'all data centers';
        const young = report.tooYoung ? `; ${report.tooYoung} younger than ${minAge} s left out` : '';
        if (report.leaked.length === 0) {
          io.out(
            `no leaked allocations: ${report.active} active in ${scope}, ${report.live} live instance(s) given${young}`,
          );
        } else {
          const instances = new Set(report.leaked.map((a) => a.serverInstance)).size;
          io.out(
            `${report.leaked.length} leaked allocation(s) of ${instances} instance(s) not live, of ${report.active} active in ${scope}${young}:`,
          );
          io.out(allocationTable(report.leaked));
          if (outcomes) {
            const released = outcomes.reduce((n, o) => n + (o.result?.releasedCount ?? 0), 0);
            io.out(`released ${released} allocation(s) of ${outcomes.length - failed.length} instance(s)`);
          } else {
            io.out('(run again with --release to release them)');
          }
        }
      }
      for (const o of failed) {
        const e = o.error!;
        io.err(
          `ipcd-client: release of ${o.serverInstance} on ${o.dataCenter} VLAN ${o.vlan} failed: ${e instanceof IpcdFaultError ? `${e.code}: ` : ''}${e.message}`,
        );
      }
      // The first failure decides the status, as if that release had been the only call.
      return failed.length ? exitFor(failed[0].error!) : EXIT.ok;
    },
  },
];

export async function main(argv: string[], ctx: Context): Promise<number> {
  const { io } = ctx;
  let command: Command | undefined;
  let wantJson = false;
  try {
    const [first, ...rest] = argv;
    if (first === undefined) throw new UsageError('no command given');
    if (first === 'help' || first === '--help' || first === '-h') {
      const named = first === 'help' && rest[0] !== undefined ? COMMANDS.find((c) => c.name === rest[0]) : undefined;
      if (first === 'help' && rest[0] !== undefined && !named) throw new UsageError(`unknown command '${rest[0]}'`);
      io.out(named ? commandHelp(named) : generalHelp(COMMANDS));
      return EXIT.ok;
    }
    command = COMMANDS.find((c) => c.name === first);
    if (!command) throw new UsageError(`unknown command '${first}'`);
    if (rest.some((a) => a === '--help' || a === '-h')) {
      io.out(commandHelp(command));
      return EXIT.ok;
    }
    const values = parse(command, rest);
    wantJson = values.json === true;
    return await command.run(values, await clientFor(values, command, ctx), ctx);
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`ipcd-client: ${e.message}`);
      io.err(
        e.command
          ? `Usage: ${usageLine(e.command)}\nRun 'ipcd-client ${e.command.name} --help' for details.`
          : "Run 'ipcd-client help' for the commands.",
      );
      return EXIT.usage;
    }
    if (e instanceof IpcdFaultError || e instanceof IpcdTransportError) {
      const attempts = e.attempts > 1 ? ` (after ${e.attempts} attempts)` : '';
      io.err(`ipcd-client: ${e instanceof IpcdFaultError ? `${e.code}: ` : ''}${e.message}${attempts}`);
      if (wantJson) io.out(json(errorJson(e)));
      return exitFor(e);
    }
    // A value XML cannot carry (a control character in an argument) is the command line's fault.
    if (e instanceof RangeError) {
      io.err(`ipcd-client: ${e.message}`);
      return EXIT.usage;
    }
    io.err(`ipcd-client: ${e instanceof Error ? e.message : String(e)}`);
    if (ctx.env.IPCD_DEBUG && e instanceof Error && e.stack) io.err(e.stack);
    return EXIT.unexpected;
  }
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

if (require.main === module) {
  main(process.argv.slice(2), { io: stdio, env: process.env, stdin: readStdin }).then((status) => {
    process.exitCode = status;
  });
}
