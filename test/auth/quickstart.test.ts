/**
 * The README's quick start with authentication on, as a reader runs it: a real server process on
 * a brand-new embedded store (example topology, first administrator with a random password in
 * data/ipcd/initial-admin-password), then the README's own shell blocks (A first call, the
 * release, the management service's example) run by bash with curl, unchanged but for the port.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ensureBuilt, REPO_ROOT, startServerProcesses, type ServerProcesses } from '../support/processes';

jest.setTimeout(180_000);

const README = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');

/** The first ```sh block after `heading` (and after `after`, when given). */
function shBlock(heading: string, after?: string): string {
  let at = README.indexOf(heading);
  if (at < 0) throw new Error(`README has no '${heading}'`);
  if (after) at = README.indexOf(after, at);
  const start = README.indexOf('```sh\n', at) + '```sh\n'.length;
  return README.slice(start, README.indexOf('\n```', start));
}

let dir: string;
let servers: ServerProcesses;

beforeAll(async () => {
  ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), 'ipcd-quickstart-'));
  servers = await startServerProcesses(1, { DATABASE_URL: '', IPCD_DATA_DIR: join(dir, 'data', 'ipcd'), IPCD_ADMIN_PASSWORD: '', LOG_LEVEL: 'info' }, { readyTimeoutMs: 120_000 });
});
afterAll(async () => {
  await servers?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test("the README's first call, release and management call work with authentication on", async () => {
  const port = String(servers.servers[0].port);
  const script = [shBlock('### A first call'), 'echo', shBlock('### A first call', 'Release it'), 'echo', shBlock('## The management service', 'With `$HEADER`')]
    .join('\n')
    .replaceAll('localhost:8080', `127.0.0.1:${port}`);
  const { stdout } = await promisify(execFile)('bash', ['-e', '-c', script], { cwd: dir });
  const [commissioned, released, searched] = stdout.trim().split('\n');
  expect(commissioned).toMatch(/<CommissionIPResponse .*<address>10\.0\.0\.2<\/address>.*<fqdn>vm-000001\.dc1\.example\.com<\/fqdn>/);
  expect(released).toMatch(/<releasedCount>1<\/releasedCount>/);
  expect(searched).toMatch(/<SearchNetworksResponse .*<name>dc1-v100-a<\/name>/);
  // The log named the password file and never the password.
  const password = readFileSync(join(dir, 'data', 'ipcd', 'initial-admin-password'), 'utf8').trim();
  expect(servers.servers[0].output()).toContain('initial-admin-password');
  expect(servers.servers[0].output()).not.toContain(password);
});
