/**
 * ipcd benchmark (`npm run bench`; never part of `npm test`). See bench/README.md.
 *
 * For each backend (PostgreSQL, embedded PGlite) the real HTTP server runs in this process and a
 * keep-alive SOAP client drives it: commission+decommission cycles at 1, 8 and 32 concurrent
 * clients, then CommissionIP latency in one large network pre-filled with 10^3 and 10^6
 * allocations (and an IPv6 /64). Markdown tables go to stdout, progress to stderr, and the same
 * results as JSON to .bench/results.json.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { addDataCenter, addNetwork, addZone } from '../src/logic/topology';
import { ROOT } from '../src/paths';
import { openBackend, type BackendKind, type BenchBackend } from './backend';
import { round, type Summary } from './stats';
import { DC, fillPoint, throughputPoint, type FillPoint, type PointResult } from './workloads';

// ---- configuration (environment) ----

function num(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0) throw new Error(`${name} must be a non-negative number, got '${raw}'`);
  return n;
}

function list(name: string, fallback: string): number[] {
  const raw = (process.env[name] ?? fallback).trim();
  if (raw === '' || raw === '0' || raw === 'none') return [];
  return raw.split(',').map((s) => {
    const n = Number(s.trim());
    if (!Number.isInteger(n) || n < 1) throw new Error(`${name}: '${s}' is not a positive integer`);
    return n;
  });
}

const config = {
  backends: (process.env.BENCH_BACKENDS ?? 'postgres,embedded').split(',').map((s) => s.trim()).filter(Boolean) as BackendKind[],
  clients: list('BENCH_CLIENTS', '1,8,32'),
  seconds: num('BENCH_SECONDS', 5),
  cycles: process.env.BENCH_CYCLES ? num('BENCH_CYCLES', 0) : undefined,
  warmupSeconds: num('BENCH_WARMUP_SECONDS', 1),
  pgAdminUrl: process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
  poolSize: num('BENCH_POOL_SIZE', 10),
  fillLevels: list('BENCH_FILL', '1000,1000000'),
  /** The embedded store's fill levels are capped at this (PGlite is WebAssembly). */
  embeddedFillMax: num('BENCH_EMBEDDED_FILL_MAX', 1000000),
  fillV6Levels: list('BENCH_FILL_V6', '1000'),
  fillOps: num('BENCH_FILL_OPS', 500),
  fillDirectOps: num('BENCH_FILL_DIRECT_OPS', 200),
  fillSelectorOps: num('BENCH_FILL_SELECTOR_OPS', 10),
  fillOtherCycles: num('BENCH_FILL_OTHER_CYCLES', 50),
  fillWarmup: num('BENCH_FILL_WARMUP', 20),
  capSeconds: num('BENCH_FILL_CAP_SECONDS', 8),
};
for (const b of config.backends) if (b !== 'postgres' && b !== 'embedded') throw new Error(`BENCH_BACKENDS: unknown backend '${b}'`);

const V4_FILL_CIDR = '10.0.0.0/8';
const V6_FILL_CIDR = '2001:db8::/64';
const CYCLE_VLAN = 100;

const log = (msg: string) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);

// ---- results ----

interface BackendResult {
  backend: BackendKind;
  version: string;
  poolSize: number;
  throughput: PointResult[];
  fill: FillPoint[];
  notes: string[];
}

/** The backend in use, closed (its PostgreSQL database dropped) when the run is interrupted. */
let current: BenchBackend | undefined;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    log(`${signal}: stopping`);
    const b = current;
    current = undefined;
    void (b ? b.close() : Promise.resolve()).finally(() => process.exit(130));
  });
}

async function topology(b: BenchBackend): Promise<void> {
  await addDataCenter(b.store, DC, 'benchmark');
  await addZone(b.store, 'bench.test');
  // 65,533 assignable addresses; a cycle returns its address, so this never fills up.
  await addNetwork(b.store, { name: 'bench-v4', cidr: '10.0.0.0/16', dataCenter: DC, vlan: CYCLE_VLAN, zone: 'bench.test' });
}

