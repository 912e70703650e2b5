/**
 * `ipcd export` → `ipcd import` into a fresh store → `ipcd export` gives the same document, on
 * both stores and across them, run as the CLI a user runs. The source holds one of everything
 * persistent: topology with tags, reservations, a hold-down with a held address, an alert
 * threshold and state with its event, allocations (active, released, name-only), users with
 * grants and hashes, zone and reverse-zone DNS settings with an outbox row, and the audit log.
 */
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDatabase } from '../support/backends';
import { ensureBuilt, REPO_ROOT, runNode } from '../support/processes';
import { openStore } from '../../src/store/open';
import type { TypeormStore } from '../../src/store/typeorm-store';
import { loadFlowTopology } from '../support/topology';
import { addNetwork } from '../../src/logic/topology/topology';
import { tagNetwork } from '../../src/logic/topology/networks';
import { reserveRange } from '../../src/logic/topology/reservations';
import { addUser } from '../../src/logic/access/users';
import { commission, nameOnly } from '../../src/logic/allocation/commission';
import { decommission } from '../../src/logic/allocation/decommission';
import { evaluateAlert, setAlertThreshold } from '../../src/logic/alerts/alerts';
import { EXPORTED_TABLES, NOT_EXPORTED } from '../../src/logic/maintenance/export';
import { setZoneDns } from '../../src/logic/dns/dns-config';

const CLI = join(REPO_ROOT, 'dist', 'src', 'cli', 'main.js');
const dir = mkdtempSync(join(tmpdir(), 'ipcd-export-'));

/** A store a CLI process can open: a PostgreSQL database, or an embedded data directory. */
interface Place {
  env: Record<string, string>;
  open(): Promise<TypeormStore>;
  drop(): Promise<void>;
}

async function place(kind: 'embedded' | 'postgres', name: string): Promise<Place> {
  if (kind === 'postgres') {
    const db = await createDatabase();
    return {
      env: { DATABASE_URL: db.url },
      open: async () => (await openStore({ databaseUrl: db.url, poolSize: 2 })).store,
      drop: db.drop,
    };
  }
  const dataDir = join(dir, name);
  return {
    env: { IPCD_DATA_DIR: dataDir },
    open: async () => (await openStore({ dataDir })).store,
    drop: async () => rmSync(dataDir, { recursive: true, force: true }),
  };
}

async function populate(store: TypeormStore): Promise<void> {
  await loadFlowTopology(store);
  // DNS publication settings first, so that commissions queue their record changes in the outbox.
  const dns = {
    server: '127.0.0.1:5353',
    key: 'c2VjcmV0c2VjcmV0c2VjcmV0',
    keyName: 'ipcd-key',
    algorithm: 'hmac-sha256',
  };
  await setZoneDns(store, 'dc1.test', { ...dns, ttl: 60 });
  await setZoneDns(store, '10.1.0.0/16', dns);
  await addNetwork(store, {
    name: 'held',
    cidr: '10.8.0.0/29',
    dataCenter: 'dc1',
    vlan: 80,
    zone: 'dc1.test',
    holdDownSeconds: 3600,
  });
  await tagNetwork(store, 'held', { env: 'prod', 'owner.team': 'net ops' }, []);
  await reserveRange(store, 'v30', { first: '10.3.0.5', last: '10.3.0.6', note: 'appliances' });
  await setAlertThreshold(store, 'held', 20);
  const c = (vlan: number, serverInstance: string, extra: object = {}) =>
    commission(store, {
      dataCenter: 'dc1',
      vlan,
      serverInstance,
      wantAddress: true,
      wantName: true,
      family: 4,
      ...extra,
    });
  await c(10, 'vm-a');
  await c(10, 'vm-b', { family: 6, hostnameHint: 'web-1' });
  await c(80, 'vm-h1');
  await c(80, 'vm-h2');
  await nameOnly(store, { dataCenter: 'dc1', vlan: 10, serverInstance: 'vm-n' });
  await decommission(store, {
    dataCenter: 'dc1',
    vlan: 80,
    serverInstance: 'vm-h1',
    releaseAddress: true,
    releaseName: true,
    reason: 'MIGRATED',
  });
  await c(30, 'vm-30', { wantName: false });
  const held = (await store.transaction((tx) => tx.topology.networkByName('held')))!;
  await evaluateAlert(store, held.id, { defaultThresholdPercent: 90, hysteresisPercent: 5, webhook: true });
  await addUser(store, {
    username: 'orch',
    password: 'orch-secret-1',
    role: 'orchestrator',
    grants: [{ dataCenter: 'dc1' }, { tenant: 't1' }],
  });
  await addUser(store, { username: 'viewer', password: 'viewer-secret-1', role: 'tenant', tenant: 't1' });
}

