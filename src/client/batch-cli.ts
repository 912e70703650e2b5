/**
 * `ipcd-client commission --batch FILE` and `decommission --batch FILE`: the items of one
 * CommissionIPBatch / DecommissionIPBatch call read from a file, one item a line.
 */
import type { BatchResult, CommissionParams, Commissioned, Decommissioned, DecommissionParams } from './client';
import type { FaultCode } from '../contract';
import { readFile } from 'node:fs/promises';
import { str, UsageError, type Command, type Context, type Values } from './cli-args';
import { dash, table } from './print';

export const BATCH_OPTIONS = { batch: { type: 'string' }, atomic: { type: 'boolean' } } as const;

export const BATCH_DETAILS = [
  '  --batch FILE        one call for many items (up to 1000), one a line: a server instance id (the other',
  "                      options apply to it) or a JSON object of the call's fields, e.g.",
  '                      {"vlan": 100, "serverInstance": "vm-1", "wantName": true}; # comments; - reads stdin.',
  "                      One result per item; the status is the first refused item's fault status",
  '  --atomic            with --batch: every item or none is commissioned',
];

/** The --batch file's items (a usage error names the bad line). */
export async function batchItems<P extends object>(
  values: Values,
  { stdin }: Context,
  cmd: Command,
  fromId: (id: string) => P,
  defaults: Partial<P>,
): Promise<P[]> {
  try {
    return await readBatch(str(values, 'batch')!, stdin, fromId, defaults);
  } catch (e) {
    throw new UsageError((e as Error).message, cmd);
  }
}

/** The items of the file `source` (- : standard input); throws a sentence naming the file or the line. */
export async function readBatch<P extends object>(
  source: string,
  stdin: () => Promise<string>,
  fromId: (id: string) => P,
  defaults: Partial<P>,
): Promise<P[]> {
  let text: string;
  try {
    text = source === '-' ? await stdin() : await readFile(source, 'utf8');
  } catch (e) {
    throw new Error(`cannot read --batch ${source}: ${(e as Error).message}`);
  }
  try {
    // Options not given stay out of the items (a JSON line's own fields win over given ones).
    return parseBatchLines(
      text,
      fromId,
      Object.fromEntries(Object.entries(defaults).filter(([, v]) => v !== undefined)) as Partial<P>,
    );
  } catch (e) {
    throw new Error(`--batch ${source}: ${(e as Error).message}`);
  }
}

/**
 * One item a line: a JSON object with the single call's fields ({"vlan": 100, "serverInstance":
 * "vm-1", "wantName": true}), or a bare server instance id that takes the command line's options.
 * Blank lines and # comments are skipped. Throws with the line number on a bad line.
 */
export function parseBatchLines<P extends object>(text: string, fromId: (id: string) => P, defaults: Partial<P>): P[] {
  const items: P[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.replace(/(^|\s)#.*$/, '').trim();
    if (line === '') return;
    if (!line.startsWith('{')) {
      if (/\s/.test(line)) throw new Error(`line ${i + 1}: a server instance id or a JSON object, got '${line}'`);
      items.push({ ...defaults, ...fromId(line) });
      return;
    }
    let o: unknown;
    try {
      o = JSON.parse(line);
    } catch (e) {
      throw new Error(`line ${i + 1}: ${(e as Error).message}`);
    }
    if (typeof o !== 'object' || o === null || Array.isArray(o))
      throw new Error(`line ${i + 1}: a JSON object, got ${line}`);
    items.push({ ...defaults, ...(o as P) });
  });
  if (items.length === 0) throw new Error('the batch file names no item');
  return items;
}

/** The first refused item's code (the one that refused an atomic batch): it decides the exit status. */
export function firstFault<T>(r: BatchResult<T>): FaultCode | undefined {
  const refused = r.results.filter((x) => 'fault' in x) as { item: number; fault: { code: FaultCode } }[];
  return (refused.find((x) => x.item === r.failedItem) ?? refused[0])?.fault.code;
}

function summary<T>(r: BatchResult<T>): string {
  const atomic =
    r.failedItem === undefined ? '' : `; atomic batch refused at item ${r.failedItem}: nothing was written`;
  return `${r.succeeded} succeeded, ${r.failed} failed${atomic}`;
}

export function commissionBatchText(items: CommissionParams[], r: BatchResult<Commissioned>): string {
  const rows = r.results.map((x) => {
    const p = items[x.item - 1];
    if ('fault' in x) return [String(x.item), p.serverInstance, '-', '-', '-', `${x.fault.code}: ${x.fault.message}`];
    const a = x.ok;
    return [
      String(x.item),
      p.serverInstance,
      dash(a.address),
      dash(a.fqdn),
      a.network,
      a.existing ? 'existing' : 'issued',
    ];
  });
  return `${table(['ITEM', 'INSTANCE', 'ADDRESS', 'FQDN', 'NETWORK', 'RESULT'], rows, new Set([0]))}\n${summary(r)}`;
}

export function decommissionBatchText(items: DecommissionParams[], r: BatchResult<Decommissioned>): string {
  const rows = r.results.map((x) => {
    const p = items[x.item - 1];
    const what = p.allocationId ?? p.serverInstance ?? p.address ?? p.name ?? '-';
    if ('fault' in x) return [String(x.item), what, '-', `${x.fault.code}: ${x.fault.message}`];
    return [
      String(x.item),
      what,
      String(x.ok.releasedCount),
      x.ok.alreadyReleased
        ? 'already released'
        : x.ok.released.map((y) => y.address ?? y.fqdn ?? y.allocationId).join(' ') || '-',
    ];
  });
  return `${table(['ITEM', 'TARGET', 'RELEASED', 'RESULT'], rows, new Set([0, 2]))}\n${summary(r)}`;
}
