/**
 * Restart time: from spawning `node dist/src/server.js` on a store it has used before to /readyz
 * answering 200, quiet and under the benchmark's load (commission+decommission cycles from
 * concurrent clients against another ipcd on the same machine and PostgreSQL server). Also the
 * server's own account of where the time went (its "listening" log line). See bench/README.md.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { addDataCenter, addNetwork, addZone } from '../src/logic/topology/topology';
import { admin, openBackend, type BackendKind, type BenchBackend } from './backend';
import { round, summarize } from './stats';
import { DC } from './management';
import { AddressBook } from './replies';
import { throughputPoint } from './workloads';

const ROOT = resolve(__dirname, '..', '..');
const env = process.env;
/** Server entries to compare, restarted in turn (e.g. another build's dist/src/main.js, or this one's): drift in the machine's load hits each alike. */
const ENTRIES = (env.BENCH_ENTRIES ?? join(ROOT, 'dist', 'src', 'server.js')).split(',').map((e) => resolve(e));
const BACKENDS = (env.BENCH_BACKENDS ?? 'postgres,embedded').split(',') as BackendKind[];
const CONDITIONS = (env.BENCH_CONDITIONS ?? 'quiet,loaded').split(',');
const RESTARTS = Number(env.BENCH_RESTARTS ?? 7);
const LOAD_CLIENTS = Number(env.BENCH_LOAD_CLIENTS ?? 32);
const PG_ADMIN = env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const PORT = Number(env.BENCH_RESTART_PORT ?? 18600 + (process.pid % 1000));
const log = (m: string) => process.stderr.write(`[restart] ${m}\n`);

interface Restart {
  readyMs: number;
  /** The server's phases (ms since its process started), from its "listening" line. */
  phases: Record<string, number>;
}

