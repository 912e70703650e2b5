/**
 * ipcd benchmark (`npm run bench`; never part of `npm test`). See bench/README.md.
 *
 * ipcd as shipped, measured from outside: the server runs as its own process (PostgreSQL in a
 * fresh database, then the embedded store in a temp dir), with authentication on, and this
 * process drives it over SOAP as an orchestrator. Cycles at 1, 8 and 32 clients (and 32 clients
 * over 32 networks) next to pgbench on the same PostgreSQL, SQL round trips per operation
 * through a counting proxy, commissioning in a /16 with 60,000 in use, and CommissionIP at 10^3
 * vs 10^6 allocations. Markdown to stdout, progress to stderr, JSON to .bench/results.json.
 * Figures are never judged; a wrong reply or a failed step makes the exit code 1 after printing.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../src/paths';
import { cleanupAll, installSignalCleanup, isStopping, log } from './cleanup';
import { config } from './config';
import { serverVersion } from './database';
import { findPgbench } from './pgbench';
import {
  batchTable,
  cyclesTable,
  describeRun,
  fillDetailTable,
  fillTable,
  roundTripTable,
  slash16Table,
} from './report';
import { runEmbedded, runPostgres, type BackendResult } from './scenario';
import { round } from './stats';

function packageVersion(dir: string, name: string): string | undefined {
  try {
    return (JSON.parse(readFileSync(join(dir, 'node_modules', name, 'package.json'), 'utf8')) as { version: string })
      .version;
  } catch {
    return undefined;
  }
}

/** The measured code's commit, and whether src/ or migrations/ differ from it. */
function revision(dir: string): string {
  try {
    const git = (...args: string[]) =>
      execFileSync('git', ['-C', dir, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const dirty = git('status', '--porcelain', '--', 'src', 'migrations') !== '';
    return `${git('rev-parse', '--short', 'HEAD')}${dirty ? ' + uncommitted changes in src/ or migrations/' : ''}`;
  } catch {
    return 'unknown';
  }
}

function pgbenchVersion(): string | undefined {
  try {
    return execFileSync(findPgbench(), ['--version'], { encoding: 'utf8' }).trim();
  } catch {
    return undefined;
  }
}

async function main(): Promise<number> {
  installSignalCleanup();
  const startedAt = new Date();
  const loadBefore = os.loadavg();
  const results: BackendResult[] = [];
  for (const kind of config.backends) {
    log(`${kind}: start`);
    results.push(kind === 'postgres' ? await runPostgres(config) : await runEmbedded(config));
  }
  const loadAfter = os.loadavg();
  const cpus = os.cpus();
  const machine = {
    cpuCount: cpus.length,
    cpuModel: cpus[0]?.model ?? 'unknown',
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    postgres: await serverVersion(config.pgAdminUrl),
    pgbench: config.pgbench ? pgbenchVersion() : undefined,
    pglite: packageVersion(config.ipcdDir, '@electric-sql/pglite'),
    ipcd: revision(config.ipcdDir),
    loadAverage1mBefore: round(loadBefore[0]),
    loadAverage1mAfter: round(loadAfter[0]),
  };
  const durationSeconds = (Date.now() - startedAt.getTime()) / 1000;

  const out: string[] = ['## ipcd benchmark', ''];
  out.push(
    `Machine: ${machine.cpuCount} CPU(s) (${machine.cpuModel}), ${machine.memoryGiB} GiB, ${machine.platform}; ` +
      `load average (1 min) ${machine.loadAverage1mBefore} before, ${machine.loadAverage1mAfter} after.`,
    `ipcd ${machine.ipcd}; Node ${machine.node}; PostgreSQL: ${machine.postgres ?? 'not reachable'}; ${machine.pgbench ?? 'pgbench not run'}; PGlite ${machine.pglite ?? '?'}.`,
    describeRun(config),
    '',
    '### Commission + decommission cycles',
    '',
    cyclesTable(results),
    '',
  );
  const batches = batchTable(results);
  if (batches) {
    out.push(
      '### Batch commissioning',
      '',
      `One client, one network (${'10.200.0.0/16'}), ${config.batchAddresses} addresses per point with wantName=true, commissioned in calls of N items ` +
        '(CommissionIPBatch), then released by serverInstance the same way (DecommissionIPBatch); the first row makes single CommissionIP / DecommissionIP calls.',
      '',
      batches,
      '',
    );
  }
  const s16 = slash16Table(results);
  if (s16) out.push('### Commissioning in a nearly full /16', '', s16, '');
  out.push(
    "### SQL round trips (PostgreSQL: counted by a wire-protocol proxy between ipcd and the database; embedded: the server's own count, from /metrics)",
    '',
    roundTripTable(results),
    '',
  );
  if (results.some((r) => r.fill.length > 0)) {
    out.push(
      '### Commissioning in a filled network',
      '',
      `p50 of ${config.fillOps} sequential CommissionIP calls after ${config.fillWarmup} warm-up calls, in one network with N addresses already ` +
        `allocated (bulk-filled with SQL while the server was stopped); DecommissionIP releases them again (by address; ${config.fillSelectorOps} ` +
        `calls each by name and by serverInstance); "other network" = ${config.fillOtherCycles} one-client cycles in the small /16 on another VLAN. ` +
        `Each timed series stops after ${config.capSeconds} s (keeping at least 10 samples).`,
      '',
      fillTable(results),
      '',
      fillDetailTable(results),
      '',
    );
  }
  const notes = results.flatMap((r) => r.notes);
  if (notes.length) out.push('Notes:', ...notes.map((n) => `- ${n}`), '');
  out.push(`Total run time: ${durationSeconds.toFixed(0)} s.`);
  process.stdout.write(out.join('\n') + '\n');

  const dir = join(ROOT, '.bench');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'results.json');
  writeFileSync(
    file,
    JSON.stringify({ startedAt: startedAt.toISOString(), durationSeconds, machine, config, results }, null, 2) + '\n',
  );
  log(`results written to ${file}`);

  // Loud, after the figures: wrong replies, faults and failed steps.
  const wrong = results.flatMap((r) => [
    ...r.throughput
      .filter((t) => Object.keys(t.point.errors).length)
      .map((t) => `${r.backend}, ${t.case}: ${JSON.stringify(t.point.errors)}`),
    ...(r.slash16 && Object.keys(r.slash16.errors).length
      ? [`${r.backend}, /16: ${JSON.stringify(r.slash16.errors)}`]
      : []),
    ...(r.batch ?? [])
      .filter((p) => Object.keys(p.errors).length)
      .map((p) => `${r.backend}, batch ${p.size}${p.atomic ? ' atomic' : ''}: ${JSON.stringify(p.errors)}`),
    ...r.failures,
  ]);
  if (wrong.length === 0) return 0;
  process.stderr.write(
    `\nBENCH FAILED: ${wrong.length} point(s) with faults or wrong replies, or failed steps:\n${wrong.map((w) => `  - ${w}`).join('\n')}\n`,
  );
  return 1;
}

main()
  .catch((e) => {
    if (!isStopping()) process.stderr.write(`bench failed: ${(e as Error)?.stack ?? e}\n`);
    return 1;
  })
  .then(async (code) => {
    await cleanupAll();
    process.exit(isStopping() ? 130 : code);
  });
