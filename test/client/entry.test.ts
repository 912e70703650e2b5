/**
 * The package entry (`require('ipcd')`, dist/src/index.js) is the client library alone: loading it
 * in a fresh Node process pulls in nothing of the server (Express, node-soap, TypeORM, pg, PGlite,
 * winston, prom-client, …) nor the server's own modules: only the XML parser and the client.
 */
import { join } from 'node:path';
import { ensureBuilt, REPO_ROOT, runNode } from '../support/processes';

const ENTRY = join(REPO_ROOT, 'dist', 'src', 'index.js');

test('the package entry loads the clients and no server module', async () => {
  ensureBuilt(ENTRY);
  const script = `const m = require(${JSON.stringify(ENTRY)}); console.log(JSON.stringify({ exports: Object.keys(m), loaded: Object.keys(require.cache) }));`;
  const run = await runNode('-e', [script], { env: { PATH: process.env.PATH ?? '' } });
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  const { exports, loaded } = JSON.parse(run.stdout) as { exports: string[]; loaded: string[] };
  expect(exports).toEqual(
    expect.arrayContaining([
      'IpcdClient',
      'IpcdAdminClient',
      'IpcdFaultError',
      'IpcdTransportError',
      'FAULT_CODES',
      'findLeaked',
    ]),
  );
  const rel = loaded.map((p) => p.slice(REPO_ROOT.length + 1));
  // An allowlist, so a server dependency added later is caught too: saxes (and its xmlchars) only.
  const packages = new Set(
    rel.map((p) => /^node_modules[\\/]((?:@[^\\/]+[\\/])?[^\\/]+)/.exec(p)?.[1]).filter((x) => x !== undefined),
  );
  expect([...packages].sort()).toEqual(['saxes', 'xmlchars']);
  // Of ipcd's own modules: the client and the contract (generated from the WSDLs, and backoff.ts); nothing of the logic.
  expect(
    rel.filter((p) => p.startsWith('dist') && !/^dist[\\/]src[\\/](index\.js$|client[\\/]|contract[\\/])/.test(p)),
  ).toEqual([]);
  expect(rel).toContain(join('dist', 'src', 'contract', 'generated', 'management.js'));
  expect(rel).toContain(join('dist', 'src', 'contract', 'backoff.js'));
  expect(rel).toContain(join('dist', 'src', 'client', 'admin-client.js'));
});
