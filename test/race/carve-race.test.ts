/**
 * Carving under concurrency across three real ipcd processes on one PostgreSQL database: 40 SOAP
 * clients carve /26s out of one /22 (each on its own VLAN, so only the container's lock keeps them
 * apart, not the per-VLAN exclusion constraint) until NO_FREE_PREFIX; the carved networks never
 * overlap, each other or the one added by hand, and together tile the container. Then clients
 * racing with one idempotency key all get the same network, carved once. Then carvers race
 * clients adding networks by hand (AddNetwork, each on its own VLAN) into one container: the
 * hand-added networks take the container's lock too, so no two networks inside it overlap.
 *
 * Needs the compiled server (dist/src/server.js; `npm test` builds it in pretest).
 */
import { Client } from 'pg';
import { addUser } from '../../src/logic/access/users';
import { addContainer } from '../../src/logic/topology/containers';
import { addDataCenter, addNetwork } from '../../src/logic/topology/topology';
import { openStore } from '../../src/store/open';
import { createDatabase } from '../support/backends';
import { checkBuild, startServerProcesses, type ServerProcesses } from '../support/processes';
import { adminCall, all, flat, type Fields, type SoapReply } from '../support/soap';
import { withTimeout } from '../support/commission-load';

const PROCESSES = 3;
const CLIENTS = 40;
const ADMIN = { username: 'carver', password: 'carve-race-password-1' };
const CALL_TIMEOUT_MS = 20_000;