async function runBackend(kind: BackendKind): Promise<BackendResult> {
  log(`${kind}: opening the store and starting the server`);
  const b = await openBackend(kind, { pgAdminUrl: config.pgAdminUrl, poolSize: config.poolSize });
  current = b;
  const result: BackendResult = { backend: kind, version: b.version, poolSize: b.poolSize, throughput: [], fill: [], notes: [] };
  try {
    await topology(b);
    for (const clients of config.clients) {
      const p = await throughputPoint(b, CYCLE_VLAN, clients, { seconds: config.seconds, cycles: config.cycles, warmupSeconds: config.warmupSeconds });
      log(
        `${kind}: ${clients} client(s): ${p.cycles} cycles in ${p.seconds.toFixed(1)} s = ${p.cyclesPerSecond.toFixed(0)}/s; ` +
          `commission p50 ${p.commission.p50.toFixed(2)} ms, decommission p50 ${p.decommission.p50.toFixed(2)} ms` +
          (Object.keys(p.errors).length ? `; errors ${JSON.stringify(p.errors)}` : ''),
      );
      result.throughput.push(p);
    }
    const runFill = async (family: 4 | 6, cidr: string, levels: number[], vlanBase: number) => {
      for (const [i, wanted] of levels.entries()) {
        let filled = wanted;
        if (kind === 'embedded' && wanted > config.embeddedFillMax) {
          if (levels.includes(config.embeddedFillMax) || config.embeddedFillMax < 1) {
            const note = `embedded: IPv${family} fill level ${wanted} skipped (BENCH_EMBEDDED_FILL_MAX=${config.embeddedFillMax})`;
            log(note);
            result.notes.push(note);
            continue;
          }
          filled = config.embeddedFillMax;
          const note = `embedded: IPv${family} fill level ${wanted} run at ${filled} instead (BENCH_EMBEDDED_FILL_MAX; PGlite is WebAssembly)`;
          log(note);
          result.notes.push(note);
        }
        log(`${kind}: filling ${cidr} with ${filled} allocations`);
        const p = await fillPoint(b, { family, cidr, vlan: vlanBase + i }, filled, {
          ops: config.fillOps,
          directOps: config.fillDirectOps,
          selectorOps: config.fillSelectorOps,
          otherCycles: config.fillOtherCycles,
          otherVlan: CYCLE_VLAN,
          warmup: config.fillWarmup,
          capSeconds: config.capSeconds,
        });
        log(
          `${kind}: ${cidr} @ ${filled}: fill ${(p.fill.insertMs / 1000).toFixed(1)} s + vacuum ${(p.fill.vacuumMs / 1000).toFixed(1)} s; ` +
            `SOAP commission p50 ${p.soapCommission.p50.toFixed(2)} ms, decommission p50 ${p.soapDecommission.p50.toFixed(2)} ms; ` +
            `direct commission p50 ${p.directCommission.p50.toFixed(2)} ms, decommission p50 ${p.directDecommission.p50.toFixed(2)} ms` +
            `; by name p50 ${p.soapDecommissionByName.p50.toFixed(2)} ms, by serverInstance p50 ${p.soapDecommissionByServerInstance.p50.toFixed(2)} ms; ` +
            `other network: commission p50 ${p.otherNetwork.commission.p50.toFixed(2)} ms, decommission p50 ${p.otherNetwork.decommission.p50.toFixed(2)} ms` +
            (p.capped.length ? ` (stopped at the time cap: ${p.capped.join(', ')})` : ''),
        );
        result.fill.push(p);
      }
    };
    // IPv6 first, so that its point is not measured next to the million IPv4 rows.
    await runFill(6, V6_FILL_CIDR, config.fillV6Levels, 300);
    await runFill(4, V4_FILL_CIDR, config.fillLevels, 200);
  } finally {
    current = undefined;
    await b.close();
  }
  return result;
}

