/** The results as Markdown tables (stdout); the same data goes to .bench/results.json. */
import type { Config } from './config';
import type { FillPoint } from './fill-point';
import type { BackendResult } from './scenario';
import { round, type Summary } from './stats';
import { relative } from 'node:path';
import { serverEntry } from './server';

const f = (x: number | undefined) => (x === undefined || !Number.isFinite(x) ? '–' : String(round(x)));
const pp = (x: Summary) => `${f(x.p50)} / ${f(x.p99)}`;
const errorsOf = (e: Record<string, number>) =>
  Object.entries(e)
    .map(([k, n]) => `${k}×${n}`)
    .join(', ') || '0';
const name = (b: string) => (b === 'postgres' ? 'PostgreSQL' : b);
const pow10 = (n: number) => {
  const e = Math.log10(n);
  return Number.isInteger(e) && e >= 3 ? `10^${e}` : n.toLocaleString('en-US');
};

export function cyclesTable(results: BackendResult[]): string {
  const rows = [
    '| case | cycles | ipcd cycles/s | commission p50 / p99 (ms) | decommission p50 / p99 (ms) | pgbench tps, same run | ratio ipcd / pgbench | CPU ms per cycle: ipcd / PostgreSQL | errors |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---|',
  ];
  for (const r of results) {
    for (const t of r.throughput) {
      const p = t.point;
      const pg = t.pgbench ? `${f(t.pgbench.tps)} (${t.pgbench.clients} cl.)` : '–';
      const ratio = t.pgbench ? f(p.cyclesPerSecond / t.pgbench.tps) : '–';
      const cpu = p.cpuMsPerCycle ? `${f(p.cpuMsPerCycle.ipcd)} / ${f(p.cpuMsPerCycle.postgres)}` : '–';
      rows.push(
        `| ${name(r.backend)}, ${t.case} | ${p.cycles} | ${f(p.cyclesPerSecond)} | ${pp(p.commission)} | ${pp(p.decommission)} | ${pg} | ${ratio} | ${cpu} | ${errorsOf(p.errors)} |`,
      );
    }
  }
  return rows.join('\n');
}

export function slash16Table(results: BackendResult[]): string | undefined {
  const with16 = results.filter((r) => r.slash16);
  if (with16.length === 0) return undefined;
  const rows = [
    '| case | commissions | commissions/s | commission p50 / p99 (ms) | fill insert + vacuum (s) | errors |',
    '|---|---:|---:|---:|---:|---|',
  ];
  for (const r of with16) {
    const s = r.slash16!;
    rows.push(
      `| ${name(r.backend)}, ${s.cidr} with ${s.filled.toLocaleString('en-US')} in use, ${s.clients} clients, CommissionIP only${s.capped ? ' (time cap)' : ''} | ` +
        `${s.commissions} | ${f(s.commissionsPerSecond)} | ${pp(s.latency)} | ${f(s.insertMs / 1000)} + ${f(s.vacuumMs / 1000)} | ${errorsOf(s.errors)} |`,
    );
  }
  return rows.join('\n');
}

export function roundTripTable(results: BackendResult[]): string {
  const rows = [
    '| backend | per CommissionIP: SQL round trips | BEGIN…COMMIT transactions | per DecommissionIP: SQL round trips | BEGIN…COMMIT transactions | calls counted | background (round trips/s, subtracted) |',
    '|---|---:|---:|---:|---:|---:|---:|',
  ];
  for (const r of results) {
    const t = r.roundTrips;
    if (t) {
      rows.push(
        `| ${name(r.backend)} | ${f(t.commission.roundTrips)} | ${f(t.commission.transactions)} | ${f(t.decommission.roundTrips)} | ${f(t.decommission.transactions)} | ${t.n} + ${t.n} | ${f(t.backgroundPerSecond)} |`,
      );
    } else {
      rows.push(`| ${name(r.backend)} | n/a | – | n/a | – | – | – |`);
    }
  }
  return rows.join('\n');
}

