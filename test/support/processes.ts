/**
 * Real ipcd server processes (`node dist/src/server.js`, as `npm start` runs them) for
 * multi-process tests and benchmarks. Each child listens on loopback only, on its own free port,
 * and counts as started once it answers GET /ipcd?wsdl. stop() ends every child (SIGTERM, then
 * SIGKILL) and waits for it.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, relative, resolve } from 'node:path';

export const REPO_ROOT = resolve(__dirname, '..', '..');
/** The production entry that `npm run build` (and `npm test`'s pretest) produces: it runs BUNDLE. */
export const SERVER_ENTRY = join(REPO_ROOT, 'dist', 'src', 'server.js');
/** The bundled server (scripts/bundle.ts), made from tsc's output. */
const BUNDLE = join(REPO_ROOT, 'dist', 'server', 'ipcd.js');

export interface ServerProcess {
  /** http://127.0.0.1:PORT/ipcd */
  url: string;
  /** http://127.0.0.1:PORT */
  base: string;
  port: number;
  pid: number;
  /** The last few kB (StartOptions.outputLimit) the child wrote to stdout and stderr. */
  output(): string;
  /** Resolves when the child has exited (and its output is read), with how it ended. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export interface ServerProcesses {
  servers: ServerProcess[];
  urls: string[];
  /** Ends every child still running; safe to call more than once. */
  stop(): Promise<void>;
}

export interface StartOptions {
  /** Script to run with node; default dist/src/server.js. */
  entry?: string;
  /** How long one child may take to answer ?wsdl; default 30 s. */
  readyTimeoutMs?: number;
  /** How much of the children's output output() keeps; default 8 kB (a test that reads the log keeps more). */
  outputLimit?: number;
}

/** A port nobody listens on right now on 127.0.0.1 (listen on 0, read it, close). */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const s = createServer();
    s.unref();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      s.close(() => (port ? resolvePort(port) : reject(new Error('no port assigned'))));
    });
  });
}

/** Throws a clear error when the compiled entry is missing; returns .ts files newer than their build. */
export function checkBuild(entry = SERVER_ENTRY): string[] {
  for (const f of entry === SERVER_ENTRY ? [entry, BUNDLE] : [entry]) {
    if (!existsSync(f)) {
      throw new Error(
        `${relative(REPO_ROOT, f)} is missing: build first (npm run build, or npm test which runs pretest)`,
      );
    }
  }
  // A source newer than the bundle is stale too: tsc alone does not remake it.
  const bundled = existsSync(BUNDLE) ? statSync(BUNDLE).mtimeMs : 0;
  const stale: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')) {
        const out = join(REPO_ROOT, 'dist', relative(REPO_ROOT, p)).replace(/\.ts$/, '.js');
        const built = existsSync(out) ? Math.min(statSync(out).mtimeMs, bundled) : 0;
        if (built < statSync(p).mtimeMs) stale.push(relative(REPO_ROOT, p));
      }
    }
  };
  for (const d of ['src', 'migrations']) if (existsSync(join(REPO_ROOT, d))) walk(join(REPO_ROOT, d));
  return stale;
}

/** Builds (tsc, then the bundle) when the output is missing or older than its sources: a lone `npx jest FILE` works too. */
export function ensureBuilt(entry = SERVER_ENTRY): void {
  if (existsSync(entry) && existsSync(BUNDLE) && checkBuild(entry).length === 0) return;
  execFileSync(
    process.execPath,
    [join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(REPO_ROOT, 'tsconfig.json')],
    { stdio: 'inherit' },
  );
  execFileSync(process.execPath, [join(REPO_ROOT, 'scripts', 'run-ts.js'), join(REPO_ROOT, 'scripts', 'bundle.ts')], {
    stdio: 'inherit',
  });
}

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a node script to its end (a CLI as a user runs it) and collects its output. */
export function runNode(
  script: string,
  args: string[],
  opts: { env: NodeJS.ProcessEnv; cwd?: string; stdin?: string },
): Promise<Run> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(process.execPath, [script, ...args], { env: opts.env, cwd: opts.cwd ?? REPO_ROOT });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolveRun({ code, stdout, stderr }));
    child.stdin.end(opts.stdin ?? '');
  });
}

