/**
 * The package entry (`require('ipcd')`, dist/src/index.js) is the client library alone: loading it
 * in a fresh Node process pulls in nothing of the server (Express, node-soap, TypeORM, pg, PGlite,
 * winston) nor the server's own api/store/cli modules.
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
  expect(exports).toEqual(expect.arrayContaining(['IpcdClient', 'IpcdAdminClient', 'IpcdFaultError', 'IpcdTransportError', 'FAULT_CODES', 'findLeaked']));
  const rel = loaded.map((p) => p.slice(REPO_ROOT.length + 1));
  expect(rel.filter((p) => /node_modules[\\/](express|soap|typeorm|pg|pg-pool|@electric-sql|winston|reflect-metadata)[\\/]/.test(p))).toEqual([]);
  expect(rel.filter((p) => /^dist[\\/]src[\\/](api|store|cli|example|dns)[\\/]|^dist[\\/]src[\\/](main|app)\.js$/.test(p))).toEqual([]);
  expect(rel).toContain(join('dist', 'src', 'client', 'admin-client.js'));
});