/** One row per (backend, family, metric): p50 at the lowest and highest fill level and their ratio. */
export function fillTable(results: BackendResult[]): string {
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
        ['CommissionIP', (p) => p.soapCommission.p50],
        ['DecommissionIP by address', (p) => p.soapDecommission.p50],
        ['DecommissionIP by name', (p) => p.soapDecommissionByName.p50],
        ['DecommissionIP by serverInstance', (p) => p.soapDecommissionByServerInstance.p50],
        ['other network: CommissionIP', (p) => p.otherNetwork.commission.p50],
        ['other network: DecommissionIP by address', (p) => p.otherNetwork.decommission.p50],
      ];
      const same = lo === hi;
      // A single level (the IPv6 point) only shows that commissioning there works, and how fast.
      for (const [metric, get] of same ? metrics.slice(0, 2) : metrics) {
        rows.push(
          `| ${name(r.backend)} | IPv${family} ${lo.cidr} | ${metric} | ${pow10(lo.filled)} | ${f(get(lo))} | ${same ? '–' : pow10(hi.filled)} | ${same ? '–' : f(get(hi))} | ${same ? '–' : f(get(hi) / get(lo))} |`,
        );
      }
    }
  }
  return rows.join('\n');
}

export function fillDetailTable(results: BackendResult[]): string {
  const rows = [
    '| backend | network | filled | fill insert (s) | vacuum (s) | CommissionIP p50/p99 (ms) | DecommissionIP by address p50/p99 (ms) [n] | capped series |',
    '|---|---|---:|---:|---:|---:|---:|---|',
  ];
  for (const r of results) {
    for (const p of r.fill) {
      rows.push(
        `| ${name(r.backend)} | IPv${p.family} ${p.cidr} | ${p.filled.toLocaleString('en-US')} | ${f(p.fill.insertMs / 1000)} | ${f(p.fill.vacuumMs / 1000)} | ` +
          `${pp(p.soapCommission)} | ${pp(p.soapDecommission)} [${p.soapDecommission.count}] | ${p.capped.join(', ') || '–'} |`,
      );
    }
  }
  return rows.join('\n');
}

export function describeRun(c: Config): string {
  return (
    `ipcd runs as its own process (node ${relative(c.ipcdDir, serverEntry(c.ipcdDir))} from ${c.ipcdDir}), workers: ${c.workers ?? process.env.IPCD_WORKERS ?? "the server's default"}; ` +
    `the load comes from this process over HTTP keep-alive, one connection per client, as an orchestrator with a WS-Security UsernameToken ` +
    `(PasswordText${c.wsseNonce ? ' + Nonce + Created, as src/client sends' : ''}). Cycle = CommissionIP(wantName=true) + DecommissionIP(address); ` +
    `${c.cycles !== undefined ? `${c.cycles} cycles` : `${c.seconds} s`} per point after ${c.warmupSeconds} s warm-up. ` +
    `pgbench: \`pgbench -n -c C -j 2 -T ${c.pgbenchSeconds}\`, INSERT … ON CONFLICT DO NOTHING + DELETE (two autocommit transactions), right after each PostgreSQL point. ` +
    `Server, PostgreSQL and client share this machine's cores.`
  );
}

/** Batch commissioning: addresses per second by batch size, against single calls. */
export function batchTable(results: BackendResult[]): string | undefined {
  const rows = results.flatMap((r) => (r.batch ?? []).map((p) => ({ r, p })));
  if (rows.length === 0) return undefined;
  const single = (r: BackendResult) => r.batch?.find((p) => p.size === 'single')?.commissionPerSecond;
  const lines = [
    '| backend | items per call | mode | addresses | commissions/s | × single calls | releases/s | commission call p50 / p99 (ms) | release call p50 / p99 (ms) | errors |',
    '|---|---:|---|---:|---:|---:|---:|---:|---:|---|',
  ];
  for (const { r, p } of rows) {
    const base = single(r);
    lines.push(
      `| ${r.backend} | ${p.size === 'single' ? '1 (CommissionIP)' : p.size} | ${p.size === 'single' ? 'single calls' : p.atomic ? 'atomic' : 'separate'} | ${p.addresses} | ` +
        `${round(p.commissionPerSecond)} | ${base ? round(p.commissionPerSecond / base) : '–'} | ${round(p.releasePerSecond)} | ` +
        `${round(p.commission.p50)} / ${round(p.commission.p99)} | ${round(p.release.p50)} / ${round(p.release.p99)} | ${Object.keys(p.errors).length ? JSON.stringify(p.errors) : 0} |`,
    );
  }
  return lines.join('\n');
}
