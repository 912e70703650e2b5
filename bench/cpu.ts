/**
 * CPU time spent per cycle, read from /proc: on a machine other work is using, cycles/s drifts
 * with the load while the CPU one cycle costs the server (and its PostgreSQL backends) barely
 * does, so before/after comparisons read this column first. Linux only; elsewhere undefined.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { sql } from './database';

let tickMs: number | undefined;
function msPerTick(): number {
  if (tickMs === undefined) {
    let hz = 100;
    try {
      hz = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      // getconf missing: Linux's USER_HZ is 100 on every common architecture
    }
    tickMs = 1000 / hz;
  }
  return tickMs;
}

interface Proc {
  ppid: number;
  ticks: number;
}

/** Every process's parent and user+system ticks, or undefined where /proc is not Linux's. */
function processes(): Map<number, Proc> | undefined {
  let names: string[];
  try {
    names = readdirSync('/proc').filter((n) => /^\d+$/.test(n));
  } catch {
    return undefined;
  }
  const out = new Map<number, Proc>();
  for (const n of names) {
    try {
      const stat = readFileSync(`/proc/${n}/stat`, 'utf8');
      // Fields after the command name, which may itself hold spaces and parentheses.
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(Number(n), { ppid: Number(f[1]), ticks: Number(f[11]) + Number(f[12]) });
    } catch {
      // the process ended between the listing and the read
    }
  }
  return out;
}

/** CPU ms of the given processes and all their descendants (ipcd's workers), now. */
function treeCpuMs(roots: number[], all: Map<number, Proc>): number {
  const children = new Map<number, number[]>();
  for (const [pid, p] of all) (children.get(p.ppid) ?? children.set(p.ppid, []).get(p.ppid)!).push(pid);
  let ticks = 0;
  const todo = [...roots];
  const seen = new Set<number>();
  while (todo.length) {
    const pid = todo.pop()!;
    if (seen.has(pid)) continue;
    seen.add(pid);
    ticks += all.get(pid)?.ticks ?? 0;
    todo.push(...(children.get(pid) ?? []));
  }
  return ticks * msPerTick();
}

export interface CpuSample {
  ipcd: number;
  /** The PostgreSQL backends connected to the run's database; absent for the embedded store. */
  postgres?: number;
}

/** A sampler of ipcd's process tree and (given its database URL) its PostgreSQL backends. */
export function cpuSampler(pid: number, databaseUrl?: string): () => Promise<CpuSample | undefined> {
  return async () => {
    const backends = databaseUrl
      ? await sql(databaseUrl, async (c) =>
          (
            await c.query(
              `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`,
            )
          ).rows.map((r: { pid: number }) => r.pid),
        )
      : undefined;
    const all = processes();
    if (!all) return undefined;
    return { ipcd: treeCpuMs([pid], all), postgres: backends && treeCpuMs(backends, all) };
  };
}

/** CPU ms per cycle between two samples. */
export function perCycle(a: CpuSample | undefined, b: CpuSample | undefined, cycles: number): CpuSample | undefined {
  if (!a || !b || cycles === 0) return undefined;
  const postgres =
    a.postgres !== undefined && b.postgres !== undefined ? (b.postgres - a.postgres) / cycles : undefined;
  return { ipcd: (b.ipcd - a.ipcd) / cycles, postgres };
}
