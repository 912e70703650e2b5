/** `ipcd network alert`: the threshold column as the CLI sets it, checked against the database. */
import { runNode, REPO_ROOT, ensureBuilt } from '../support/processes';
import { openTestStore, type TestStore } from '../support/backends';
import { addDataCenter, addNetwork } from '../../src/logic/topology/topology';
import { join } from 'node:path';

const CLI = join(REPO_ROOT, 'dist', 'src', 'cli', 'main.js');

describe('ipcd network alert (postgres)', () => {
  let db: TestStore;
  beforeAll(async () => {
    ensureBuilt();
    db = await openTestStore('postgres');
    await addDataCenter(db.store, 'dc1');
    await addNetwork(db.store, { name: 'n1', cidr: '10.0.0.0/24', dataCenter: 'dc1', vlan: 5 });
  });
  afterAll(() => db?.dispose());

  const ipcd = (...args: string[]) =>
    runNode(CLI, args, { env: { ...process.env, DATABASE_URL: db.url!, LOG_LEVEL: 'silent' } });
  const threshold = async () =>
    (await db.store.dataSource.query(`SELECT alert_threshold_percent::float8 AS t FROM network WHERE name = 'n1'`))[0]
      .t;

  test('sets a threshold, then returns the network to the default; each change is audited', async () => {
    expect(await ipcd('network', 'alert', 'n1', '--threshold', '75.5')).toMatchObject({
      code: 0,
      stdout: 'network n1 alerts at 75.5% used\n',
    });
    expect(await threshold()).toBe(75.5);
    expect(await ipcd('network', 'alert', 'n1', '--default')).toMatchObject({
      code: 0,
      stdout: 'network n1 follows the default alert threshold\n',
    });
    expect(await threshold()).toBeNull();
    const audit = await db.store.dataSource.query(
      `SELECT before, after FROM audit_log WHERE operation = 'SetAlertThreshold' ORDER BY id`,
    );
    expect(audit).toEqual([
      { before: { alertThresholdPercent: null }, after: { alertThresholdPercent: 75.5 } },
      { before: { alertThresholdPercent: 75.5 }, after: { alertThresholdPercent: null } },
    ]);
  });

  test('refuses a threshold out of range and an unknown network, changing nothing', async () => {
    const r = await ipcd('network', 'alert', 'n1', '--threshold', '0');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^ipcd: INVALID_REQUEST: an alert threshold is a percentage above 0 and at most 100/);
    expect((await ipcd('network', 'alert', 'nope', '--threshold', '50')).stderr).toMatch(
      /^ipcd: NOT_FOUND: network 'nope'/,
    );
    expect((await ipcd('network', 'alert', 'n1')).code).toBe(64);
    expect((await ipcd('network', 'alert', 'n1', '--threshold', '50', '--default')).code).toBe(64);
    expect(await threshold()).toBeNull();
  });
});
