/**
 * ipcd as shipped, as a child process (`node dist/src/server.js`), configured only by environment
 * (src/config.ts): PORT and HOST (loopback), DATABASE_URL for PostgreSQL or, unset, the embedded
 * store in IPCD_DATA_DIR, IPCD_EXAMPLE_TOPOLOGY=false, the first administrator from
 * IPCD_ADMIN_USER/IPCD_ADMIN_PASSWORD. Every other IPCD_* variable of the bench's environment
 * reaches the child unchanged; BENCH_WORKERS, when set, becomes IPCD_WORKERS. Its log (one JSON
 * line per request, as shipped) goes to a file, not through this process.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { onCleanup } from './cleanup';

export const ADMIN_USER = 'bench-admin';

export interface ServerSpec {
  /** Directory holding the built ipcd (dist/src/server.js, or main.js in older builds). */
  ipcdDir: string;
  /** PostgreSQL; undefined: the embedded store in dataDir. */
  databaseUrl?: string;
  dataDir: string;
  adminPassword: string;
  logFile: string;
  /** IPCD_WORKERS for the child, when set. */
  workers?: string;
}

export interface RunningServer {
  base: string;
  /** http://127.0.0.1:PORT/ipcd */
  url: string;
  adminUrl: string;
  pid: number;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      s.close(() => (port ? resolve(port) : reject(new Error('no port assigned'))));
    });
  });
}

export function serverEnv(spec: ServerSpec, port: number): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: String(port),
    HOST: '127.0.0.1',
    IPCD_DATA_DIR: spec.dataDir,
    IPCD_EXAMPLE_TOPOLOGY: 'false',
    IPCD_ADMIN_USER: ADMIN_USER,
    IPCD_ADMIN_PASSWORD: spec.adminPassword,
  };
  if (spec.databaseUrl) env.DATABASE_URL = spec.databaseUrl;
  else delete env.DATABASE_URL;
  if (spec.workers) env.IPCD_WORKERS = spec.workers;
  return env;
}

/** Last resort if this process exits without cleanup (a crash): no orphaned servers. */
const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const c of live) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

const tail = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8').slice(-4000) : '');

/** The production entry (the bundle with its code cache); builds from before it have only main.js. */
export function serverEntry(ipcdDir: string): string {
  const bundled = join(ipcdDir, 'dist', 'src', 'server.js');
  return existsSync(bundled) ? bundled : join(ipcdDir, 'dist', 'src', 'main.js');
}

/** Starts the server and resolves once GET /readyz answers 200 (database reachable, schema current). */
export async function startServer(spec: ServerSpec, readyTimeoutMs = 90_000): Promise<RunningServer> {
  const entry = serverEntry(spec.ipcdDir);
  if (!existsSync(entry)) throw new Error(`${entry} is missing: build ipcd first (npm run build)`);
  const port = await freePort();
  const out = openSync(spec.logFile, 'a');
  // BENCH_NODE_ARGS: extra node flags for the server (e.g. --cpu-prof --cpu-prof-dir=DIR to profile it).
  const nodeArgs = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, entry], {
    cwd: spec.ipcdDir,
    env: serverEnv(spec, port),
    stdio: ['ignore', out, out],
  });
  closeSync(out);
  live.add(child);
  const exited = new Promise<void>((resolve) => child.once('exit', () => (live.delete(child), resolve())));
  const running = () => child.exitCode === null && child.signalCode === null;
  // SIGTERM is ipcd's graceful stop; SIGKILL if it takes longer than 15 s.
  const stop = onCleanup(`stop ipcd pid ${child.pid}`, async () => {
    if (!running()) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
  });
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + readyTimeoutMs;
  for (;;) {
    if (!running()) {
      await stop();
      throw new Error(
        `ipcd (pid ${child.pid}) exited during start-up (code ${child.exitCode}, signal ${child.signalCode}); log ${spec.logFile}:\n${tail(spec.logFile)}`,
      );
    }
    try {
      const res = await fetch(`${base}/readyz`, { signal: AbortSignal.timeout(3000) });
      await res.text();
      if (res.status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(
        `ipcd (pid ${child.pid}) was not ready within ${readyTimeoutMs / 1000} s; log ${spec.logFile}:\n${tail(spec.logFile)}`,
      );
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { base, url: `${base}/ipcd`, adminUrl: `${base}/ipcd-admin`, pid: child.pid ?? -1, stop };
}
