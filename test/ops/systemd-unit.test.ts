/**
 * The shipped systemd unit (deploy/ipcd.service): systemd-analyze verify accepts it without a
 * warning, it configures only variables the code reads, it waits longer than the shutdown grace
 * period, and its ExecStart, run as written (from this checkout instead of /opt/ipcd), serves and
 * stops cleanly on SIGTERM, the signal systemd sends.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ensureBuilt, freePort, REPO_ROOT } from '../support/processes';

const UNIT = join(REPO_ROOT, 'deploy', 'ipcd.service');
const INSTALL_DIR = '/opt/ipcd';
const text = readFileSync(UNIT, 'utf8');

/** Every value of `key` in the unit (keys may repeat). */
const values = (key: string) => [...text.matchAll(new RegExp(`^${key}=(.*)$`, 'gm'))].map((m) => m[1].trim());

test('systemd-analyze verify accepts the unit without a word', async () => {
  const r = await promisify(execFile)('systemd-analyze', ['verify', UNIT]).catch(
    (e: { code: number; stderr: string }) => e,
  );
  expect({ code: (r as { code?: number }).code ?? 0, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
});

test('the unit sets only variables ipcd reads, and outwaits its shutdown grace period', () => {
  const config = readFileSync(join(REPO_ROOT, 'src', 'config.ts'), 'utf8');
  const names = values('Environment').flatMap((v) => v.split(/\s+/).map((kv) => kv.split('=')[0]));
  expect(names.length).toBeGreaterThan(0);
  for (const n of names.filter((x) => x !== 'NODE_ENV')) expect(config).toMatch(new RegExp(`\\b${n}\\b`));
  expect(Number(values('TimeoutStopSec')[0])).toBeGreaterThan(30); // IPCD_SHUTDOWN_GRACE_SECONDS' default
  expect(values('KillSignal')).toEqual(['SIGTERM']);
});

test('ExecStart as written serves, and SIGTERM stops it with status 0', async () => {
  ensureBuilt();
  const [exec] = values('ExecStart');
  const argv = exec.split(/\s+/).map((a) => a.replace(INSTALL_DIR, REPO_ROOT));
  const env = Object.fromEntries(
    values('Environment').flatMap((v) => v.split(/\s+/).map((kv) => kv.split('=') as [string, string])),
  );
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'ipcd-unit-'));
  const child = spawn(argv[0], argv.slice(1), {
    cwd: REPO_ROOT,
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      ...env,
      PORT: String(port),
      HOST: '127.0.0.1',
      IPCD_DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  try {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const ok = await fetch(`http://127.0.0.1:${port}/readyz`).then(
        (r) => r.status === 200,
        () => false,
      );
      if (ok) break;
      if (Date.now() > deadline || child.exitCode !== null)
        throw new Error(`ExecStart did not become ready: ${stderr}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  }
}, 45_000);