const ipcd = (p: Place, ...args: string[]) =>
  runNode(CLI, args, { env: { ...process.env, LOG_LEVEL: 'silent', ...p.env } });

describe('export and import (CLI, both stores)', () => {
  const places: Place[] = [];
  const fresh = async (kind: 'embedded' | 'postgres', name: string) => {
    const p = await place(kind, name);
    places.push(p);
    return p;
  };
  const exportOf = async (p: Place, file: string) => {
    const r = await ipcd(p, 'export', '--output', join(dir, file));
    expect(r).toMatchObject({ code: 0 });
    return readFileSync(join(dir, file), 'utf8');
  };
  const importInto = (p: Place, file: string, ...flags: string[]) => ipcd(p, 'import', join(dir, file), ...flags);

  beforeAll(() => ensureBuilt());
  afterAll(async () => {
    for (const p of places) await p.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('every stored table is exported or left out for a stated reason', async () => {
    const p = await fresh('postgres', 'tables');
    const s = await p.open();
    const tables: { t: string }[] = await s.dataSource.query(
      `SELECT tablename AS t FROM pg_tables WHERE schemaname = current_schema() ORDER BY 1`,
    );
    await s.close();
    const covered = new Set<string>([...EXPORTED_TABLES, ...Object.keys(NOT_EXPORTED)]);
    expect(tables.map((r) => r.t).filter((t) => !covered.has(t))).toEqual([]);
  });

  for (const kind of ['postgres', 'embedded'] as const) {
    test(`${kind}: export → import into a fresh store → export gives the same document`, async () => {
      const source = await fresh(kind, `${kind}-a`);
      const a = await source.open();
      await populate(a);
      const lowestFree: unknown[] = await a.dataSource.query(
        `SELECT network_id, host(min(first_addr)) AS a FROM free_range GROUP BY 1 ORDER BY 1`,
      );
      await a.close();

      const first = await exportOf(source, `${kind}-1.json`);
      expect(statSync(join(dir, `${kind}-1.json`)).mode & 0o777).toBe(0o600);
      const doc = JSON.parse(first);
      expect(doc.formatVersion).toBe(1);
      for (const t of EXPORTED_TABLES) expect(doc.tables[t].length).toBeGreaterThan(0);

      const target = await fresh(kind, `${kind}-b`);
      const imported = await importInto(target, `${kind}-1.json`);
      expect(imported.stderr).not.toMatch(/^ipcd: (?!created a new embedded store)/m);
      expect(imported.code).toBe(0);
      expect(imported.stdout).toMatch(/^imported data_center 2, tenant 2, zone 2, reverse_zone 1, network 9, /);
      expect(await exportOf(target, `${kind}-2.json`)).toBe(first);

      // The restored allocator hands out what the source would have: free ranges rebuilt.
      const b = await target.open();
      try {
        expect(
          await b.dataSource.query(
            `SELECT network_id, host(min(first_addr)) AS a FROM free_range GROUP BY 1 ORDER BY 1`,
          ),
        ).toEqual(lowestFree);
        const next = await commission(b, {
          dataCenter: 'dc1',
          vlan: 80,
          serverInstance: 'vm-h3',
          wantAddress: true,
          wantName: false,
          family: 4,
        });
        expect(next.address).toBe('10.8.0.4'); // .2 and .3 issued to vm-h1 (held down) and vm-h2
        const [ids] = await b.dataSource.query(`SELECT max(id)::int AS a FROM audit_log`);
        await addUser(b, { username: 'late', password: 'late-secret-1', role: 'admin' });
        const [after] = await b.dataSource.query(`SELECT max(id)::int AS a FROM audit_log`);
        expect(after.a).toBeGreaterThan(ids.a); // identity sequences moved past the restored ids
      } finally {
        await b.close();
      }
    }, 120_000);
  }

  test('a postgres export restores into the embedded store and exports the same there', async () => {
    const target = await fresh('embedded', 'cross');
    expect(await importInto(target, 'postgres-1.json')).toMatchObject({ code: 0 });
    expect(await exportOf(target, 'cross.json')).toBe(readFileSync(join(dir, 'postgres-1.json'), 'utf8'));
  }, 60_000);

  test('a non-empty store is refused unchanged; --force replaces everything in it', async () => {
    const target = places.find((p) => p.env.IPCD_DATA_DIR?.endsWith('cross'))!;
    const other = await fresh('postgres', 'other');
    const o = await other.open();
    await loadFlowTopology(o);
    await o.close();
    const otherDoc = await exportOf(other, 'other.json');

    const refused = await importInto(target, 'other.json');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(
      /^ipcd: CONFLICT: the store is not empty \(data_center, tenant, zone, .*\): import into an empty store, or use --force/,
    );
    expect(await exportOf(target, 'unchanged.json')).toBe(readFileSync(join(dir, 'postgres-1.json'), 'utf8'));

    const forced = await importInto(target, 'other.json', '--force');
    expect(forced).toMatchObject({ code: 0 });
    expect(forced.stdout).toMatch(/\(replacing what the store held\)\n$/);
    expect(await exportOf(target, 'forced.json')).toBe(otherDoc);
  }, 60_000);

  test('documents it cannot read are refused before anything is written', async () => {
    const target = await fresh('postgres', 'bad');
    const doc = JSON.parse(readFileSync(join(dir, 'postgres-1.json'), 'utf8'));
    const bad = (name: string, content: string) => (writeFileSync(join(dir, name), content), name);
    const cases: [string, RegExp][] = [
      [
        bad('v2.json', JSON.stringify({ ...doc, formatVersion: 2 })),
        /INVALID_REQUEST: the import file has formatVersion 2; this ipcd reads formatVersion 1/,
      ],
      [
        bad('schema.json', JSON.stringify({ ...doc, schema: 'Future9999999999999' })),
        /INVALID_REQUEST: the import file was written with schema Future9999999999999/,
      ],
      [
        bad(
          'column.json',
          JSON.stringify({ ...doc, tables: { ...doc.tables, tenant: [{ ...doc.tables.tenant[0], colour: 'red' }] } }),
        ),
        /INVALID_REQUEST: the import file's table tenant has columns this store lacks: colour/,
      ],
      [
        bad('table.json', JSON.stringify({ ...doc, tables: { ...doc.tables, ws_nonce: [] } })),
        /INVALID_REQUEST: the import file has tables this ipcd does not import: ws_nonce/,
      ],
      [bad('text.json', 'not json'), /INVALID_REQUEST: the import file is not JSON/],
    ];
    for (const [file, message] of cases) {
      const r = await importInto(target, file);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(message);
    }
    const s = await target.open();
    expect(await s.dataSource.query(`SELECT count(*)::int AS n FROM data_center`)).toEqual([{ n: 0 }]);
    await s.close();
  }, 60_000);
});
