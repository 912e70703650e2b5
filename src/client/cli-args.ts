/**
 * ipcd-client's command line: the commands' shape, the options every command takes, the help text,
 * and the client a command runs with (URL, credentials, timeout and retries from options or the
 * environment). The commands themselves are in cli.ts.
 */
import { readFile } from 'node:fs/promises';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { IpcdClient } from './client';
import { IpcdFaultError } from './errors';
import { EXIT_NOTE, type Output } from './print';

export type Values = Record<string, string | boolean | undefined>;

export interface Context {
  io: Output;
  env: Record<string, string | undefined>;
  /** The whole of standard input (for --live -). */
  stdin(): Promise<string>;
}

export interface Command {
  name: string;
  synopsis: string;
  summary: string;
  details: string[];
  options: NonNullable<ParseArgsConfig['options']>;
  run(values: Values, client: IpcdClient, ctx: Context): Promise<number>;
}

export class UsageError extends Error {
  constructor(
    message: string,
    readonly command?: Command,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}

const COMMON_OPTIONS = {
  url: { type: 'string' },
  user: { type: 'string' },
  password: { type: 'string' },
  'password-file': { type: 'string' },
  json: { type: 'boolean' },
  timeout: { type: 'string' },
  retries: { type: 'string' },
} as const;

const COMMON_DETAILS = [
  '  --url URL           the ipcd endpoint, e.g. http://ipcd:8080/ipcd (default: $IPCD_URL)',
  '  --user NAME         WS-Security user name (default: $IPCD_USER)',
  '  --password-file F   read the password from the first line of file F (default: $IPCD_PASSWORD)',
  '  --password P        the password itself; other local users can see it in ps, prefer the above',
  '  --json              print JSON instead of text',
  '  --timeout MS        per HTTP request (default 10000)',
  '  --retries N         further attempts where a repeat is safe: after no answer, a timeout, HTTP 5xx,',
  '                      or a BUSY fault; an UNAVAILABLE fault (the database is unreachable) like no',
  '                      answer; never after another fault (default 2)',
];

export const str = (values: Values, key: string) =>
  typeof values[key] === 'string' ? (values[key] as string) : undefined;

export function need(values: Values, key: string, cmd: Command): string {
  const v = str(values, key);
  if (v === undefined || v === '') throw new UsageError(`${cmd.name} needs --${key}`, cmd);
  return v;
}

export function wholeNumber(text: string | undefined, option: string, cmd: Command): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d{1,9}$/.test(text)) throw new UsageError(`--${option} takes a whole number, got '${text}'`, cmd);
  return Number(text);
}

export const vlanOf = (values: Values, cmd: Command) => wholeNumber(str(values, 'vlan'), 'vlan', cmd);
export function requiredVlan(values: Values, cmd: Command): number {
  const v = vlanOf(values, cmd);
  if (v === undefined) throw new UsageError(`${cmd.name} needs --vlan`, cmd);
  return v;
}

export const usageLine = (c: Command) => `ipcd-client ${c.name} ${c.synopsis}`;

export function generalHelp(commands: Command[]): string {
  const width = Math.max(...commands.map((c) => c.name.length), 4);
  return [
    'ipcd-client: commission and decommission IP addresses and DNS names at an ipcd server, and',
    'reconcile what it has issued against the instances an orchestrator runs.',
    '',
    'Usage: ipcd-client COMMAND --url URL [OPTIONS]     ipcd-client COMMAND --help     ipcd-client help',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    `  ${'help'.padEnd(width)}  this text, or a command's`,
    '',
    'Common options:',
    ...COMMON_DETAILS,
    '',
    EXIT_NOTE,
  ].join('\n');
}

export function commandHelp(c: Command): string {
  return [
    `Usage: ${usageLine(c)}`,
    '',
    `${c.summary[0].toUpperCase()}${c.summary.slice(1)}.`,
    '',
    ...c.details,
    ...COMMON_DETAILS,
    '',
    EXIT_NOTE,
  ].join('\n');
}

export function parse(c: Command, args: string[]): Values {
  try {
    const { values } = parseArgs({
      args,
      options: { ...COMMON_OPTIONS, ...c.options },
      allowPositionals: false,
      strict: true,
    });
    return values as Values;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS'))
      throw new UsageError((e as Error).message.split(/\.\s/)[0], c);
    throw e;
  }
}

/** The user from --user or IPCD_USER; the password from --password-file, --password or IPCD_PASSWORD. */
async function credentialsOf(
  values: Values,
  c: Command,
  env: Context['env'],
): Promise<{ username?: string; password?: string }> {
  const username = str(values, 'user') ?? (env.IPCD_USER || undefined);
  const file = str(values, 'password-file');
  if (file !== undefined && values.password !== undefined)
    throw new UsageError('give --password or --password-file, not both', c);
  let password = str(values, 'password');
  if (file !== undefined) {
    try {
      password = (await readFile(file, 'utf8')).split(/\r?\n/)[0];
    } catch (e) {
      throw new UsageError(
        `cannot read --password-file ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
        c,
      );
    }
  }
  password ??= env.IPCD_PASSWORD || undefined;
  // Never echo the password itself in a message.
  if (username !== undefined && password === undefined)
    throw new UsageError(
      `a password for user '${username}' is needed: --password-file, --password or IPCD_PASSWORD`,
      c,
    );
  if (username === undefined && password !== undefined)
    throw new UsageError('a password without a user name: --user or IPCD_USER', c);
  return { username, password };
}

export async function clientFor(values: Values, c: Command, ctx: Context): Promise<IpcdClient> {
  const url = str(values, 'url') ?? ctx.env.IPCD_URL;
  if (!url) throw new UsageError(`${c.name} needs --url (or IPCD_URL)`, c);
  const { username, password } = await credentialsOf(values, c, ctx.env);
  try {
    return new IpcdClient({
      url,
      timeoutMs: wholeNumber(str(values, 'timeout'), 'timeout', c),
      retries: wholeNumber(str(values, 'retries'), 'retries', c),
      username,
      password,
      onRetry: ({ operation, attempt, maxAttempts, delayMs, error }) =>
        ctx.io.err(
          `ipcd-client: ${operation} attempt ${attempt} of ${maxAttempts} failed (${error instanceof IpcdFaultError ? `${error.code}: ` : ''}${error.message}); retrying in ${delayMs} ms`,
        ),
    });
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError((e as Error).message.replace(/^url /, '--url '), c);
  }
}
