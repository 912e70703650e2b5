/**
 * What a CLI command is, and the argument helpers the command files share. Each command parses
 * its argv into a call of src/logic and prints the result; no rule lives in src/cli.
 */
import type { ParseArgsConfig } from 'node:util';
import type { Store } from '../store/store';
import type { Output } from './output';
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

export const JSON_OPTION = { json: { type: 'boolean' } } as const;
export const JSON_DETAIL = '  --json              print a JSON array instead of a table';

export function str(values: Values, key: string): string | undefined {
  const v = values[key];
  return typeof v === 'string' ? v : undefined;
}

export function required(values: Values, key: string, cmd: string): string {
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

export const dash = (v: string | number | null | undefined) =>
  v === null || v === undefined || v === '' ? '-' : String(v);