// ---- output ----

const f = (x: number | undefined) => (x === undefined || !Number.isFinite(x) ? '–' : String(round(x)));
const pow10 = (n: number) => {
  const e = Math.log10(n);
  return Number.isInteger(e) && e >= 3 ? `10^${e}` : n.toLocaleString('en-US');
};

function throughputTable(results: BackendResult[]): string {
  const rows = [
    '| backend | clients | cycles | cycles/s | commission p50 (ms) | commission p99 (ms) | decommission p50 (ms) | decommission p99 (ms) | errors |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---|',
  ];
  for (const r of results) {
    for (const p of r.throughput) {
      const errors = Object.entries(p.errors).map(([k, n]) => `${k}×${n}`).join(', ') || '0';
      rows.push(
        `| ${r.backend} | ${p.clients} | ${p.cycles} | ${f(p.cyclesPerSecond)} | ${f(p.commission.p50)} | ${f(p.commission.p99)} | ${f(p.decommission.p50)} | ${f(p.decommission.p99)} | ${errors} |`,
      );
    }
  }
  return rows.join('\n');
}

/** One row per (backend, family): p50 at the lowest and highest fill level and their ratio. */
function fillTable(results: BackendResult[]): string {
  const rows = [
    '| backend | network | metric | fill A | p50 @ A (ms) | fill B | p50 @ B (ms) | ratio B/A |',
    '|---|---|---|---:|---:|---:|---:|---:|',
  ];
  for (const r of results) {
    for (const family of [4, 6] as const) {
      const points = r.fill.filter((p) => p.family === family).sort((a, b) => a.filled - b.filled);
      if (points.length === 0) continue;
      const lo = points[0];
      const hi = points[points.length - 1];
      const metrics: [string, (p: FillPoint) => number][] = [
        ['CommissionIP (SOAP)', (p) => p.soapCommission.p50],
        ['commission() direct', (p) => p.directCommission.p50],
        ['DecommissionIP by address (SOAP)', (p) => p.soapDecommission.p50],
        ['decommission() by address, direct', (p) => p.directDecommission.p50],
        ['DecommissionIP by name (SOAP)', (p) => p.soapDecommissionByName.p50],
        ['DecommissionIP by serverInstance (SOAP)', (p) => p.soapDecommissionByServerInstance.p50],
        ['other network: CommissionIP (SOAP)', (p) => p.otherNetwork.commission.p50],
        ['other network: DecommissionIP by address (SOAP)', (p) => p.otherNetwork.decommission.p50],
      ];
      const same = lo === hi;
      // A single level (the IPv6 point) only shows that commissioning there works, and how fast.
      for (const [name, get] of same ? metrics.slice(0, 3) : metrics) {
        rows.push(
          `| ${r.backend} | IPv${family} ${lo.cidr} | ${name} | ${pow10(lo.filled)} | ${f(get(lo))} | ${same ? '–' : pow10(hi.filled)} | ${same ? '–' : f(get(hi))} | ${same ? '–' : f(get(hi) / get(lo))} |`,
        );
      }
    }
  }
  return rows.join('\n');
}

function fillDetailTable(results: BackendResult[]): string {
  const pp = (x: Summary) => `${f(x.p50)} / ${f(x.p99)}`;
  const rows = [
    '| backend | network | filled | fill insert (s) | vacuum (s) | SOAP commission p50/p99 (ms) | SOAP decommission p50/p99 (ms) [n] | direct commission p50/p99 (ms) | direct decommission p50/p99 (ms) [n] | capped series |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---|',
  ];
  for (const r of results) {
    for (const p of r.fill) {
      rows.push(
        `| ${r.backend} | IPv${p.family} ${p.cidr} | ${p.filled.toLocaleString('en-US')} | ${f(p.fill.insertMs / 1000)} | ${f(p.fill.vacuumMs / 1000)} | ` +
          `${pp(p.soapCommission)} | ${pp(p.soapDecommission)} [${p.soapDecommission.count}] | ${pp(p.directCommission)} | ${pp(p.directDecommission)} [${p.directDecommission.count}] | ${p.capped.join(', ') || '–'} |`,
      );
    }
  }
  return rows.join('\n');
}

