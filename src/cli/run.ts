/** Dispatch: argv → command → logic call with the configured store → output and exit status. */
import { parseArgs } from 'node:util';
import { loadConfig } from '../config';
import { IpcdError } from '../logic/core/errors';
import type { Store } from '../store/store';
import { COMMANDS, type Args, type Command, type Values } from './commands';
import { stdio, type Output } from './output';
import { commandHelp, generalHelp, groupHelp, usageLine, UsageError } from './usage';

export const EXIT = { ok: 0, unexpected: 1, refused: 2, usage: 64 } as const;

type Resolved = { help: string } | { command: Command; rest: string[] };

export async function run(argv: string[], io: Output = stdio): Promise<number> {
  try {
    const resolved = resolve(argv);
    if ('help' in resolved) {
      io.out(resolved.help);
      return EXIT.ok;
    }
    const { command, rest } = resolved;
    if (wantsHelp(rest)) {
      io.out(commandHelp(command));
      return EXIT.ok;
    }
    const help = `Usage: ${usageLine(command)}\nRun 'ipcd ${command.words.join(' ')} --help' for details.`;
    let work: (store: Store) => Promise<void>;
    try {
      work = command.plan(parse(command, rest), io);
    } catch (e) {
      throw e instanceof UsageError && e.help === undefined ? new UsageError(e.message, help) : e;
    }
    await withStore(work, io);
    return EXIT.ok;
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`ipcd: ${e.message}`);
      io.err(e.help ?? "Run 'ipcd help' for the commands.");
      return EXIT.usage;
    }
    if (e instanceof IpcdError) {
      io.err(`ipcd: ${e.code}: ${e.message}`);
      return EXIT.refused;
    }
    io.err(`ipcd: ${e instanceof Error ? e.message : String(e)}`);
    if (process.env.IPCD_DEBUG && e instanceof Error && e.stack) io.err(e.stack);
    return EXIT.unexpected;
  }
}

const wantsHelp = (args: string[]) => {
  const end = args.indexOf('--');
  return (end < 0 ? args : args.slice(0, end)).some((a) => a === '--help' || a === '-h');
};

const groupOf = (word: string) => COMMANDS.filter((c) => c.words.length > 1 && c.words[0] === word);

/** Finds the command the words name; `ipcd help X`, `ipcd X --help` and a bare group give help. */
function resolve(argv: string[]): Resolved {
  const [first, ...rest] = argv;
  if (first === undefined) throw new UsageError('no command given');
  if (first === 'help' || first === '--help' || first === '-h') {
    if (first !== 'help' || rest.length === 0) return { help: generalHelp(COMMANDS) };
    const named = resolve([...rest, '--help']);
    return 'help' in named ? named : { help: commandHelp(named.command) };
  }
  const command = COMMANDS.find((c) => c.words.every((w, i) => argv[i] === w));
  if (command) return { command, rest: argv.slice(command.words.length) };
  const group = groupOf(first);
  if (group.length === 0) throw new UsageError(`unknown command '${first}'`);
  const sub = rest[0];
  if (sub === '--help' || sub === '-h') return { help: groupHelp(first, group) };
  const subs = group.map((c) => c.words[1]).join(', ');
  throw new UsageError(
    sub === undefined
      ? `'${first}' needs a subcommand: ${subs}`
      : `unknown command '${first} ${sub}' (${first} has: ${subs})`,
    groupHelp(first, group),
  );
}

function parse(command: Command, rest: string[]): Args {
  let parsed: { values: Values; positionals: string[] };
  try {
    parsed = parseArgs({ args: rest, options: command.options, allowPositionals: true, strict: true }) as typeof parsed;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    // Node's first sentence says it ("Unknown option '--x'"); the rest is advice about '--'.
    if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS'))
      throw new UsageError((e as Error).message.split(/\.\s/)[0]);
    throw e;
  }
  const { positionals } = parsed;
  if (positionals.length < command.positionals.length) {
    throw new UsageError(`missing ${command.positionals.slice(positionals.length).join(' ')}`);
  }
  if (positionals.length > command.positionals.length && !command.variadic) {
    throw new UsageError(`unexpected argument '${positionals[command.positionals.length]}'`);
  }
  return { positionals, values: parsed.values };
}

async function withStore(work: (store: Store) => Promise<void>, io: Output): Promise<void> {
  const config = loadConfig();
  // Loaded on use: help and usage errors answer without loading TypeORM and PGlite.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { openStore } = require('../store/open') as typeof import('../store/open');
  const { store, kind, fresh } = await openStore({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    poolSize: 2,
  });
  try {
    if (kind === 'embedded' && fresh) io.err(`ipcd: created a new embedded store at ${config.dataDir}`);
    await work(store);
  } finally {
    await store.close();
  }
}
