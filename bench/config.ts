/** The benchmark's knobs, all from the environment (documented in bench/README.md). */
import { ROOT } from '../src/paths';

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

function flag(name: string, fallback: boolean): boolean {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  if (/^(1|true|on|yes)$/i.test(raw)) return true;
  if (/^(0|false|off|no)$/i.test(raw)) return false;
  throw new Error(`${name} must be true or false, got '${raw}'`);
}

export type BackendKind = 'postgres' | 'embedded';

const seconds = num('BENCH_SECONDS', 10);

export const config = {
  backends: (process.env.BENCH_BACKENDS ?? 'postgres,embedded')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean) as BackendKind[],
  /** The built ipcd to run (its dist/src/server.js); default this checkout. */
  ipcdDir: process.env.BENCH_IPCD_DIR || ROOT,
  /** IPCD_WORKERS for the server child; unset: the server's own default (or IPCD_WORKERS as given). */
  workers: process.env.BENCH_WORKERS || undefined,
  clients: list('BENCH_CLIENTS', '1,8,32'),
  /** Client counts run with one network (VLAN) per client, PostgreSQL only. */
  spreadClients: list('BENCH_SPREAD_CLIENTS', '32'),
  /** 'shared': the spread networks share the one zone (names); 'own': a zone per network. */
  spreadZones: (process.env.BENCH_SPREAD_ZONES ?? 'shared') as 'shared' | 'own',
  seconds,
  cycles: process.env.BENCH_CYCLES ? num('BENCH_CYCLES', 0) : undefined,
  warmupSeconds: num('BENCH_WARMUP_SECONDS', 1),
  pgbench: flag('BENCH_PGBENCH', true),
  pgbenchSeconds: num('BENCH_PGBENCH_SECONDS', seconds),
  pgAdminUrl: process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
  /** Send a Nonce and Created in every UsernameToken, as src/client does. */
  wsseNonce: flag('BENCH_WSSE_NONCE', true),
  roundTripOps: num('BENCH_ROUND_TRIPS', 100),
  slash16Fill: num('BENCH_SLASH16_FILL', 60000),
  slash16Clients: num('BENCH_SLASH16_CLIENTS', 8),
  slash16Commissions: num('BENCH_SLASH16_COMMISSIONS', 2000),
  slash16Seconds: num('BENCH_SLASH16_SECONDS', 10),
  fillLevels: list('BENCH_FILL', '1000,1000000'),
  fillV6Levels: list('BENCH_FILL_V6', '1000'),
  fillOps: num('BENCH_FILL_OPS', 200),
  fillSelectorOps: num('BENCH_FILL_SELECTOR_OPS', 10),
  fillOtherCycles: num('BENCH_FILL_OTHER_CYCLES', 50),
  fillWarmup: num('BENCH_FILL_WARMUP', 20),
  capSeconds: num('BENCH_FILL_CAP_SECONDS', 8),
  /** Batch sizes measured (CommissionIPBatch items per call); single calls are the baseline. */
  batchSizes: list('BENCH_BATCH_SIZES', '1,10,100,1000'),
  /** Addresses commissioned (and released) per batch point. */
  batchAddresses: num('BENCH_BATCH_ADDRESSES', 2000),
};
for (const b of config.backends)
  if (b !== 'postgres' && b !== 'embedded') throw new Error(`BENCH_BACKENDS: unknown backend '${b}'`);
if (config.spreadZones !== 'shared' && config.spreadZones !== 'own')
  throw new Error(`BENCH_SPREAD_ZONES must be shared or own`);
if (config.slash16Fill > 65000) throw new Error('BENCH_SLASH16_FILL must leave room in a /16 (at most 65000)');

export type Config = typeof config;