async function postgresVersion(): Promise<string | undefined> {
  const c = new Client({ connectionString: config.pgAdminUrl });
  try {
    await c.connect();
    return ((await c.query(`SELECT version() AS v`)).rows[0] as { v: string }).v;
  } catch {
    return undefined;
  } finally {
    await c.end().catch(() => {});
  }
}

function packageVersion(name: string): string | undefined {
  try {
    return (JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return undefined;
  }
}

async function main(): Promise<void> {
  const startedAt = new Date();
  const loadBefore = os.loadavg();
  const results: BackendResult[] = [];
  for (const kind of config.backends) results.push(await runBackend(kind));
  const loadAfter = os.loadavg();
  const cpus = os.cpus();
  const machine = {
    cpuCount: cpus.length,
    availableParallelism: os.availableParallelism(),
    cpuModel: cpus[0]?.model ?? 'unknown',
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    postgres: results.find((r) => r.backend === 'postgres')?.version ?? (await postgresVersion()),
    pglite: packageVersion('@electric-sql/pglite'),
    embeddedServerVersion: results.find((r) => r.backend === 'embedded')?.version,
    loadAverage1mBefore: round(loadBefore[0]),
    loadAverage1mAfter: round(loadAfter[0]),
  };
  const durationSeconds = (Date.now() - startedAt.getTime()) / 1000;

  const out: string[] = [];
  out.push('## ipcd benchmark', '');
  out.push(
    `Machine: ${machine.cpuCount} CPU(s) (${machine.cpuModel}), ${machine.memoryGiB} GiB, ${machine.platform}; ` +
      `load average (1 min) ${machine.loadAverage1mBefore} before, ${machine.loadAverage1mAfter} after.`,
  );
  out.push(`Node ${machine.node}; PostgreSQL: ${machine.postgres ?? 'not reachable'}; PGlite ${machine.pglite ?? '?'} (${machine.embeddedServerVersion ?? 'not run'}).`);
  out.push(
    `Client and server share this one Node process. Cycle = CommissionIP(wantName=true) + DecommissionIP(address) over SOAP/HTTP keep-alive; ` +
      `${config.cycles !== undefined ? `${config.cycles} cycles` : `${config.seconds} s`} per point after ${config.warmupSeconds} s warm-up; ` +
      `PostgreSQL pool ${config.poolSize} connections, embedded store 1 connection.`,
  );
  out.push('', '### Commission + decommission cycles', '', throughputTable(results), '');
  if (results.some((r) => r.fill.length > 0)) {
    out.push(
      '### Commissioning in a filled network',
      '',
      `p50 of ${config.fillOps} sequential CommissionIP calls over SOAP (${config.fillDirectOps} direct logic calls) after ${config.fillWarmup} warm-up calls, ` +
        `in one network with N addresses already allocated (bulk-filled with SQL); DecommissionIP releases those addresses again ` +
        `(by address; ${config.fillSelectorOps} calls each by name and by serverInstance); "other network" = ${config.fillOtherCycles} one-client cycles ` +
        `in the small /16 network on another VLAN while the filled network exists. Decommission series stop after ${config.capSeconds} s.`,
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
  writeFileSync(file, JSON.stringify({ startedAt: startedAt.toISOString(), durationSeconds, machine, config, results }, null, 2) + '\n');
  log(`results written to ${file}`);
}

main().then(
  () => process.exit(0),
  (e) => {
    process.stderr.write(`bench failed: ${(e as Error)?.stack ?? e}\n`);
    process.exit(1);
  },
);