const live = new Set<ChildProcess>();
let exitHookInstalled = false;
/** Last resort if the parent dies without stop(): no orphaned servers. */
function installExitHook() {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const c of live) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  });
}

/**
 * Starts n server processes with `env` added to this process's environment (PORT and HOST are
 * set here). Rejects, after stopping what did start, if any child fails to come up.
 */
export async function startServerProcesses(
  n: number,
  env: Record<string, string>,
  opts: StartOptions = {},
): Promise<ServerProcesses> {
  const entry = opts.entry ?? SERVER_ENTRY;
  // Never a stale build: a suite run alone after a source change would test the old code.
  ensureBuilt(entry);
  installExitHook();
  const started: Started[] = [];
  const stop = async () => {
    await Promise.all(started.splice(0).map((s) => s.stop()));
  };
  try {
    const results = await Promise.allSettled(
      Array.from({ length: n }, () => startOne(entry, env, opts.readyTimeoutMs ?? 30_000, opts.outputLimit ?? 8192)),
    );
    for (const r of results) if (r.status === 'fulfilled') started.push(r.value);
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  } catch (e) {
    await stop();
    throw e;
  }
  const servers = started.map((s) => s.server);
  return { servers, urls: servers.map((s) => s.url), stop };
}

interface Started {
  server: ServerProcess;
  stop(): Promise<void>;
}

async function startOne(
  entry: string,
  env: Record<string, string>,
  readyTimeoutMs: number,
  outputLimit: number,
): Promise<Started> {
  // A free port can be taken between the probe and the child's listen: try a few.
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    try {
      return await spawnOn(entry, port, env, readyTimeoutMs, outputLimit);
    } catch (e) {
      if (attempt >= 3 || !/EADDRINUSE/.test(String(e))) throw e;
    }
  }
}

function spawnOn(
  entry: string,
  port: number,
  env: Record<string, string>,
  readyTimeoutMs: number,
  outputLimit: number,
): Promise<Started> {
  const child = spawn(process.execPath, [entry], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  live.add(child);
  let tail = '';
  const keep = (b: Buffer) => {
    tail = (tail + b.toString('utf8')).slice(-outputLimit);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  // 'close': the child has exited and its output is fully read.
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) =>
    child.once('close', (code, signal) => (live.delete(child), r({ code, signal }))),
  );
  const base = `http://127.0.0.1:${port}`;
  const server: ServerProcess = { url: `${base}/ipcd`, base, port, pid: child.pid ?? -1, output: () => tail, exited };

  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  };

  return new Promise<Started>((resolveStarted, reject) => {
    let done = false;
    const fail = async (why: string) => {
      if (done) return;
      done = true;
      await stop();
      reject(new Error(`ipcd process on port ${port} (pid ${child.pid}) ${why}; its output:\n${tail}`));
    };
    child.once('error', (e) => void fail(`could not be spawned: ${e.message}`));
    void exited.then(() => fail(`exited early (code ${child.exitCode}, signal ${child.signalCode})`));
    const deadline = Date.now() + readyTimeoutMs;
    const poll = async () => {
      while (!done) {
        try {
          const res = await fetch(`${base}/ipcd?wsdl`, { signal: AbortSignal.timeout(2000) });
          const text = await res.text();
          if (res.status === 200 && text.includes('definitions')) {
            done = true;
            return resolveStarted({ server, stop });
          }
        } catch {
          // not listening yet
        }
        if (Date.now() > deadline) return fail(`did not answer GET /ipcd?wsdl within ${readyTimeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    void poll();
  });
}
