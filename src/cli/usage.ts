/** Usage errors (exit 64) and the help texts. */
import type { Command } from './command';

/** The command line itself is wrong: nothing was done. `help` names the command whose usage applies. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly help?: string,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}

const STORE_NOTE = [
  'Store: DATABASE_URL=postgres://… selects PostgreSQL, as for the server; otherwise the embedded',
  'store in IPCD_DATA_DIR (default ./data/ipcd), which only one process may open at a time: stop the',
  'server first.',
].join('\n');

const EXIT_NOTE = [
  'Exit status: 0 done; 2 refused by ipcd ("ipcd: CODE: message" on stderr, CODE as in the SOAP',
  'faults); 64 usage error; 1 anything else (store unreachable or in use, ...).',
].join('\n');

export const usageLine = (c: Command) => `ipcd ${c.words.join(' ')}${c.synopsis ? ` ${c.synopsis}` : ''}`;

export function generalHelp(commands: Command[]): string {
  const width = Math.max(...commands.map((c) => c.words.join(' ').length));
  return [
    'ipcd: the administration CLI; defines the data centers, tenants, zones and networks the ipcd',
    'server hands addresses out of, and the users who may call it. It calls the same logic as the',
    "server's management service and keeps its rules.",
    '',
    'Usage: ipcd COMMAND [ARGUMENTS]       ipcd COMMAND --help       ipcd help [COMMAND]',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.words.join(' ').padEnd(width)}  ${c.summary}`),
    `  ${'help'.padEnd(width)}  this text, or a command's (ipcd help network add)`,
    '',
    STORE_NOTE,
    '',
    EXIT_NOTE,
  ].join('\n');
}

export function groupHelp(group: string, commands: Command[]): string {
  return [
    `Usage:`,
    ...commands.map((c) => `  ${usageLine(c)}`),
    '',
    ...commands.map((c) => `  ipcd ${c.words.join(' ')}: ${c.summary}`),
    '',
    `Run 'ipcd ${group} SUBCOMMAND --help' for the options.`,
  ].join('\n');
}

export function commandHelp(c: Command): string {
  return [
    `Usage: ${usageLine(c)}`,
    '',
    `${c.summary[0].toUpperCase()}${c.summary.slice(1)}.`,
    ...(c.details ? ['', c.details] : []),
    '',
    STORE_NOTE,
  ].join('\n');
}