/** One start of the server; resolves when /readyz is 200, with the process to stop. */
async function start(
  storeEnv: Record<string, string>,
  entry = ENTRIES[0],
): Promise<Restart & { stop(): Promise<void> }> {
  const t0 = performance.now();
  const child = spawn(process.execPath, [entry], {
    cwd: ROOT,
    env: {
      ...env,
      ...storeEnv,
      PORT: String(PORT),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      IPCD_ADMIN_PASSWORD: 'bench-admin-password-1',
      NODE_OPTIONS: '',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d));
  child.stderr.on('data', (d: Buffer) => (out += d));
  const exited = new Promise<void>((r) => child.once('close', () => r()));
  let readyMs = NaN;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`ipcd exited (${child.exitCode}) before it was ready:\n${out}`);
    try {
      const res = await fetch(`http://127.0.0.1:${PORT}/readyz`, { signal: AbortSignal.timeout(2000) });
      await res.text();
      if (res.status === 200) {
        readyMs = performance.now() - t0;
        break;
      }
    } catch {
      // not listening yet
    }
    if (performance.now() - t0 > 120_000) throw new Error(`ipcd not ready after 120 s:\n${out}`);
    await new Promise((r) => setTimeout(r, 10));
  }
  const line = out.split('\n').find((l) => l.includes('"message":"listening"'));
  const phases = (line ? JSON.parse(line).startupMs : undefined) ?? {};
  return {
    readyMs,
    phases,
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** The network the load cycles on (made in measure()). */
const LOAD_NET = { vlan: 100, cidr: '10.0.0.0/16' };

/** The bench's cycle workload on its own in-process server, until stopped; cycles per second. */
function load(b: BenchBackend): { stop(): Promise<number> } {
  let stopped = false;
  let cycles = 0;
  const t0 = performance.now();
  const running = (async () => {
    // The in-process server runs without authentication (openBackend): the credentials go unread.
    const target = { url: b.url, credentials: { username: 'bench', password: 'unused-password', nonce: false } };
    // The book checks every address against the network it must come from: tell it which.
    const book = new AddressBook().expect(LOAD_NET.vlan, LOAD_NET.cidr);
    while (!stopped)
      cycles += (
        await throughputPoint(target, book, LOAD_CLIENTS, () => LOAD_NET.vlan, { seconds: 1, warmupSeconds: 0 })
      ).cycles;
  })();
  return {
    async stop() {
      stopped = true;
      await running;
      return cycles / ((performance.now() - t0) / 1000);
    },
  };
}

interface Row {
  entry: string;
  backend: BackendKind;
  condition: string;
  restarts: number;
  p50: number;
  min: number;
  max: number;
  loadCyclesPerSecond?: number;
  loadavg: string;
  phasesP50: Record<string, number>;
}

async function measure(kind: BackendKind): Promise<Row[]> {
  const dir = mkdtempSync(join(tmpdir(), 'ipcd-restart-'));
  const db = `ipcd_restart_${process.pid}_${randomBytes(3).toString('hex')}`;
  const url = new URL(PG_ADMIN);
  url.pathname = `/${db}`;
  const storeEnv: Record<string, string> = {
    DATABASE_URL: kind === 'postgres' ? url.toString() : '',
    IPCD_DATA_DIR: join(dir, 'data'),
  };
  if (kind === 'postgres') await admin(PG_ADMIN, (c) => c.query(`CREATE DATABASE ${db}`));
  const rows: Row[] = [];
  try {
    // The first start makes the store (schema, administrator, example topology), and each entry's
    // first its code cache (src/ops/code-cache.ts): not measured.
    for (const entry of ENTRIES) await (await start(storeEnv, entry)).stop();
    for (const condition of CONDITIONS) {
      let backend: BenchBackend | undefined;
      let generator: ReturnType<typeof load> | undefined;
      if (condition === 'loaded') {
        backend = await openBackend(kind, { pgAdminUrl: PG_ADMIN, poolSize: 10 });
        await addDataCenter(backend.store, DC);
        await addZone(backend.store, 'bench.test');
        await addNetwork(backend.store, {
          name: 'load',
          cidr: LOAD_NET.cidr,
          dataCenter: DC,
          vlan: LOAD_NET.vlan,
          zone: 'bench.test',
        });
        generator = load(backend);
        await new Promise((r) => setTimeout(r, 2000)); // the load settles first
      }
      const samples: Restart[][] = ENTRIES.map(() => []);
      const before = loadavg()[0];
      for (let i = 0; i < RESTARTS; i++) {
        for (const [e, entry] of ENTRIES.entries()) {
          const s = await start(storeEnv, entry);
          samples[e].push(s);
          await s.stop();
          log(
            `${kind} ${condition} ${entry} #${i + 1}: ready in ${Math.round(s.readyMs)} ms ${JSON.stringify(s.phases)}`,
          );
        }
      }
      const loadCyclesPerSecond = generator ? await generator.stop() : undefined;
      await backend?.close();
      for (const [e, entry] of ENTRIES.entries()) {
        const ready = summarize(samples[e].map((s) => s.readyMs));
        const names = [...new Set(samples[e].flatMap((s) => Object.keys(s.phases)))];
        const phasesP50 = Object.fromEntries(
          names.map((n) => [n, round(summarize(samples[e].map((s) => s.phases[n] ?? NaN)).p50)]),
        );
        rows.push({
          entry,
          backend: kind,
          condition,
          restarts: RESTARTS,
          p50: round(ready.p50),
          min: round(Math.min(...samples[e].map((s) => s.readyMs))),
          max: round(ready.max),
          loadCyclesPerSecond: loadCyclesPerSecond === undefined ? undefined : round(loadCyclesPerSecond),
          loadavg: `${before.toFixed(1)} → ${loadavg()[0].toFixed(1)}`,
          phasesP50,
        });
      }
    }
  } finally {
    if (kind === 'postgres') await admin(PG_ADMIN, (c) => c.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`));
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}

async function main() {
  const rows: Row[] = [];
  for (const kind of BACKENDS) rows.push(...(await measure(kind)));
  const phaseNames = [...new Set(rows.flatMap((r) => Object.keys(r.phasesP50)))].sort(
    (a, b) => rows[0].phasesP50[a] - rows[0].phasesP50[b],
  );
  const entry = ENTRIES.length > 1 ? (r: Row) => ` ${r.entry} |` : () => '';
  console.log(
    `|${ENTRIES.length > 1 ? ' server |' : ''} backend | condition | restarts | ready p50 (ms) | min | max | ${phaseNames.map((p) => `${p} p50`).join(' | ')} | load (cycles/s) | load average (1 min) |`,
  );
  console.log(
    `|${ENTRIES.length > 1 ? '---|' : ''}---|---|---:|---:|---:|---:|${phaseNames.map(() => '---:|').join('')}---:|---|`,
  );
  for (const r of rows) {
    console.log(
      `|${entry(r)} ${r.backend} | ${r.condition} | ${r.restarts} | ${r.p50} | ${r.min} | ${r.max} | ${phaseNames.map((p) => r.phasesP50[p] ?? '–').join(' | ')} | ${r.loadCyclesPerSecond ?? '–'} | ${r.loadavg} |`,
    );
  }
  mkdirSync(join(ROOT, '.bench'), { recursive: true });
  writeFileSync(
    join(ROOT, '.bench', 'restart.json'),
    JSON.stringify({ at: new Date().toISOString(), node: process.version, rows }, null, 2),
  );
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
