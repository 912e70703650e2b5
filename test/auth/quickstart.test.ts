/**
 * The README's quick start with authentication on, as a reader runs it: a real server process on
 * a brand-new embedded store (example topology, first administrator with a random password in
 * data/ipcd/initial-admin-password), then the README's own shell blocks (A first call, the
 * release, the management service's example; NameOnly, the orchestrator user added with AddUser
 * while the server runs, and `npx ipcd-client` in this checkout) run by bash with curl, unchanged
 * but for the port. The samples' elements are checked against the wire, and a fault's HTTP 500.
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
  servers = await startServerProcesses(
    1,
    { DATABASE_URL: '', IPCD_DATA_DIR: join(dir, 'data', 'ipcd'), IPCD_ADMIN_PASSWORD: '', LOG_LEVEL: 'info' },
    { readyTimeoutMs: 120_000 },
  );
});
afterAll(async () => {
  await servers?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test("the README's first call, release and management call work with authentication on", async () => {
  const port = String(servers.servers[0].port);
  const script = [
    shBlock('### A first call'),
    'echo',
    shBlock('### A first call', 'Release it'),
    'echo',
    shBlock('## The management service', 'With `$HEADER`'),
  ]
    .join('\n')
    .replaceAll('localhost:8080', `127.0.0.1:${port}`);
  const { stdout } = await promisify(execFile)('bash', ['-e', '-c', script], { cwd: dir });
  const [commissioned, released, searched] = stdout.trim().split('\n');
  expect(commissioned).toMatch(
    /<CommissionIPResponse .*<address>10\.0\.0\.2<\/address>.*<fqdn>vm-000001\.dc1\.example\.com<\/fqdn>/,
  );
  expect(released).toMatch(/<releasedCount>1<\/releasedCount>/);
  expect(searched).toMatch(/<SearchNetworksResponse .*<name>dc1-v100-a<\/name>/);
  // The log named the password file and never the password.
  const password = readFileSync(join(dir, 'data', 'ipcd', 'initial-admin-password'), 'utf8').trim();
  expect(servers.servers[0].output()).toContain('initial-admin-password');
  expect(servers.servers[0].output()).not.toContain(password);
});

/** The ```xml block right after `after` (README samples are indented on several lines; the wire has one). */
function xmlBlock(after: string): string {
  const at = README.indexOf(after);
  const start = README.indexOf('```xml\n', at) + '```xml\n'.length;
  return README.slice(start, README.indexOf('\n```', start));
}
const elementNames = (xml: string, wrapper: string) => {
  const inner = xml.slice(xml.indexOf(`<${wrapper} `), xml.indexOf(`</${wrapper}>`));
  return [...inner.matchAll(/<(\w+)>/g)].map((m) => m[1]);
};
const scriptEnv = () => {
  const env = { ...process.env };
  for (const k of Object.keys(env)) if (k.startsWith('IPCD_') || k === 'NODE_OPTIONS') delete env[k];
  return env;
};

test("NameOnly, a fault's HTTP 500, an orchestrator user added while the server runs, and npx ipcd-client as it", async () => {
  const port = String(servers.servers[0].port);
  const local = (script: string) => script.replaceAll('localhost:8080', `127.0.0.1:${port}`);
  const run = promisify(execFile);
  const header = shBlock('### A first call').split('\n\ncurl')[0];
  // The samples show every element the wire has, in its order: the first call's answer, then NameOnly's.
  // vm-42's allocation was released by the first test: this makes it again, at 10.0.0.2.
  const again = (await run('bash', ['-e', '-c', local(shBlock('### A first call'))], { cwd: dir })).stdout;
  expect(again).toContain('<address>10.0.0.2</address>');
  expect(elementNames(xmlBlock('### A first call'), 'CommissionIPResponse')).toEqual(
    elementNames(again, 'CommissionIPResponse'),
  );
  const named = (
    await run(
      'bash',
      ['-e', '-c', local([header, shBlock('### A first call', 'A name without an address')].join('\n'))],
      { cwd: dir },
    )
  ).stdout;
  expect(named).toMatch(/<NameOnlyResponse .*<fqdn>vm-\d{6}\.dc1\.example\.com<\/fqdn><existing>false<\/existing>/);
  expect(elementNames(xmlBlock('A name without an address'), 'NameOnlyResponse')).toEqual(
    elementNames(named, 'NameOnlyResponse'),
  );

  // The fault sample: the first call without its dataCenter, as curl reports it.
  const ambiguous = local(shBlock('### A first call'))
    .replace('<ipcd:dataCenter>dc1</ipcd:dataCenter>', '')
    .replace('curl -s ', `curl -s -w '\\nHTTP %{http_code}\\n' `);
  const fault = (await run('bash', ['-e', '-c', ambiguous], { cwd: dir })).stdout;
  expect(fault).toContain('<ipcd:code>AMBIGUOUS_VLAN</ipcd:code>');
  expect(fault).toMatch(/\nHTTP 500\n/);

  // AddUser while the embedded server runs, then the README's ipcd-client lines in this checkout.
  const added = (
    await run('bash', ['-e', '-c', local([header, shBlock('### An orchestrator user')].join('\n'))], { cwd: dir })
  ).stdout;
  expect(added).toMatch(/<AddUserResponse .*<username>orch<\/username><role>orchestrator<\/role>/);
  const client = (
    await run('bash', ['-e', '-c', local(shBlock('### An orchestrator user', 'npx ipcd-client` in this checkout'))], {
      cwd: REPO_ROOT,
      env: scriptEnv(),
    })
  ).stdout;
  expect(client).toMatch(/^address\s+10\.0\.0\.3$/m);
  const rows = client.split('\n').filter((l) => /^dc1\s/.test(l));
  expect(rows.map((l) => l.split(/\s+/)[2])).toEqual(['vm-42', 'vm-44', 'vm-43']);
});
