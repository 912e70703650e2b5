/**
 * Interop: python-zeep drives CommissionIPBatch / DecommissionIPBatch from the served WSDL alone
 * (test/interop/zeep_batch.py), on both stores: typed per-item results (the single response or
 * tns:IpcdFault), a retried batch, an atomic refusal; then the database is the judge.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { loadExampleTopology } from '../../src/example/topology';
import { BACKENDS, openTestStore, type TestStore } from '../support/backends';
import { startServer, type RunningServer } from '../support/server';

/** Debian's interpreter, which has python3-zeep. */
const PYTHON = '/usr/bin/python3';
const SCRIPT = join(__dirname, 'zeep_batch.py');

function runScript(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, PYTHONDONTWRITEBYTECODE: '1' };
  delete env.PYTHONPATH;
  delete env.PYTHONHOME;
  return new Promise((resolve) => {
    execFile(PYTHON, [SCRIPT, ...args], { env, timeout: 120_000, maxBuffer: 4 << 20 }, (err, stdout, stderr) => {
      resolve({
        code: err ? (typeof err.code === 'number' ? err.code : -1) : 0,
        stdout: String(stdout),
        stderr: String(stderr),
      });
    });
  });
}

describe.each(BACKENDS)('python-zeep batch calls on the %s store', (kind) => {
  let ts: TestStore;
  let server: RunningServer;
  let report: {
    ok: boolean;
    mismatches: string[];
    first: { result: { item: number; CommissionIPResponse: Record<string, unknown> | null }[] };
  };
  let exit: { code: number; stdout: string; stderr: string };

  beforeAll(async () => {
    ts = await openTestStore(kind);
    await loadExampleTopology(ts.store);
    server = await startServer(ts.store);
    exit = await runScript([
      `${server.url}?wsdl`,
      '--data-center',
      'dc1',
      '--vlan',
      '100',
      '--unknown-vlan',
      '999',
      '--instance',
      `zb-${kind}`,
    ]);
    try {
      report = JSON.parse(exit.stdout);
    } catch {
      throw new Error(`zeep_batch.py printed no JSON (exit ${exit.code}):\n${exit.stdout}\n${exit.stderr}`);
    }
  }, 180_000);
  afterAll(async () => {
    await server?.close();
    await ts?.dispose();
  });

  test('zeep typed every result and found what the contract promises', () => {
    expect(report.mismatches).toEqual([]);
    expect(exit.code).toBe(0);
    expect(report.first.result[0].CommissionIPResponse).toMatchObject({
      network: 'dc1-v100-a',
      dataCenter: 'dc1',
      vlan: 100,
      prefixLength: 24,
      existing: false,
    });
  });

  test('the database holds the two allocations, both released; the refused and rolled-back items left none', async () => {
    const rows: { server_instance: string; released: boolean }[] = await ts.store.dataSource.query(
      `SELECT server_instance, released_at IS NOT NULL AS released FROM allocation WHERE server_instance LIKE 'zb-%' ORDER BY server_instance`,
    );
    expect(rows).toEqual([
      { server_instance: `zb-${kind}-1`, released: true },
      { server_instance: `zb-${kind}-2`, released: true },
    ]);
  });
});