describe(`carving races across ${PROCESSES} ipcd processes on one PostgreSQL database`, () => {
  let db: Awaited<ReturnType<typeof createDatabase>> | undefined;
  let procs: ServerProcesses | undefined;
  let pg: Client | undefined;
  let urls: string[] = [];
  let turn = 0;

  const soap = async (operation: string, fields: Fields): Promise<SoapReply> => {
    const url = urls[turn++ % urls.length].replace(/\/ipcd$/, '/ipcd-admin');
    return withTimeout(adminCall(url, operation, fields, ADMIN), CALL_TIMEOUT_MS, `${operation} to ${url}`);
  };

  beforeAll(async () => {
    const stale = checkBuild();
    if (stale.length) console.warn(`dist may be stale (older than ${stale.slice(0, 3).join(', ')}): run npm run build`);
    db = await createDatabase();
    const { store } = await openStore({ databaseUrl: db.url, poolSize: 2 });
    try {
      await addDataCenter(store, 'dc1');
      await addContainer(store, { name: 'race4', cidr: '10.100.0.0/22', dataCenter: 'dc1' });
      await addContainer(store, { name: 'race6', cidr: '2001:db8:100::/48', dataCenter: 'dc1' });
      await addContainer(store, { name: 'mixed', cidr: '10.101.0.0/22', dataCenter: 'dc1' });
      // Added by hand, mid-container: carvers must go around it.
      await addNetwork(store, { name: 'hand', cidr: '10.100.1.64/26', dataCenter: 'dc1', vlan: 9 });
      await addUser(store, { ...ADMIN, role: 'admin' });
    } finally {
      await store.close();
    }
    procs = await startServerProcesses(PROCESSES, { DATABASE_URL: db.url, LOG_LEVEL: 'warn', IPCD_DB_POOL: '5' });
    urls = procs.urls;
    pg = new Client({ connectionString: db.url });
    await pg.connect();
  }, 60_000);

  afterAll(async () => {
    await procs?.stop();
    await pg?.end().catch(() => undefined);
    await db?.drop();
  }, 20_000);

  test(`${CLIENTS} clients carve /26s out of one /22 until NO_FREE_PREFIX: no overlap, the container tiled`, async () => {
    const carved: { cidr: string; name: string; key: string }[] = [];
    const faults: string[] = [];
    const errors: string[] = [];
    const started = performance.now();
    await Promise.all(
      Array.from({ length: CLIENTS }, async (_, c) => {
        for (let i = 0; i < 20; i++) {
          const key = `c${c}-${i}`;
          let r: SoapReply;
          try {
            r = await soap('AllocateNetwork', {
              container: 'race4',
              prefixLength: 26,
              name: `net-${key}`,
              vlan: 100 + c,
              idempotencyKey: key,
            });
          } catch (e) {
            return void errors.push(`client ${c}: ${String(e)}`);
          }
          if (r.fault) return void faults.push(r.fault.code);
          const n = flat(all(r.body, 'network')[0]);
          if (r.values.existing !== 'false') errors.push(`${key}: existing ${r.values.existing}`);
          carved.push({ cidr: n.cidr, name: n.name, key });
        }
        errors.push(`client ${c}: no fault after 20 carves`);
      }),
    );
    const ms = performance.now() - started;
    console.log(
      `carving: ${carved.length} networks + ${faults.length} faults from ${CLIENTS} clients in ${ms.toFixed(0)} ms`,
    );

    expect(errors).toEqual([]);
    // 16 /26s in a /22, one taken by hand: 15 carved, then every client is told the container is full.
    expect(faults).toEqual(Array(CLIENTS).fill('NO_FREE_PREFIX'));
    expect(carved).toHaveLength(15);
    const expected = Array.from({ length: 16 }, (_, i) => `10.100.${i >> 2}.${(i & 3) * 64}/26`).filter(
      (x) => x !== '10.100.1.64/26',
    );
    expect(carved.map((x) => x.cidr).sort()).toEqual([...expected].sort());

    // The database agrees: no two networks of the data center overlap, whatever their VLAN.
    const overlaps = await pg!.query(
      `SELECT a.name, b.name FROM network a JOIN network b ON a.id < b.id AND a.data_center_id = b.data_center_id AND a.cidr && b.cidr`,
    );
    expect(overlaps.rows).toEqual([]);
    const rows = await pg!.query(
      `SELECT c.idempotency_key AS key, c.cidr::text AS cidr, n.name FROM carve c JOIN network n ON n.id = c.network_id ORDER BY c.id`,
    );
    expect(
      rows.rows.map((r) => ({ key: r.key, cidr: r.cidr, name: r.name })).sort((a, b) => (a.key < b.key ? -1 : 1)),
    ).toEqual([...carved].sort((a, b) => (a.key < b.key ? -1 : 1)));
  }, 90_000);

  test('clients racing with one idempotency key across the processes all get the one network it carved', async () => {
    const fields = { container: 'race6', prefixLength: 64, name: 'v6-once', vlan: 600, idempotencyKey: 'esb-retry-1' };
    const replies = await Promise.all(Array.from({ length: 12 }, () => soap('AllocateNetwork', fields)));
    for (const r of replies) expect(r.fault).toBeUndefined();
    expect(new Set(replies.map((r) => flat(all(r.body, 'network')[0]).cidr))).toEqual(new Set(['2001:db8:100::/64']));
    expect(replies.filter((r) => r.values.existing === 'false')).toHaveLength(1);
    const n = await pg!.query(`SELECT count(*)::int AS n FROM network WHERE cidr <<= '2001:db8:100::/48'`);
    expect(n.rows[0].n).toBe(1);
  }, 60_000);
  test('carvers racing clients that add networks by hand on other VLANs: nothing inside the container overlaps', async () => {
    const CARVERS = 12;
    const HANDS = 12;
    // Each hand client tries /25s, /26s and /27s all over the container, each on its own VLAN.
    const handCidrs = (h: number) =>
      Array.from({ length: 8 }, (_, k) => {
        const slot = (h * 5 + k * 7) % 16; // a /26 of the /22
        const base = `10.101.${slot >> 2}.${(slot & 3) * 64}`;
        if (k % 4 === 1) return `10.101.${slot >> 2}.${(slot & 3) * 64 + 32}/27`;
        if (k % 4 === 2) return `10.101.${slot >> 2}.${(slot & 2) * 64}/25`;
        return `${base}/26`;
      });
    const ok: { cidr: string; name: string }[] = [];
    const unexpected: string[] = [];
    let refusedHand = 0;
    const call = async (who: string, operation: string, fields: Fields) => {
      try {
        return await soap(operation, fields);
      } catch (e) {
        unexpected.push(`${who}: ${String(e)}`);
        return null;
      }
    };
    await Promise.all([
      ...Array.from({ length: CARVERS }, async (_, c) => {
        for (let i = 0; i < 20; i++) {
          const key = `mixed-${c}-${i}`;
          const r = await call(key, 'AllocateNetwork', {
            container: 'mixed',
            prefixLength: 26,
            name: `carved-${c}-${i}`,
            vlan: 2000 + c,
            idempotencyKey: key,
          });
          if (!r) return;
          if (r.fault?.code === 'NO_FREE_PREFIX') return;
          if (r.fault) return void unexpected.push(`${key}: ${r.fault.code} ${r.fault.message}`);
          ok.push(flat(all(r.body, 'network')[0]) as { cidr: string; name: string });
        }
        unexpected.push(`carver ${c}: no NO_FREE_PREFIX after 20 carves`);
      }),
      ...Array.from({ length: HANDS }, async (_, h) => {
        for (const [i, cidr] of handCidrs(h).entries()) {
          const name = `hand-${h}-${i}`;
          const r = await call(name, 'AddNetwork', { name, cidr, dataCenter: 'dc1', vlan: 3000 + h });
          if (!r) return;
          if (r.fault?.code === 'CONFLICT') refusedHand++;
          else if (r.fault) unexpected.push(`${name}: ${r.fault.code} ${r.fault.message}`);
          else ok.push({ cidr, name });
        }
      }),
    ]);
    console.log(`mixed: ${ok.length} networks added or carved, ${refusedHand} hand additions refused`);
    expect(unexpected).toEqual([]);
    expect(refusedHand).toBeGreaterThan(0);
    expect(ok.some((n) => n.name.startsWith('hand-'))).toBe(true);
    expect(ok.some((n) => n.name.startsWith('carved-'))).toBe(true);

    const inside = await pg!.query(`SELECT name, cidr::text AS cidr FROM network WHERE cidr <<= '10.101.0.0/22'`);
    expect(inside.rows.map((r) => r.name).sort()).toEqual(ok.map((n) => n.name).sort());
    const overlaps = await pg!.query(
      `SELECT a.name AS a, a.cidr::text AS a_cidr, b.name AS b, b.cidr::text AS b_cidr FROM network a JOIN network b
         ON a.id < b.id AND a.data_center_id = b.data_center_id AND a.cidr && b.cidr
       WHERE a.cidr <<= '10.101.0.0/22' AND b.cidr <<= '10.101.0.0/22'`,
    );
    expect(overlaps.rows).toEqual([]);
  }, 120_000);
});
